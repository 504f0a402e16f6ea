"""Deploys and rollbacks (seed scenario 3): the user's runbook, run step by step on real hosts.

`app.deploy` runs the runbook's `steps` (pre-checks, a database backup when none is recent,
pull, a rolling update one host at a time with a health check between hosts, smoke tests),
streamed as "Step 1/4 …" and stopped at the first failing step. `app.rollback` runs the
runbook's `rollback` steps (or the same steps) with the version to go back to: the one asked
for, or the one the deployment history names (`domain.chat.deployments.rollback_target`).
Every command sent is a `commands` row and an audit event; every run is a `deployments` row.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.deployments import Deployment, DeploymentKind, DeploymentState, rollback_target
from chatops_commander.domain.chat.events import Progress, ResultEvent
from chatops_commander.domain.chat.runbooks import (
    FoundFile,
    RecentFile,
    Runbook,
    RunbookStep,
    RunOn,
    StepKind,
    check_version,
    newest_file,
)
from chatops_commander.domain.errors import DomainError, NotFound
from chatops_commander.domain.execution import CommandPlan, HostOutcome, RunResult, for_host
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.servers import Server
from chatops_commander.services.chat.ports import HttpProbe, RunbookSource
from chatops_commander.services.chat.turn import Turn, TurnTools
from chatops_commander.services.principal import Principal

DEPLOY_ACTIONS = frozenset({"app.deploy", "app.rollback"})
SKIP_CHECK_TIMEOUT_S = 30.0
BACKUP_CHOICES = ("run", "skip")  # the pre-checks' answer, carried in the request's parameters ("backup")
SMOKE_LINES = 8  # the smoke tests' output lines shown per host
CLOCK_SLACK_S = 5.0  # a host's clock may lag ours a little: a file this much "older" than the step is still new


class VersionUnknown(DomainError):
    code = "version_unknown"


class DeployRunner:
    def __init__(self, core: TurnTools, runbooks: RunbookSource | None, *, http: HttpProbe | None = None,
                 health_urls: Mapping[str, str] | None = None) -> None:
        self.core, self.runbooks = core, runbooks
        self.http, self.health_urls = http, dict(health_urls or {})

    async def precheck(self, turn: Turn, action: str, targets: Sequence[str],
                       params: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
        """Before a deploy is decided (seed scenario 3): the version running now, what is known of the tests
        and the backups on the host of the runbook's backup step. With no recent backup, a question (meta
        `options`): back up then deploy, deploy without a backup, cancel. Otherwise a note (meta `note`) the
        door puts above the approval request or the confirmation card. None for a rollback or once the
        choice is made."""
        if action != "app.deploy" or params.get("backup") in BACKUP_CHOICES:
            return None
        environment = _environment(params)
        book = self.runbook(environment)
        lang, version = turn.lang, check_version(str(params.get("version") or ""))
        async with self.core.uow() as uow:
            history = await uow.deployments.history(book.application, environment=environment)
        last = next((d for d in history if d.state is DeploymentState.SUCCEEDED), None)
        current = None if last is None else (last.version, wording.deployed_when(
            last.finished_at or last.started_at, last.requested_by, self.core.clock.now(), lang))
        step = next((st for st in book.steps if st.kind is StepKind.BACKUP), None)
        hosts = await self.core.servers_named(list(targets))
        seen = None if step is None or not hosts else wording.BackupSeen(hosts[0].name, step.name(lang), None)
        recent = step.skip_if_recent if step is not None else None
        if seen is not None and recent is not None:
            seen = replace(seen, place=recent.path, max_age=f"{recent.max_age_hours:g} h")
            found = await self.list_backups(turn, hosts[0], recent, {"action": action, "version": version,
                                                                     "environment": environment, "step": "precheck"})
            if isinstance(found, str):  # the listing itself failed: say so, never "no backup found"
                seen = replace(seen, unlisted=found)
            elif found is not None:
                age_s = max(0.0, self.core.clock.now().timestamp() - found.mtime)
                seen = replace(seen, last_path=found.path, last_size=found.size, last_age_s=age_s,
                               recent=age_s < recent.max_age_hours * 3600)
        data: dict[str, Any] = {
            "application": book.application, "version": version, "environment": environment,
            "current_version": current[0] if current else None, "tests": "unknown",
            "backup": None if seen is None else {"host": seen.host, "place": seen.place, "last_path": seen.last_path,
                                                 "last_size": seen.last_size, "recent": seen.recent,
                                                 "unlisted": seen.unlisted or None}}
        if seen is None or seen.recent:
            note = wording.precheck_lines(book.application, version, environment, current, seen, lang)
            return "\n".join(note), {"note": True, "precheck": data}
        options = wording.precheck_options(version, list(targets), params)
        text = wording.deploy_prechecks(book.application, version, environment, current, seen, lang)
        return text + "\n" + wording.numbered(options, lang, title=False), {
            "action": action, "options": [o.to_json() for o in options], "precheck": data}

    async def list_backups(self, turn: Turn, server: Server, recent: RecentFile,
                           intent: Mapping[str, Any]) -> FoundFile | str | None:
        """The newest backup on `server` (a read-only listing, recorded like every command sent); None: there
        is none; a string: why the listing failed."""
        plan = CommandPlan((recent.listing_argv(),), timeout_s=SKIP_CHECK_TIMEOUT_S)
        [res] = [r async for r in self.core.fanout.run_plan(plan, [server], deadline_s=SKIP_CHECK_TIMEOUT_S + 5)]
        await self.core.record_results(turn, "app.deploy", [server], [res],
                                       {server.name: for_host(plan, become=server.become).render()},
                                       {**intent, "check": "backups"}, Risk.LOW, False)
        if res.outcome is not HostOutcome.OK and not res.stdout.strip() and "No such file" in res.stderr:
            return None  # where backups go does not exist yet: there is no backup
        if res.outcome is not HostOutcome.OK:
            detail = (res.stderr or res.message or res.outcome.value).strip().splitlines()[-1:] or ["?"]
            return detail[0][:200]
        return newest_file(res.stdout)

    def runbook(self, environment: str | None) -> Runbook:
        found = self.runbooks.for_environment(environment) if self.runbooks is not None else None
        if found is None:
            raise NotFound("I found no runbook for this deployment: add a YAML runbook for the application "
                           "(CHATOPS_RUNBOOKS_PATH).",
                           message_fr="Je n'ai trouvé aucun runbook pour ce déploiement : ajoutez un runbook YAML "
                                      "pour l'application (CHATOPS_RUNBOOKS_PATH).")
        return found

    async def prepare(self, action: str, targets: Sequence[str],
                      params: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
        """Before authorization and the confirmation card: the hosts the runbook names for the
        environment, and (rollback) the version to go back to, so that both are what the user sees
        and confirms."""
        environment = _environment(params)
        book = self.runbook(environment)
        hosts = list(book.hosts_for(environment, targets))
        out = dict(params)
        if action == "app.rollback" and not out.get("version"):
            async with self.core.uow() as uow:
                history = await uow.deployments.history(book.application, environment=environment)
            version = rollback_target(history)
            if version is None:
                where = f" ({environment})" if environment else ""
                raise VersionUnknown(
                    f"I don't know which version to go back to: no earlier successful deployment of "
                    f"{book.application}{where} is recorded. Say which one, e.g. \"roll back to v2.4.0\".",
                    message_fr=f"Je ne sais pas à quelle version revenir : aucun déploiement réussi antérieur de "
                               f"{book.application}{where} n'est enregistré. Dites laquelle, par exemple "
                               f"« reviens à la v2.4.0 ».")
            out["version"] = version
        if "version" in out:
            check_version(str(out["version"]))
        return hosts, out

    async def run(self, turn: Turn, principal: Principal, servers: Sequence[Server], params: Mapping[str, Any], *,
                  rollback: bool, approved_by: str | None) -> tuple[str, dict[str, Any]]:
        action = "app.rollback" if rollback else "app.deploy"
        lang = turn.lang
        version = check_version(str(params.get("version") or ""))
        environment = _environment(params)
        book = self.runbook(environment)
        names = book.hosts_for(environment, [s.name for s in servers])
        hosts = await self.core.servers_named(names)
        steps = book.steps_for(rollback)
        total = len(steps)
        title = wording.deploy_title(book.application, version, wording.join(list(names), lang), rollback, lang)
        out: list[str] = [title, ""]
        deployment = Deployment.start(
            application=book.application, version=version, hosts=names, requested_by=principal.actor,
            kind=DeploymentKind.ROLLBACK if rollback else DeploymentKind.DEPLOY, now=self.core.clock.now(),
            environment=environment, approved_by=approved_by, conversation_id=turn.cid)
        async with self.core.uow() as uow:
            await uow.deployments.add(deployment)
            await uow.commit()
        intent = {"action": action, "version": version, "environment": environment,
                  "application": book.application, "approved_by": approved_by, "deployment_id": deployment.id}
        steps_meta: list[dict[str, Any]] = []
        started = time.monotonic()
        run = _Run(self.core, turn, principal, action, version, intent, total,
                   skip_backup=params.get("backup") == "skip", http=self.http, health_urls=self.health_urls)
        for index, step in enumerate(steps, 1):
            header = wording.step_header(index, total, step.name(lang), lang)
            out.append(header)
            self.core.emit(turn, Progress(turn.cid, action=action, status="step_started", text=header, step=index,
                                          steps=total))
            try:
                lines, failed, skipped = await run.step(index, step, hosts)
            except BaseException:  # a crash or a cancellation: the record must not say "running" forever
                async with self.core.uow() as uow:
                    await uow.deployments.finish(deployment.finished(now=self.core.clock.now(), failed_step=index))
                    await uow.commit()
                raise
            out += lines
            steps_meta.append({"index": index, "name": step.name(lang), "kind": step.kind.value,
                               "ok": failed is None, "skipped_on": skipped})
            if failed is not None:
                async with self.core.uow() as uow:
                    await uow.deployments.finish(deployment.finished(now=self.core.clock.now(), failed_step=index))
                    await uow.commit()
                return self._stopped(turn, action, rollback, out, steps_meta, index, total, step, failed, names,
                                     params)
            out.append("")
        async with self.core.uow() as uow:
            await uow.deployments.finish(deployment.finished(now=self.core.clock.now()))
            await uow.commit()
        elapsed = int((time.monotonic() - started) * 1000)
        done = wording.deploy_done(version, elapsed, rollback, lang)
        out.append(done)
        self.core.emit(turn, ResultEvent(turn.cid, action=action, ok=True, summary=done, data={"steps": steps_meta}))
        return "\n".join(out), {"action": action, "ok": True, "version": version, "steps": steps_meta,
                                "duration_ms": elapsed, "deployment_id": deployment.id, "options": []}

    def _stopped(self, turn: Turn, action: str, rollback: bool, out: list[str], steps_meta: list[dict[str, Any]],
                 index: int, total: int, step: RunbookStep, failed: RunResult, names: Sequence[str],
                 params: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        lang = turn.lang
        detail = (failed.stderr or failed.stdout or failed.message).strip().splitlines()[-1:] or ["?"]
        stop = wording.deploy_stopped(index, total, step.name(lang), failed.host, detail[0], rollback, lang)
        out += ["", stop]
        options = [wording.host_logs_option(failed.host)]
        if not rollback:
            options.append(wording.rollback_option(names, _environment(params)))
        out.append(wording.numbered(options, lang))
        self.core.emit(turn, ResultEvent(turn.cid, action=action, ok=False, summary=stop,
                                         data={"steps": steps_meta, "failed_step": index}))
        return "\n".join(out), {"action": action, "ok": False, "steps": steps_meta, "failed_step": index,
                                "options": [o.to_json() for o in options]}


class _Run:
    """One runbook run: runs a step on its hosts (skip conditions, rolling order, health checks)."""

    def __init__(self, core: TurnTools, turn: Turn, principal: Principal, action: str, version: str,
                 intent: Mapping[str, Any], total: int, *, skip_backup: bool = False, http: HttpProbe | None = None,
                 health_urls: Mapping[str, str] | None = None) -> None:
        self.core, self.turn, self.principal, self.action = core, turn, principal, action
        self.version, self.intent, self.total = version, intent, total
        self.skip_backup = skip_backup  # the requester chose "deploy without a backup" at the pre-checks
        self.http, self.health_urls = http, dict(health_urls or {})

    async def step(self, index: int, step: RunbookStep,
                   hosts: Sequence[Server]) -> tuple[list[str], RunResult | None, list[str]]:
        """The step's lines, the first failure (None: the step passed) and the hosts that skipped it."""
        targets = list(hosts[:1]) if step.run_on is RunOn.FIRST else list(hosts)
        lines: list[str] = []
        skipped: list[str] = []
        if step.kind is StepKind.BACKUP and self.skip_backup:
            for server in targets:
                line = wording.step_skipped_by_choice(server.name, self.principal.actor, self.turn.lang)
                lines.append(line)
                skipped.append(server.name)
                self.progress(index, server.name, "skipped", line, 0)
            return lines, None, skipped
        if step.conditional:
            reasons = await asyncio.gather(*(self.skip_reason(index, step, s) for s in targets))
            for server, reason in zip(targets, reasons, strict=True):
                if reason is not None:
                    skipped.append(server.name)
                    lines.append(reason)
                    self.progress(index, server.name, "skipped", reason, 0)
            targets = [s for s in targets if s.name not in skipped]
        failed: RunResult | None = None
        if step.run_on is RunOn.ROLLING:
            for server in targets:
                res = await self.plan(server, step.argv(self.version, server.name), step.timeout_s, index)
                if res.ok and step.health_check:
                    res = await self.plan(server, step.health_argv(self.version, server.name), step.timeout_s,
                                          index, "health")
                line = self.rolled_line(server.name) if res.ok else TurnTools.host_line(res, self.turn.lang)
                lines.append(line)
                self.progress(index, server.name, res.outcome.value, line, res.duration_ms)
                if not res.ok:
                    return lines, res, skipped
            return lines, None, skipped
        started = self.core.clock.now().timestamp()
        results = await asyncio.gather(*(self.plan(s, step.argv(self.version, s.name), step.timeout_s, index)
                                         for s in targets))
        by_name = {s.name: s for s in targets}
        for res in sorted(results, key=lambda r: r.host):
            line = wording.step_ok(res.host, self.turn.lang) if res.ok else TurnTools.host_line(res, self.turn.lang)
            if res.ok and step.kind is StepKind.BACKUP and step.skip_if_recent is not None:
                line = await self.backup_line(index, step.skip_if_recent, by_name[res.host], started) or line
            lines.append(line)
            self.progress(index, res.host, res.outcome.value, line, res.duration_ms)
            if step.kind is StepKind.SMOKE:
                lines += await self.smoke_lines(res, by_name[res.host])
            if not res.ok and failed is None:
                failed = res
        return lines, failed, skipped

    async def backup_line(self, index: int, recent: RecentFile, server: Server, started: float) -> str | None:
        """"✅ backup done (145 MB), stored in: backups/shop-v2.5.0.sql": the newest file where backups go,
        if it was written by this step (an older one is never reported as the new backup)."""
        res = await self.plan(server, (recent.listing_argv(),), SKIP_CHECK_TIMEOUT_S, index, "backup-size")
        found = newest_file(res.stdout) if res.outcome is HostOutcome.OK else None
        if found is None or found.mtime < started - CLOCK_SLACK_S:
            return None
        return wording.backup_made(server.name, found.path, found.size, self.turn.lang)

    async def smoke_lines(self, res: RunResult, server: Server) -> list[str]:
        """What the smoke tests printed (their HTTP codes, e.g. "Homepage: 200 OK (124 ms)") and, when the
        server has a health URL, that URL's answer now."""
        said = [f"   {line.strip()}" for line in res.stdout.splitlines() if line.strip()][-SMOKE_LINES:]
        url = self.health_urls.get(server.name)
        if url and self.http is not None:
            h = await self.http.check(url)
            said.append(wording.smoke_http(server.name, url, h.status, h.ok, h.latency_ms, h.error, self.turn.lang))
        return said

    def rolled_line(self, host: str) -> str:
        return wording.rolled(host, self.version, self.turn.lang)

    def progress(self, index: int, host: str, status: str, text: str, duration_ms: int) -> None:
        self.core.emit(self.turn, Progress(self.turn.cid, action=self.action, host=host, status=status, text=text,
                                           step=index, steps=self.total, duration_ms=duration_ms))

    async def skip_reason(self, index: int, step: RunbookStep, server: Server) -> str | None:
        """Why `step` is skipped on `server` (its condition holds there), or None to run it."""
        lang = self.turn.lang
        if step.skip_if_recent is not None:
            recent = step.skip_if_recent
            res = await self.plan(server, (recent.argv(),), SKIP_CHECK_TIMEOUT_S, index, "skip-check")
            found = res.stdout.strip().splitlines()[:1] if res.outcome is HostOutcome.OK else []
            if found:
                return wording.step_skipped_recent(server.name, found[0], f"{recent.max_age_hours:g} h",
                                                   step.kind is StepKind.BACKUP, lang)
        if step.skip_if:
            res = await self.plan(server, step.skip_argv(self.version, server.name), SKIP_CHECK_TIMEOUT_S,
                                  index, "skip-check")
            if res.ok:
                return wording.step_skipped_condition(server.name, lang)
        return None

    async def plan(self, server: Server, argv: Sequence[Sequence[str]], timeout_s: float, index: int,
                   part: str = "") -> RunResult:
        """Run one command list on one host; record it ("step": "3/4", "3/4 health", "2/4 skip-check")."""
        plan = CommandPlan(tuple(tuple(a) for a in argv), timeout_s=timeout_s)
        label = f"{index}/{self.total}" + (f" {part}" if part else "")
        sent = for_host(plan, become=server.become).render()
        entry = self.core.entry(self.turn, self.action, {**self.intent, "step": label}, Risk.HIGH, True,
                                self.principal)
        rows = await self.core.journal.start(entry, [server], {server.name: sent})  # written ahead
        [res] = [r async for r in self.core.fanout.run_plan(plan, [server], deadline_s=timeout_s + 5)]
        await self.core.journal.finish(entry, rows[server.name], res)
        return res


def _environment(params: Mapping[str, Any]) -> str | None:
    env = params.get("environment")
    return str(env) if env else None
