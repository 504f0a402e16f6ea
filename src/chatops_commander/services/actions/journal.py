"""The one writer of `commands` rows and of the command audit events (COMMAND_STARTED / _EXECUTED / _REFUSED).

Write-ahead: `start()` commits one `running` row per host and a COMMAND_STARTED event *before*
anything is sent; `finish()` closes the row (succeeded | failed | timed_out) with the output and
appends COMMAND_EXECUTED. A server killed in between leaves `running` rows, which the start-up
sweep (`recovery.sweep_interrupted`) turns into `interrupted`. Every door writes the same
fields and the same audit details (`details()`), so a CLI run and a chat run read alike in
`chatops history` and `GET /api/v1/commands`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from chatops_commander.domain.chat.records import CommandRecord, CommandState
from chatops_commander.domain.errors import RateLimited
from chatops_commander.domain.execution import RunResult
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.servers import Server
from chatops_commander.services import audit
from chatops_commander.services.ports import Clock
from chatops_commander.services.principal import Principal

if TYPE_CHECKING:  # the chat package imports this one: its ports only for annotations
    from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory

OUTPUT_KEEP = 8000  # characters of output kept per commands row


@dataclass(frozen=True)
class Entry:
    """What is known of a command before it is sent (the same for every host of one run)."""

    principal: Principal
    action: str
    risk: Risk
    confirmed: bool
    door: str
    intent: Mapping[str, Any]
    conversation_id: UUID | None = None
    door_detail: str = ""


def details(entry: Entry, row: CommandRecord) -> dict[str, Any]:
    """The audit details of one command on one host: one schema for every door."""
    return {"commandId": str(row.id) if row.id else None, "command": row.command, "action": entry.action,
            "parameters": dict(entry.intent.get("parameters") or {}), "serverId": str(row.server_id)
            if row.server_id else None, "serverName": row.server_name, "riskLevel": entry.risk.value.upper(),
            "confirmed": entry.confirmed, "door": entry.door, "doorDetail": entry.door_detail or None,
            "conversation_id": str(entry.conversation_id) if entry.conversation_id else None}


class CommandJournal:
    def __init__(self, uow: ChatUnitOfWorkFactory, *, clock: Clock,
                 on_command: Callable[[str, str], None] | None = None) -> None:
        self.uow, self.clock = uow, clock
        self.on_command = on_command  # (action, outcome), e.g. for /metrics

    async def start(self, entry: Entry, servers: Sequence[Server],
                    commands: Mapping[str, str] | None = None) -> dict[str, CommandRecord]:
        """Commit one `running` row per server and its COMMAND_STARTED event; host name → row."""
        now = self.clock.now()
        async with self.uow() as uow:
            placed = await uow.commands.add_many([CommandRecord(
                command=(commands or {}).get(server.name, entry.action), action=entry.action,
                actor=entry.principal.actor, user_id=entry.principal.user_id, server_id=server.id,
                server_name=server.name, conversation_id=entry.conversation_id, parsed_intent=dict(entry.intent),
                risk_level=entry.risk.value, confirmed=entry.confirmed, state=CommandState.RUNNING.value,
                door=entry.door, executed_at=now) for server in servers])
            await audit.record_many(uow, entry.principal, [
                (AuditAction.COMMAND_STARTED, AuditOutcome.SUCCESS, row.server_name, details(entry, row))
                for row in placed])
            await uow.commit()
        return {row.server_name or "": row for row in placed}

    async def finish(self, entry: Entry, row: CommandRecord, result: RunResult, command: str | None = None) -> None:
        """Close a row with its result and append COMMAND_EXECUTED."""
        await self.finish_many(entry, [(row, result, command)])

    async def finish_many(self, entry: Entry,
                          done: Sequence[tuple[CommandRecord, RunResult, str | None]]) -> None:
        """Close rows with their results and append their COMMAND_EXECUTED events, in one transaction."""
        if not done:
            return
        now = self.clock.now()
        closed = [dataclasses.replace(
            row, command=command or row.command, exit_code=result.exit_code, outcome=result.outcome.value,
            output=(result.stdout + (("\n" + result.stderr) if result.stderr else ""))[-OUTPUT_KEEP:] or result.message,
            state=CommandState.of_outcome(result.outcome.value).value, duration_ms=result.duration_ms,
            finished_at=now) for row, result, command in done]
        async with self.uow() as uow:
            await uow.commands.finish_many(closed)
            await audit.record_many(uow, entry.principal, [
                (AuditAction.COMMAND_EXECUTED, AuditOutcome.SUCCESS if result.ok else AuditOutcome.FAILURE,
                 result.host, {**details(entry, row), "success": result.ok, "outcome": result.outcome.value,
                               "exitCode": result.exit_code, "duration": result.duration_ms})
                for row, (_, result, _) in zip(closed, done, strict=True)])
            await uow.commit()
        if self.on_command is not None:
            for _, result, _ in done:
                self.on_command(entry.action, result.outcome.value)

    async def interrupted(self, entry: Entry, rows: Sequence[CommandRecord]) -> None:
        """Rows of a run stopped before these hosts answered: `interrupted`, with COMMAND_INTERRUPTED."""
        if not rows:
            return
        now = self.clock.now()
        closed = [dataclasses.replace(row, state=CommandState.INTERRUPTED.value, outcome="interrupted",
                                      output="interrupted: the run was stopped before this host answered",
                                      finished_at=now) for row in rows]
        async with self.uow() as uow:
            await uow.commands.finish_many(closed)
            await audit.record_many(uow, entry.principal, [
                (AuditAction.COMMAND_INTERRUPTED, AuditOutcome.FAILURE, row.server_name, details(entry, row))
                for row in closed])
            await uow.commit()

    async def record(self, entry: Entry, servers: Sequence[Server], results: Sequence[RunResult],
                     commands: Mapping[str, str] | None = None) -> None:
        """Results obtained without a row written ahead (read-only checks inside a query)."""
        by_name = {s.name: s for s in servers}
        known = [by_name.get(r.host) or Server(r.host, r.host, "") for r in results]
        rows = await self.start(entry, known, commands)
        await self.finish_many(entry, [(rows[r.host], r, (commands or {}).get(r.host)) for r in results])

    async def refused(self, entry: Entry, servers: Sequence[Server], *, command: str, reason: str,
                      outcome: str = "refused", event: AuditAction = AuditAction.COMMAND_REFUSED,
                      details: Mapping[str, Any] | None = None, target: str | None = None) -> None:
        """A refusal: one `refused` row per server (or one without a server) and its audit event
        (COMMAND_REFUSED, or what refused it: a replayed, expired or forged confirmation)."""
        async with self.uow() as uow:
            targets: list[Server | None] = [*servers] or [None]
            for server in targets:
                await uow.commands.add(CommandRecord(
                    command=command or entry.action, action=entry.action, actor=entry.principal.actor,
                    user_id=entry.principal.user_id, server_id=server.id if server else None,
                    server_name=server.name if server else None, conversation_id=entry.conversation_id,
                    parsed_intent=dict(entry.intent), output=reason, outcome=outcome, risk_level=entry.risk.value,
                    confirmed=entry.confirmed, state=CommandState.REFUSED.value, door=entry.door,
                    executed_at=self.clock.now(), finished_at=self.clock.now()))
            await audit.record(uow, entry.principal, event, AuditOutcome.DENIED,
                               target=target or ",".join(s.name for s in servers) or None,
                               details=details or {"action": entry.action, "reason": reason,
                                                   "riskLevel": entry.risk.value.upper(), "door": entry.door,
                                                   "conversation_id": str(entry.conversation_id)
                                                   if entry.conversation_id else None})
            await uow.commit()


class JournalRateLimit:
    """The command rate limit counted from the journal, for doors that live one process per request (the
    CLI): an in-memory counter would start from zero every time. `amount` runs per `period_s`."""

    def __init__(self, uow: ChatUnitOfWorkFactory, *, clock: Clock, door: str, amount: int, period_s: float) -> None:
        self.uow, self.clock, self.door, self.amount, self.period_s = uow, clock, door, amount, period_s

    async def __call__(self, principal: Principal) -> None:
        now = self.clock.now()
        async with self.uow() as uow:
            runs = await uow.commands.runs_since(principal.actor, self.door, now - timedelta(seconds=self.period_s))
        if runs < self.amount:
            return
        wait = max(1, int(self.period_s))
        await audit.record_alone(self.uow, principal, AuditAction.RATE_LIMITED, AuditOutcome.DENIED,
                                 details={"bucket": "commands", "door": self.door, "retry_after": wait})
        raise RateLimited(f"Slow down: too many commands ({self.amount} per {self.period_s:g} s). Try again later.",
                          message_fr=f"Ralentissez : trop de commandes ({self.amount} par {self.period_s:g} s). "
                                     f"Réessayez plus tard.", retry_after=wait)
