"""Runbook files: one YAML file per application in a folder (`CHATOPS_RUNBOOKS_PATH`), plus an HTTP probe.

Files are looked at on each lookup (the user edits them without restarting) and parsed again only
when their size or modification time changed; a broken file is reported with its path and the
problems, never half-used.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx
import yaml

from chatops_commander.domain.chat.diagnosis import HttpCheck
from chatops_commander.domain.chat.runbooks import Runbook, parse_runbook
from chatops_commander.domain.errors import ValidationFailed


class RunbookFolder:
    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._parsed: dict[Path, tuple[tuple[int, int], Runbook]] = {}  # path → ((mtime_ns, size), runbook)

    def _files(self) -> list[Path]:
        if self.folder is None or not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())

    def load(self, path: Path) -> Runbook:
        try:
            stat = path.stat()
        except OSError as exc:
            raise ValidationFailed([(str(path), f"cannot read: {exc}")]) from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._parsed.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        book = self._parse(path)
        self._parsed[path] = (stamp, book)
        return book

    def _parse(self, path: Path) -> Runbook:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ValidationFailed([(str(path), f"cannot read YAML: {exc}")]) from None
        try:
            return parse_runbook(data, source=str(path))
        except ValidationFailed as exc:
            raise ValidationFailed([(f"{path.name}: {f}", p) for f, p in exc.problems]) from None

    def all(self) -> list[Runbook]:
        return [self.load(p) for p in self._files()]

    def names(self) -> Sequence[str]:
        return [rb.application for rb in self.all()]

    def environments(self) -> Mapping[str, tuple[str, ...]]:
        """Every runbook's environment → hosts (so that "to production" means something to the parser even
        when no server is tagged so). A broken file is left out here; it is reported when it is used."""
        merged: dict[str, tuple[str, ...]] = {}
        for path in self._files():
            try:
                book = self.load(path)
            except ValidationFailed:
                continue
            for env, hosts in book.environments.items():
                merged[env] = tuple(dict.fromkeys((*merged.get(env, ()), *hosts)))
        return merged

    def for_environment(self, environment: str | None) -> Runbook | None:
        books = self.all()
        if environment:
            for rb in books:
                if environment in rb.environments:
                    return rb
        return books[0] if len(books) == 1 else None


class HttpxProbe:
    """GET a URL, report status and latency (redirects not followed; any answer < 400 is OK)."""

    async def check(self, url: str, *, timeout_s: float = 5.0) -> HttpCheck:
        started = time.monotonic()
        try:
            async with httpx.AsyncClient(timeout=timeout_s, follow_redirects=False) as client:
                res = await client.get(url)
        except httpx.HTTPError as exc:
            return HttpCheck(url, None, False, None, type(exc).__name__)
        return HttpCheck(url, res.status_code, res.status_code < 400, int((time.monotonic() - started) * 1000))
