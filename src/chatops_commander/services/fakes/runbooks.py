"""Runbooks held in memory (the `RunbookSource` port without a folder of YAML files)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from chatops_commander.domain.chat.runbooks import Runbook


class InMemoryRunbooks:
    def __init__(self, *books: Runbook) -> None:
        self.books = list(books)

    def names(self) -> Sequence[str]:
        return [b.application for b in self.books]

    def environments(self) -> Mapping[str, tuple[str, ...]]:
        return {env: hosts for b in self.books for env, hosts in b.environments.items()}

    def for_environment(self, environment: str | None) -> Runbook | None:
        if environment:
            for book in self.books:
                if environment in book.environments:
                    return book
        return self.books[0] if len(self.books) == 1 else None
