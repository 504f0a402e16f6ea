"""The tracing port over OpenTelemetry: spans exported in batches over OTLP/HTTP (protobuf).

The provider is private to this tracer (the global OpenTelemetry provider is left alone);
`shutdown()` flushes what is queued and stops the export thread.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span as OtelSpan

from chatops_commander.services.tracing import AttributeValue, Span

INSTRUMENTATION = "chatops_commander"


def _clean(attributes: dict[str, AttributeValue | None]) -> dict[str, AttributeValue]:
    return {k: v for k, v in attributes.items() if v is not None}


class _SpanHandle:
    def __init__(self, span: OtelSpan) -> None:
        self._span = span

    def set(self, **attributes: AttributeValue | None) -> None:
        self._span.set_attributes(_clean(attributes))


class OtelTracer:
    def __init__(self, *, service_name: str, endpoint: str | None = None, timeout_s: float = 10.0) -> None:
        self.provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service_name}))
        self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint, timeout=timeout_s)))
        self._tracer = self.provider.get_tracer(INSTRUMENTATION)

    @contextmanager
    def span(self, name: str, **attributes: AttributeValue | None) -> Iterator[Span]:
        with self._tracer.start_as_current_span(name, attributes=_clean(attributes)) as span:
            yield _SpanHandle(span)

    def force_flush(self, timeout_ms: int = 30_000) -> bool:
        return self.provider.force_flush(timeout_ms)

    def shutdown(self) -> None:
        self.provider.shutdown()
