"""A decided action run for a chat turn and told: per-host progress as hosts answer, one line per host, the
duration, the health after a restart (checked in this turn, and said so), and numbered next steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.diagnosis import Option
from chatops_commander.domain.chat.events import Progress, ResultEvent
from chatops_commander.domain.errors import PermissionDenied
from chatops_commander.domain.execution import RunResult
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.servers import Server
from chatops_commander.services.actions import ActionPipeline, Decided, Refused
from chatops_commander.services.chat.ports import HttpProbe
from chatops_commander.services.chat.turn import Turn, TurnTools
from chatops_commander.services.tracing import NoopTracer, Tracer

Reply = tuple[str, dict[str, Any]]
RESTARTS = ("service.restart", "service.start", "service.reload")
HEALTH_READS = ("server.status", "server.health", "service.status", "server.load", "server.memory", "server.disk")


def result_json(r: RunResult) -> dict[str, Any]:
    data = {k: v for k, v in (r.data or {}).items() if k != "explanation"}
    return {"outcome": r.outcome.value, "exit_code": r.exit_code, "duration_ms": r.duration_ms, "data": data,
            "message": r.message}


class ResultRenderer:
    def __init__(self, tools: TurnTools, pipeline: ActionPipeline, *, tracer: Tracer | None = None,
                 http: HttpProbe | None = None, health_urls: Mapping[str, str] | None = None) -> None:
        self.tools, self.pipeline, self.tracer = tools, pipeline, tracer or NoopTracer()
        self.http, self.health_urls = http, dict(health_urls or {})

    async def run(self, turn: Turn, decided: Decided) -> Reply:
        request, servers, risk, spec = decided.request, decided.servers, decided.risk, decided.spec
        action, service, lang = request.action, request.service, turn.lang

        def progress(res: RunResult) -> None:
            self.tools.emit(turn, Progress(turn.cid, action=action, host=res.host, status=res.outcome.value,
                                           text=self.tools.host_line(res, lang), duration_ms=res.duration_ms))

        attrs: dict[str, str | int] = {"chatops.action": action, "chatops.risk": risk.value,
                                       "chatops.hosts": len(servers)}
        with self.tracer.span("chat.execute", **attrs) as stage:
            ran = await self.pipeline.run(decided, on_result=progress)
            if isinstance(ran, Refused):
                raise ran.error or PermissionDenied(ran.message_en, message_fr=ran.message_fr)
            if ran.reply is not None:  # a query handler's own reply
                reply: Reply = ran.reply
                return reply
            results, ok = list(ran.results), ran.ok
            stage.set(**{"chatops.hosts_failed": sum(not r.ok for r in results), "chatops.ok": ok})
        # The rows were written ahead by the pipeline's journal; this span covers the reply built from them.
        recorded: dict[str, str | bool] = {"chatops.action": action, "chatops.confirmed": request.confirmed}
        with self.tracer.span("chat.record", **recorded):
            what = wording.describe(action, [s.name for s in servers], service, dict(request.parameters), lang,
                                    spec.summary)
            meta: dict[str, Any] = {"action": action, "risk": risk.value,
                                    "results": {r.host: result_json(r) for r in results}}
            body = [] if spec.risk is Risk.LOW else [wording.running(what, lang), ""]
            body += [self.tools.host_line(r, lang) for r in results]
            if spec.is_read_only:  # figures read from the hosts in this turn, and the reply says so
                meta["checked_at"] = self.tools.clock.now().isoformat()
                if action in HEALTH_READS:
                    body.append(wording.checked_line(lang))
            else:
                body.append(wording.duration_line(max((r.duration_ms for r in results), default=0), lang))
            options: list[Option] = []
            if ok and action in RESTARTS and service:
                body += await self._health_after(turn, servers, service)
                options.append(wording.logs_option(service, [s.name for s in servers]))
            if not ok:
                options.append(wording.failed_logs_option(service, [r.host for r in results if not r.ok]))
                body += ["", wording.failed_hosts_question(lang)]
            if options:
                body += ["", wording.numbered(options, lang)]
            self.tools.emit(turn, ResultEvent(turn.cid, action=action, ok=ok, summary=what,
                                              hosts={r.host: {"outcome": r.outcome.value, "exit_code": r.exit_code,
                                                              "duration_ms": r.duration_ms} for r in results},
                                              data=meta["results"]))
            meta["options"] = [o.to_json() for o in options]
        return "\n".join(body).strip(), meta

    async def _health_after(self, turn: Turn, servers: Sequence[Server], service: str) -> list[str]:
        status = await self.tools.run_checks(turn, "service.status", servers, {"service": service}, progress=False)
        states = [(r.host, str(r.data.get("state") if r.ok else r.outcome.value)) for r in status]
        passed = all(r.ok and r.data.get("active") for r in status)
        sites: list[tuple[str, str]] = []
        for s in servers:
            url = self.health_urls.get(s.name)
            if url and self.http is not None:
                res = await self.http.check(url)
                passed = passed and res.ok
                sites.append((s.name, "✅" if res.ok else f"❌ {res.status or res.error}"))
        return wording.health_after(service, states, sites, passed, turn.lang)
