"""The tracing port: spans around a chat turn and its stages, independent of any tracing library.

`NoopTracer` is the default; the OpenTelemetry adapter (adapters/tracing.py) is built by bootstrap
only when `CHATOPS_OTEL_ENABLED` is set. Attributes are small scalars (ids, counts, outcomes):
never secrets, message text or command output.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

AttributeValue = str | bool | int | float


class Span(Protocol):
    def set(self, **attributes: AttributeValue | None) -> None:
        """Add attributes once they are known (None values are skipped)."""


class Tracer(Protocol):
    def span(self, name: str, **attributes: AttributeValue | None) -> AbstractContextManager[Span]:
        """A span, current for the duration of the `with` block (nested spans become its children)."""


class _NoopSpan:
    def set(self, **attributes: AttributeValue | None) -> None:
        return None


NOOP_SPAN: Span = _NoopSpan()


class NoopTracer:
    """Traces nothing."""

    @contextmanager
    def span(self, name: str, **attributes: AttributeValue | None) -> Iterator[Span]:
        yield NOOP_SPAN
