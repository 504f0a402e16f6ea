"""The chat's query actions, answered from checks run in this turn (and the collector's samples younger than
its interval, each with its age): fleet health, incident diagnosis, open alerts, history questions.
Each is a handler of the action pipeline registered by action id (`handlers()`), so a
pack can register its own the same way without touching the engine."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.diagnosis import (
    HostCheck,
    Option,
    ServiceCheck,
    diagnose,
    down_since,
    relevant_lines,
)
from chatops_commander.domain.chat.events import Progress, ResultEvent
from chatops_commander.domain.execution import HostOutcome, RunResult
from chatops_commander.domain.monitoring.samples import Sample, ServiceState
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.servers import Server
from chatops_commander.services import access
from chatops_commander.services import servers as server_service
from chatops_commander.services.actions.pipeline import Decided, QueryHandler
from chatops_commander.services.chat.deploys import DEPLOY_ACTIONS, DeployRunner
from chatops_commander.services.chat.history import HistoryQuestions
from chatops_commander.services.chat.ports import HttpProbe
from chatops_commander.services.chat.turn import Turn, TurnTools
from chatops_commander.services.ports_monitoring import AlertQuery

UNREACHABLE = (HostOutcome.UNREACHABLE, HostOutcome.AUTH_FAILED, HostOutcome.HOST_KEY_MISMATCH,
               HostOutcome.HOST_KEY_UNKNOWN, HostOutcome.TIMED_OUT, HostOutcome.ERROR)
Reply = tuple[str, dict[str, Any]]
SERVICE_HISTORY = timedelta(hours=24)  # how far back the samples are read for "down since when"


class ChatQueries:
    def __init__(self, tools: TurnTools, *, http: HttpProbe | None = None,
                 health_urls: Mapping[str, str] | None = None, sample_max_age_s: float = 30.0,
                 live_check_s: float = 5.0) -> None:
        self.tools, self.http, self.health_urls = tools, http, dict(health_urls or {})
        self.live_check_s = live_check_s  # a fleet question waits this long for a host, then uses stored figures
        self.sample_max_age_s = sample_max_age_s  # the collection interval: an older sample is stale
        self.history = HistoryQuestions(tools.uow)

    async def latest_samples(self) -> dict[Any, Sample]:
        """The collector's latest sample of every server (none without monitoring tables)."""
        try:
            async with self.tools.uow() as uow:
                latest: dict[Any, Sample] = await uow.samples.latest_all()  # type: ignore[attr-defined]
        except AttributeError:  # a store without monitoring tables
            return {}
        return latest

    async def figures(self, servers: Sequence[Server],
                      latest: Mapping[Any, Sample] | None = None) -> list[wording.HostFigures]:
        """The collector's latest sample of each server, with its age; a sample older than the collection
        interval is marked stale (its figures are never shown as current). No collector: no figures."""
        latest = await self.latest_samples() if latest is None else latest
        now, out = self.tools.clock.now(), []
        for server in sorted(servers, key=lambda s: s.name):
            sample = latest.get(server.id) if server.id is not None else None
            if sample is None:
                continue
            age_s = max(0.0, (now - sample.collected_at).total_seconds())
            m = sample.metrics
            out.append(wording.HostFigures(
                server.name, age_s, fresh=age_s <= self.sample_max_age_s, cpu_percent=m.cpu_percent,
                memory_percent=m.memory.percent if m.memory else None, disk_percent=sample.disk_max_percent))
        return out

    async def fleet_health(self, turn: Turn, servers: Sequence[Server], text: str) -> tuple[str, dict[str, Any]]:
        """Every host is asked now, in parallel, for at most `live_check_s`: a host that accepts connections but
        never answers does not hold the answer up; it is said so, with the monitoring's last state and its age."""
        latest = await self.latest_samples()
        wait = self.live_check_s

        async def host(server: Server) -> wording.HostHealth:
            jobs = ([self.tools.run_checks(turn, "service.status", [server], {"service": svc}, progress=False,
                                           deadline_s=wait) for svc in server.services]
                    or [self.tools.run_checks(turn, "server.load", [server], {}, progress=False, deadline_s=wait)])
            results = [r[0] for r in await asyncio.gather(*jobs)]
            states = {svc: (bool(r.data.get("active")) if r.outcome not in UNREACHABLE else None)
                      for svc, r in zip(server.services, results, strict=False)}
            answered = [r for r in results if r.outcome not in UNREACHABLE]
            if answered:
                return wording.HostHealth(server.name, True, states)
            bad = results[0]
            sample = latest.get(server.id) if server.id is not None else None
            stored = None if sample is None else {
                svc: (None if st is None or st is ServiceState.UNKNOWN else st is ServiceState.RUNNING)
                for svc in server.services for st in [sample.metrics.services.get(svc)]}
            return wording.HostHealth(
                server.name, False, states, bad.message or bad.outcome.value,
                timed_out_s=wait if bad.outcome is HostOutcome.TIMED_OUT else None, stored=stored,
                stored_age_s=None if sample is None else max(
                    0.0, (self.tools.clock.now() - sample.collected_at).total_seconds()))

        hosts = list(await asyncio.gather(*(host(s) for s in servers)))
        for h in hosts:
            self.tools.emit(turn, Progress(turn.cid, action="fleet.health", host=h.name,
                                           status="ok" if h.reachable else
                                           "timed_out" if h.timed_out_s is not None else "unreachable"))
        alerts = await self.open_alerts(turn)
        up = sum(1 for h in hosts if h.reachable)
        stopped = [(h.name, svc) for h in hosts for svc, active in h.services.items() if active is False]
        options: list[Option] = []
        if stopped:
            name, svc = stopped[0]
            options.append(Option(f"Start {svc} on {name}", f"Démarrer {svc} sur {name}", "service.start", (name,),
                                  svc))
        options.append(Option("Show disk usage", "Voir l'occupation des disques", "server.disk",
                              tuple(s.name for s in servers)))
        greet = text.strip().lower().startswith(wording.GREETINGS)
        async with self.tools.uow() as uow:
            everyone = await uow.servers.list()
        left_out = (await access.fleet_view(self.tools.uow, turn.principal, everyone)).left_out
        figures = await self.figures(servers, latest)
        said = [a["message"] for a in alerts]
        reply = wording.fleet_health(hosts, said, options, greet=greet, lang=turn.lang,
                                     left_out=left_out, figures=figures)
        meta = {"action": "fleet.health", "hosts_up": up, "hosts_total": len(hosts), "hosts_left_out": left_out,
                "hosts": [{"name": h.name, "reachable": h.reachable, "services": dict(h.services),
                           "timed_out_s": h.timed_out_s, "stored_services": dict(h.stored) if h.stored else None,
                           "stored_age_s": None if h.stored_age_s is None else round(h.stored_age_s)}
                          for h in hosts],
                "alerts": alerts, "options": [o.to_json() for o in options],
                "checked_at": self.tools.clock.now().isoformat(),
                "figures": [{"host": f.name, "age_s": round(f.age_s), "fresh": f.fresh, "cpu_percent": f.cpu_percent,
                             "memory_percent": f.memory_percent, "disk_percent": f.disk_percent} for f in figures],
                # what "yes" to "Need details?" answers, in both languages (the conversation may switch)
                "details": {lang: wording.fleet_details(
                    hosts, figures, [a["message"] for a in (alerts if lang == turn.lang
                                                           else await self.open_alerts(turn, lang))], lang)
                    for lang in ("en", "fr")}}
        summary = reply.rsplit("\n\n", 1)[0].splitlines()[-1]  # the last line before "Need details?"
        self.tools.emit(turn, ResultEvent(turn.cid, action="fleet.health", ok=up == len(hosts) and not stopped,
                                          summary=summary, data={"hosts": meta["hosts"]}))
        return reply, meta

    async def open_alerts(self, turn: Turn, lang: str | None = None) -> list[dict[str, Any]]:
        """Open alerts of the servers the user may read (and those tied to no server), in `lang` (the turn's)."""
        lang = lang or turn.lang
        try:
            async with self.tools.uow() as uow:
                readable = await server_service.readable_server_ids(uow, turn.principal)
                alerts, _ = await uow.alerts.query(AlertQuery(resolved=False, limit=100).seen_by(readable))
                names = {s.id: s.name for s in await uow.servers.list()}
        except AttributeError:  # a store without monitoring tables
            return []
        now = self.tools.clock.now()
        out = []
        for a in alerts:  # the figure in an alert's message is as old as its last change: say so
            at = a.updated_at or a.created_at
            age = f" ({wording.age((now - at).total_seconds(), lang)})" if at else ""
            out.append({"id": str(a.id), "server": names.get(a.server_id) if a.server_id else None, "type": a.type,
                        "severity": a.severity.value, "message": a.localized(lang) + age,
                        "as_of": at.isoformat() if at else None})
        return out

    async def alerts(self, turn: Turn) -> tuple[str, dict[str, Any]]:
        alerts = await self.open_alerts(turn)
        return wording.open_alerts([(a["severity"], a["message"]) for a in alerts], turn.lang), {"alerts": alerts}

    async def diagnose(self, turn: Turn, servers: Sequence[Server],
                        service: str | None) -> tuple[str, dict[str, Any]]:
        relevant = [s for s in servers if service is None or service in s.services] or list(servers)

        async def one(server: Server) -> HostCheck:
            services = [service] if service else list(server.services)
            check = self.tools.run_checks
            jobs: list[Awaitable[list[RunResult]]] = [
                check(turn, "service.status", [server], {"service": svc}, progress=False) for svc in services]
            jobs += [check(turn, "service.logs", [server], {"service": svc, "lines": 30}, progress=False)
                     for svc in services]
            jobs.append(self.tools.run_checks(turn, "server.disk", [server], {"path": "/"}, progress=False))
            jobs.append(self.tools.run_checks(turn, "server.memory", [server], {}, progress=False))
            url = self.health_urls.get(server.name)
            http_job = self.http.check(url) if url and self.http is not None else None
            results = await asyncio.gather(*jobs)
            http = await http_job if http_job is not None else None
            status = [r[0] for r in results[: len(services)]]
            logs = [r[0] for r in results[len(services): 2 * len(services)]]
            disk, mem = results[-2][0], results[-1][0]
            if any(r.outcome in UNREACHABLE for r in [*status, disk]):
                bad = next(r for r in [*status, disk] if r.outcome in UNREACHABLE)
                return HostCheck(server.name, False, message=bad.message or bad.outcome.value)
            history = await self.service_history(server, services)
            checks = tuple(self.service_check(svc, r, history.get(svc, [])) for svc, r in
                           zip(services, status, strict=True))
            lines = [line for r in logs if r.ok for line in r.data.get("lines", [])]
            errors = relevant_lines(lines)
            mounts = disk.data.get("mounts") or [] if disk.ok else []
            top = max(mounts, key=lambda m: m.get("percent", 0), default=None)
            memory = mem.data.get("memory") if mem.ok else None
            mem_pct = (100.0 * memory["used"] / memory["total"]) if memory and memory.get("total") else None
            return HostCheck(server.name, True, services=checks, error_lines=errors, http=http,
                             log_tail=relevant_lines(lines, fallback=True),
                             disk_percent=float(top["percent"]) if top else None,
                             disk_mount=top.get("mount") if top else None, memory_percent=mem_pct)

        checks = await asyncio.gather(*(one(s) for s in relevant))
        for c in checks:
            self.tools.emit(turn, Progress(turn.cid, action="incident.diagnose", host=c.host,
                                           status="ok" if c.reachable else "unreachable"))
        result = diagnose(checks)
        await self.tools.record_results(turn, "incident.diagnose", relevant, [
            RunResult(c.host, HostOutcome.OK if c.reachable else HostOutcome.UNREACHABLE, exit_code=0 if c.reachable
                      else None, stdout=result.cause_en if c.host == result.culprit_host else "")
            for c in checks], {}, {"action": "incident.diagnose", "service": service}, Risk.LOW, False)
        data = result.to_json()
        self.tools.emit(turn, ResultEvent(turn.cid, action="incident.diagnose", ok=result.healthy,
                                          summary=result.cause(turn.lang), data=data))
        return result.render(turn.lang), {"action": "incident.diagnose", "diagnosis": data,
                                          "options": [o.to_json() for o in result.options]}


    async def service_history(self, server: Server,
                              services: Sequence[str]) -> dict[str, list[tuple[datetime, bool | None]]]:
        """(when, running?) of each service in the collector's samples of the last day (oldest first)."""
        if server.id is None:
            return {}
        now = self.tools.clock.now()
        try:
            async with self.tools.uow() as uow:
                samples = await uow.samples.series(  # type: ignore[attr-defined]
                    server.id, now - SERVICE_HISTORY, now)
        except AttributeError:  # a store without monitoring tables
            return {}
        out: dict[str, list[tuple[datetime, bool | None]]] = {svc: [] for svc in services}
        for sample in samples:
            for svc in services:
                state = sample.metrics.services.get(svc)
                if state is not None and state is not ServiceState.UNKNOWN:
                    out[svc].append((sample.collected_at, state is ServiceState.RUNNING))
        return out

    def service_check(self, service: str, res: RunResult, seen: Sequence[tuple[datetime, bool | None]]) -> ServiceCheck:
        """A service's state checked now; when it is down, since when: from the samples (they saw it go
        down), else from the service manager's own words."""
        active = bool(res.data.get("active")) if res.ok else None
        check = ServiceCheck(service, active, str(res.data.get("state", res.outcome.value)))
        if active is not False:
            return check
        down = down_since([*seen, (self.tools.clock.now(), False)], self.tools.clock.now()) if seen else None
        if down is not None and down[0] > 0:
            return replace(check, down_for_s=down[0], down_at_least=down[1])
        return replace(check, since_text=str(res.data.get("since") or ""))


def handlers(queries: ChatQueries, deploys: DeployRunner) -> dict[str, QueryHandler]:
    """The pipeline handlers of the chat's queries and runbooks, by action id. The door's turn travels in
    the request's `context`."""

    def turn_of(decided: Decided) -> Turn:
        turn: Turn = decided.request.context
        return turn

    async def fleet_health(d: Decided) -> Reply:
        return await queries.fleet_health(turn_of(d), d.servers, d.request.text)

    async def diagnose_incident(d: Decided) -> Reply:
        return await queries.diagnose(turn_of(d), d.servers, d.request.service)

    async def alerts(d: Decided) -> Reply:
        return await queries.alerts(turn_of(d))

    async def history(d: Decided) -> Reply:
        turn = turn_of(d)
        return await queries.history.answer(d.request.principal, d.request.parameters, d.request.targets, turn.lang,
                                            queries.tools.clock.now())

    async def deploy(d: Decided) -> Reply:
        return await deploys.run(turn_of(d), d.request.principal, d.servers, d.request.parameters,
                                 rollback=d.spec.id == "app.rollback", approved_by=d.request.approved_by)

    return {"fleet.health": fleet_health, "incident.diagnose": diagnose_incident, "alerts.list": alerts,
            "history.list": history, "app.deploy": deploy, "app.rollback": deploy}


Preparer = Callable[[str, Sequence[str], Mapping[str, Any]], Awaitable[tuple[list[str], dict[str, Any]]]]


def preparers(deploys: DeployRunner) -> dict[str, Preparer]:
    """What completes a request before it is decided, by action id: a deploy's hosts come from its runbook,
    a rollback's version from the deployment history, so that the card shows what will run."""
    return {action: deploys.prepare for action in DEPLOY_ACTIONS}
