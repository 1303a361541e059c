"""OpenTelemetry for every process: traces, metrics, JSON logs carrying trace ids.

Spans go to an OTLP collector when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (Jaeger in compose), and
to a JSON-lines file when `LIANXIN_SPANS_FILE` is set: the embedded default, which needs no server
and which the end-to-end tests read back to check that one trace crosses every process.

Sampling: OpenTelemetry's own `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` when set; by
default every trace, whatever the caller's `traceparent` flags say. A process with neither an
OTLP endpoint nor a spans file records no span at all: each still gets its trace and span ids
(the incident keeps its trace id, events carry `traceparent`), but nothing is built that no one
would read (`make bench`: about 7 % of incidents' CPU went to spans dropped at their end).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import metrics, propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, Sampler
from opentelemetry.trace import Span, SpanKind
from pythonjsonlogger.json import JsonFormatter

tracer = trace.get_tracer("lianxin")
meter = metrics.get_meter("lianxin")

_configured = False


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file, one JSON object a line. Past `max_bytes` the file is
    rotated: `x.jsonl` becomes `x.1.jsonl` (the previous `x.1.jsonl` is deleted), so a
    long-running platform keeps at most twice `max_bytes` of spans per process."""

    def __init__(self, path: str, max_bytes: int = 64 * 2**20) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        lines = [json.dumps(span_record(span), ensure_ascii=False) + "\n" for span in spans]
        with self._lock:
            with open(self.path, "a", encoding="utf-8") as out:
                out.writelines(lines)
                size = out.tell()
            if self.max_bytes and size > self.max_bytes:
                os.replace(self.path, rotated_path(self.path))
        return SpanExportResult.SUCCESS


def rotated_path(path: str) -> str:
    """`spans/incidents.jsonl` → `spans/incidents.1.jsonl`: still read as a `*.jsonl` file."""
    root, ext = os.path.splitext(path)
    return f"{root}.1{ext or '.jsonl'}"


def span_record(span: ReadableSpan) -> dict:
    ctx = span.get_span_context()
    return {
        "trace_id": f"{ctx.trace_id:032x}",
        "span_id": f"{ctx.span_id:016x}",
        "parent_id": f"{span.parent.span_id:016x}" if span.parent else None,
        "name": span.name,
        "kind": span.kind.name,
        "service": span.resource.attributes.get("service.name"),
        "start_ns": span.start_time,
        "end_ns": span.end_time,
        "status": span.status.status_code.name,
        "attributes": dict(span.attributes or {}),
        # The spans this one follows from in other traces (a step's request, say).
        "links": [
            {"trace_id": f"{link.context.trace_id:032x}", "span_id": f"{link.context.span_id:016x}"}
            for link in span.links or ()
        ],
    }


class _TraceIds(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        ctx = trace.get_current_span().get_span_context()
        record.trace_id = f"{ctx.trace_id:032x}" if ctx.is_valid else None
        record.span_id = f"{ctx.span_id:016x}" if ctx.is_valid else None
        return True


def setup_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(trace_id)s %(span_id)s",
            static_fields={"service": service},
        )
    )
    handler.addFilter(_TraceIds())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _sampler(*, exporting: bool) -> Sampler | None:
    """Nothing recorded where nothing is exported; else `OTEL_TRACES_SAMPLER` when it is set
    (None: the SDK reads it), and every span by default, whatever the caller's `traceparent` says:
    a caller that does not record (a test process, a department's system) must not switch off
    the platform's own trace of an escalation."""
    if not exporting:
        return ALWAYS_OFF
    return None if os.environ.get("OTEL_TRACES_SAMPLER") else ALWAYS_ON


def setup_telemetry(
    service: str, *, spans_file: str = "", log_level: str = "INFO", spans_file_max_mb: float = 64
) -> None:
    """Install tracer and meter providers once per process."""
    global _configured
    if _configured:
        return
    _configured = True
    setup_logging(service, log_level)
    resource = Resource.create({"service.name": service, "service.namespace": "lianxin"})
    otlp = bool(os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
    provider = TracerProvider(
        resource=resource, sampler=_sampler(exporting=otlp or bool(spans_file))
    )
    if otlp:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    if spans_file:
        provider.add_span_processor(
            BatchSpanProcessor(
                JsonLinesSpanExporter(spans_file, int(spans_file_max_mb * 2**20)),
                schedule_delay_millis=200,
            )
        )
    trace.set_tracer_provider(provider)

    from opentelemetry.exporter.prometheus import PrometheusMetricReader

    metrics.set_meter_provider(
        MeterProvider(resource=resource, metric_readers=[PrometheusMetricReader()])
    )


def shutdown_telemetry() -> None:
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush()


def current_trace_headers() -> dict[str, str]:
    """The W3C `traceparent`/`tracestate` of the current context."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def context_from(headers: Mapping[str, str] | None) -> Context:
    return propagate.extract(dict(headers or {}))


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return f"{ctx.trace_id:032x}" if ctx.is_valid else None


def _messaging_attributes(
    operation: str, subject: str, message_id: str, conversation_id: str | None
) -> dict[str, str]:
    return {
        "messaging.system": "nats",
        "messaging.operation.type": operation,
        "messaging.destination.name": subject,
        "messaging.message.id": message_id,
        "messaging.message.conversation_id": conversation_id or "",
    }


@contextmanager
def producer_span(
    subject: str, message_id: str, conversation_id: str | None, parent: Context | None = None
) -> Iterator[Span]:
    attributes = _messaging_attributes("publish", subject, message_id, conversation_id)
    with tracer.start_as_current_span(
        f"{subject} publish", context=parent, kind=SpanKind.PRODUCER, attributes=attributes
    ) as span:
        yield span


@contextmanager
def consumer_span(
    subject: str,
    message_id: str,
    conversation_id: str | None,
    consumer_group: str,
    headers: Mapping[str, str] | None,
) -> Iterator[Span]:
    attributes = _messaging_attributes("process", subject, message_id, conversation_id)
    attributes["messaging.consumer.group.name"] = consumer_group
    with tracer.start_as_current_span(
        f"{subject} process",
        context=context_from(headers),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
    ) as span:
        yield span
