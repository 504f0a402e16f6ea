"""Tracing of a chat turn: the real OpenTelemetry SDK exporting over OTLP/HTTP to a receiver on 127.0.0.1.

One turn ("uptime on localhost", a low-risk `server.status` run on the local host) through the ChatService on
SQLite; the receiver decodes the protobuf export requests and we look at the spans it got.
"""

from __future__ import annotations

import asyncio
import gzip
import shutil
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from chatops_commander import bootstrap
from chatops_commander.adapters.tracing import OtelTracer
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.services import users as user_service
from chatops_commander.services.chat.turn import TurnReply
from chatops_commander.services.principal import AuthMethod, Principal
from chatops_commander.services.tracing import NoopTracer
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2, PASSWORD

SERVICE_NAME = "chatops-test-tracing"
STAGES = ("chat.parse", "chat.authorize", "chat.execute", "chat.record", "chat.reply")


class OtlpReceiver:
    """A stdlib HTTP server in a thread accepting OTLP/HTTP protobuf trace exports at /v1/traces."""

    def __init__(self) -> None:
        self.exports: list[ExportTraceServiceRequest] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                with outer._lock:
                    outer.paths.append(self.path)
                    outer.exports.append(request)
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1/traces"

    def spans(self) -> list[tuple[dict[str, Any], Any]]:
        """(resource attributes, span) for every span received so far."""
        with self._lock:
            exports = list(self.exports)
        return [(_attrs(rs.resource.attributes), span) for req in exports for rs in req.resource_spans
                for ss in rs.scope_spans for span in ss.spans]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _value(v: AnyValue) -> Any:
    kind = v.WhichOneof("value")
    return getattr(v, kind) if kind else None


def _attrs(kvs: Any) -> dict[str, Any]:
    return {kv.key: _value(kv.value) for kv in kvs}


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[OtlpReceiver]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # a proxy in the environment must not see the local exports
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    r = OtlpReceiver()
    try:
        yield r
    finally:
        r.close()


def _settings(tmp_path: Path, sqlite_template: Path, **overrides: object) -> Settings:
    db = tmp_path / "chatops.db"
    shutil.copyfile(sqlite_template, db)
    return make_settings(tmp_path, f"sqlite+aiosqlite:///{db}", **CHEAP_ARGON2, **overrides)


@pytest.fixture
async def traced(tmp_path: Path, sqlite_template: Path, receiver: OtlpReceiver) -> AsyncIterator[bootstrap.Container]:
    settings = _settings(tmp_path, sqlite_template, otel_enabled=True, otel_endpoint=receiver.url,
                         otel_service_name=SERVICE_NAME)
    container = await bootstrap.build(settings)
    try:
        yield container
    finally:
        await container.aclose()


async def _one_turn(container: bootstrap.Container, text: str = "uptime on localhost") -> TurnReply:
    admin = await user_service.create_user(container.uow, container.security, Principal.cli("pytest"),
                                           email="ops@example.com", name="ops", role=Role.ADMIN, password=PASSWORD)
    principal = Principal(user_id=admin.id, email=admin.email, role=Role.ADMIN, auth_method=AuthMethod.PASSWORD)
    service = bootstrap.build_chat_service(container)
    conversation = await service.create_conversation(principal)
    assert conversation.id is not None
    return await service.handle_message(principal, conversation.id, text)


async def _spans_by_name(receiver: OtlpReceiver, names: set[str], deadline_s: float = 30.0) -> dict[str, Any]:
    """Poll the receiver (with a deadline, no fixed sleep) until every named span has arrived."""
    deadline = time.monotonic() + deadline_s
    while True:
        got = {span.name: (resource, span) for resource, span in receiver.spans()}
        if names <= got.keys() or time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.05)


async def test_a_chat_turn_is_traced_over_otlp_http(traced: bootstrap.Container, receiver: OtlpReceiver) -> None:
    assert isinstance(traced.otel, OtelTracer)
    reply = await _one_turn(traced)
    assert reply.message is not None
    results = [e for e in reply.events if e.to_json()["type"] == "result"]
    assert results and results[0].to_json()["ok"] is True, reply.to_json()

    assert await asyncio.to_thread(traced.otel.force_flush, 10_000)
    got = await _spans_by_name(receiver, {"chat.turn", *STAGES})
    assert {"chat.turn", *STAGES} <= got.keys(), sorted(got)
    assert set(receiver.paths) == {"/v1/traces"}

    resource, turn = got["chat.turn"]
    assert resource["service.name"] == SERVICE_NAME
    attrs = _attrs(turn.attributes)
    assert attrs["chatops.action"] == "server.status"
    assert attrs["chatops.risk"] == "low"
    assert attrs["chatops.targets"] == 1
    assert attrs["chatops.lang"] == "en"
    assert attrs["chatops.outcome"] == "ok"
    assert attrs["chatops.confirmation"] is False
    assert turn.parent_span_id == b""  # the turn is the root

    for name in STAGES:
        _, stage = got[name]
        assert stage.trace_id == turn.trace_id, name
        assert stage.parent_span_id == turn.span_id, name
    parse = _attrs(got["chat.parse"][1].attributes)
    assert parse["chatops.action"] == "server.status" and parse["chatops.lang"] == "en"
    authorize = _attrs(got["chat.authorize"][1].attributes)
    assert authorize["chatops.risk"] == "low" and authorize["chatops.needs_approval"] is False
    execute = _attrs(got["chat.execute"][1].attributes)
    assert execute["chatops.hosts"] == 1
    assert execute["chatops.hosts_failed"] == 0
    assert execute["chatops.ok"] is True
    assert _attrs(got["chat.record"][1].attributes)["chatops.confirmed"] is False

    # Nothing from the message text or the host's output is exported.
    every_value = [str(v) for _, span in receiver.spans() for v in _attrs(span.attributes).values()]
    assert not any("uptime on" in v or "load average" in v for v in every_value)


async def test_tracing_off_builds_no_exporter_and_the_turn_works(tmp_path: Path, sqlite_template: Path) -> None:
    container = await bootstrap.build(_settings(tmp_path, sqlite_template))
    try:
        assert container.otel is None
        assert isinstance(container.tracer, NoopTracer)
        reply = await _one_turn(container)
        assert reply.message is not None
        assert any(e.to_json()["type"] == "result" and e.to_json()["ok"] for e in reply.events), reply.to_json()
    finally:
        await container.aclose()


async def test_an_approval_decision_is_traced_as_its_own_root_span(
    traced: bootstrap.Container, receiver: OtlpReceiver, tmp_path: Path,
) -> None:
    runbooks = tmp_path / "runbooks"
    runbooks.mkdir()
    (runbooks / "app.yaml").write_text("application: app\nenvironments: {production: [localhost]}\n"
                                       "steps: [{name: Check, kind: precheck, commands: [[\"true\"]]}]\n")
    cli = Principal.cli("pytest")
    made = [await user_service.create_user(traced.uow, traced.security, cli, email=f"{role.value}@example.com",
                                           name=role.value, role=role, password=PASSWORD)
            for role in (Role.OPERATOR, Role.ADMIN)]
    op, admin = (Principal(user_id=u.id, email=u.email, role=u.role, auth_method=AuthMethod.PASSWORD) for u in made)
    assert made[0].id is not None
    await user_service.set_permission(traced.uow, cli, made[0].id, "localhost",
                                      user_service.ServerPermission(can_read=True, can_execute=True))
    service = bootstrap.build_chat_service(traced, runbooks_path=runbooks)
    conversation = await service.create_conversation(op)
    assert conversation.id is not None
    asked = await service.handle_message(op, conversation.id, "deploy v1.2.3 to production")
    assert asked.message is not None
    assert "approval" in asked.message.content, asked.message.content  # "production": the runbook's environment
    [request] = [e.to_json() for e in asked.events if e.to_json()["type"] == "approval_required"]
    done, reply = await service.decide_approval(admin, request["approval_id"], approve=False, reason="not tonight")
    assert done.state.value == "rejected" and reply is not None

    assert traced.otel is not None and await asyncio.to_thread(traced.otel.force_flush, 10_000)
    got = await _spans_by_name(receiver, {"chat.approval"})
    _, span = got["chat.approval"]
    attrs = _attrs(span.attributes)
    assert attrs["chatops.approve"] is False and attrs["chatops.action"] == "app.deploy"
    assert attrs["chatops.outcome"] == "approval" and span.parent_span_id == b""
    assert not any("not tonight" in str(v) for _, s in receiver.spans() for v in _attrs(s.attributes).values())
