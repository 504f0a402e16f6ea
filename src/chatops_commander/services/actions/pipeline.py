"""One action pipeline for every door: `submit(ActionRequest) → Ran | NeedsConfirmation | NeedsApproval | Refused`.

resolve (action, servers) → risk → authorize (role + per-server rows; refusals recorded) → the
place's restriction (a chat channel's policy: action, risk, the servers' tags; refusals recorded) → rate
limit (once per request, not again for its confirmation) → approval needed? → confirmation
needed? → run: a query handler registered for the action id (fleet health, diagnosis, alerts,
history, deploys…, so a pack can add one without touching this file), or the action's skill on
the hosts, written ahead through the `CommandJournal`.

The pipeline decides and runs; doors render. It raises nothing for a refusal: every refusal is
data (`Refused`, with the domain error for doors that map it to a status).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.errors import DomainError, NotFound, PermissionDenied
from chatops_commander.domain.execution import HostOutcome, RunResult, for_host
from chatops_commander.domain.risk import Risk, effective_risk
from chatops_commander.domain.security import channel_policy
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.servers import Server
from chatops_commander.services import access, audit
from chatops_commander.services import servers as server_service
from chatops_commander.services.actions.journal import CommandJournal, Entry
from chatops_commander.services.actions.request import (
    ActionRequest,
    NeedsApproval,
    NeedsConfirmation,
    Outcome,
    Ran,
    Refused,
)
from chatops_commander.services.execution import FanOut, Prepared
from chatops_commander.services.principal import Principal
from chatops_commander.skills.base import UnsupportedPlatform
from chatops_commander.skills.shell_risk import classify

if TYPE_CHECKING:  # the chat package imports this one: its ports only for annotations
    from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory

RateHook = Callable[[Principal], Awaitable[None]]
OnResult = Callable[[RunResult], None]
FLUSH_EVERY = 50  # finished hosts closed per transaction


@dataclass(frozen=True)
class Decided:
    """An allowed request, ready to run."""

    request: ActionRequest
    spec: ActionSpec
    servers: tuple[Server, ...]
    risk: Risk


QueryHandler = Callable[[Decided], Awaitable[Any]]


class ActionPipeline:
    def __init__(self, uow: ChatUnitOfWorkFactory, fanout: FanOut, specs: Mapping[str, ActionSpec], *,
                 journal: CommandJournal, rate_hook: RateHook | None = None, deadline_s: float = 300.0) -> None:
        self.uow, self.fanout, self.specs, self.journal = uow, fanout, dict(specs), journal
        self.rate_hook, self.deadline_s = rate_hook, deadline_s
        self.handlers: dict[str, QueryHandler] = {}

    def handle(self, action: str, handler: QueryHandler) -> None:
        """Register what runs `action` instead of a skill on hosts (a query, a runbook)."""
        self.handlers[action] = handler

    # ------------------------------------------------------------------ deciding

    async def decide(self, req: ActionRequest) -> Decided | NeedsConfirmation | NeedsApproval | Refused:
        spec = self.specs.get(req.action)
        if spec is None:
            return Refused.of(NotFound(f"Unknown action {req.action!r}.",
                                       message_fr=f"Action inconnue : {req.action!r}."))
        if spec.id not in self.handlers:
            try:  # bad parameters are refused before anything is asked or touched
                self.fanout.prepare(spec.id, self.raw_params(spec.id, req.service, req.parameters))
            except DomainError as exc:
                return Refused.of(exc)
        try:
            servers = tuple(await self.servers_named(req.targets))
        except NotFound as exc:
            return Refused.of(exc)
        risk = Risk.highest([req.risk_floor, effective_risk(self._base_risk(spec, req.parameters), len(servers))])
        if req.approval_id is not None:  # carried out for someone else: as they are now, not as they asked
            current = await self._requester_now(req)
            if isinstance(current, Refused):
                await self.journal.refused(self._entry(req, risk), servers, command=req.text or req.action,
                                           reason=current.message_en)
                return current
            req = dataclasses.replace(req, principal=current)
        try:
            decision = await access.authorize_on_servers(
                self.uow, req.principal, servers, permission=spec.permission, risk=risk, action_id=spec.id,
                approval_for_operators=spec.approval_for_operators)
        except DomainError as exc:
            await self.journal.refused(self._entry(req, risk), servers, command=req.text or req.action,
                                       reason=exc.localized("en"))
            return Refused.of(exc)
        if req.restriction is not None:
            outside = await self._outside_restriction(req, servers, risk)
            if outside is not None:
                return outside
        if self.rate_hook is not None and not spec.is_read_only and not req.follow_up:
            try:
                await self.rate_hook(req.principal)
            except DomainError as exc:
                return Refused.of(exc)
        if decision.needs_approval and req.approval_id is None:
            return NeedsApproval(spec.id, risk, servers, dict(req.parameters))
        if risk.requires_confirmation and not req.confirmed:
            return NeedsConfirmation(spec.id, risk, servers, dict(req.parameters))
        return Decided(req, spec, servers, risk)

    async def _outside_restriction(self, req: ActionRequest, servers: tuple[Server, ...],
                                   risk: Risk) -> Refused | None:
        """The place's policy on what was resolved (action, risk, the target servers' tags), right after the
        account's rights: a refusal is audited (AUTHORIZATION_DENIED, reason `channel_policy`, the door and the
        channel) and recorded like any refused command; nothing is asked, requested or run."""
        assert req.restriction is not None
        why = req.restriction.refusal(req.action, risk, servers)
        if why is None:
            return None
        targets = ",".join(sorted(s.name for s in servers)) or None
        details: dict[str, Any] = {"action": req.action, "reason": channel_policy.REASON, "door": req.door.value,
                                   "channel": req.restriction.channel, "outside": why.outside.value,
                                   "risk": risk.value}
        if why.servers:
            details["servers"] = list(why.servers)
        if req.door_detail:
            details["door_detail"] = req.door_detail
        if req.principal.extra.get("chat_user"):
            details["chat_user"] = req.principal.extra["chat_user"]
        await audit.record_alone(self.uow, req.principal, AuditAction.AUTHORIZATION_DENIED, AuditOutcome.DENIED,
                                 target=targets, details=details)
        await self.journal.refused(self._entry(req, risk), servers, command=req.text or req.action,
                                   reason=why.message_en)
        return Refused.of(why.error())

    async def _requester_now(self, req: ActionRequest) -> Principal | Refused:
        if req.principal.user_id is None:
            return req.principal
        async with self.uow() as uow:
            user = await uow.users.get(req.principal.user_id)
        if user is None or not user.is_active:
            return Refused.of(PermissionDenied(
                f"{req.principal.actor}'s account is disabled: the approved request is not carried out.",
                message_fr=f"Le compte de {req.principal.actor} est désactivé : la demande approuvée n'est pas "
                           f"exécutée."))
        return dataclasses.replace(req.principal, role=user.role)

    @staticmethod
    def _base_risk(spec: ActionSpec, params: Mapping[str, Any]) -> Risk:
        command = params.get("command")
        if spec.id == "shell.run" and isinstance(command, str):
            return classify(command).risk
        return spec.risk

    async def servers_named(self, names: tuple[str, ...] | list[str]) -> list[Server]:
        return await server_service.servers_named(self.uow, names)

    # ------------------------------------------------------------------ running

    async def submit(self, req: ActionRequest, *, on_result: OnResult | None = None) -> Outcome:
        decided = await self.decide(req)
        if not isinstance(decided, Decided):
            return decided
        return await self.run(decided, on_result=on_result)

    async def run(self, decided: Decided, *, on_result: OnResult | None = None) -> Ran | Refused:
        handler = self.handlers.get(decided.spec.id)
        if handler is not None:
            try:
                reply = await handler(decided)
            except DomainError as exc:
                return Refused.of(exc)
            return Ran(decided.spec.id, decided.risk, decided.servers, (), reply=reply)
        return await self.run_on_hosts(decided, on_result=on_result)

    def raw_params(self, action: str, service: str | None, params: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters the action's skill takes (the parser may add others), the service among them."""
        skill = self.fanout.registry.get(action)
        fields = skill.params_model.model_fields if skill is not None else {}
        raw = {k: v for k, v in params.items() if k in fields}
        if service and "service" in fields:
            raw["service"] = service
        return raw

    async def run_on_hosts(self, decided: Decided, *, on_result: OnResult | None = None) -> Ran | Refused:
        req, servers = decided.request, decided.servers
        raw = self.raw_params(req.action, req.service, req.parameters)
        try:
            prepared = self.fanout.prepare(req.action, raw)  # ValidationFailed before any host is touched
        except DomainError as exc:
            return Refused.of(exc)
        entry = self._entry(req, decided.risk)
        by_name = {s.name: s for s in servers}
        commands = {s.name: self.planned_text(prepared, s) for s in servers}
        rows = await self.journal.start(entry, servers, commands)  # written ahead: nothing is sent before this
        results: list[RunResult] = []
        done: list[RunResult] = []

        async def flush() -> None:
            sent = [(rows[r.host], r, await self.sent_text(prepared, by_name[r.host], r)) for r in done]
            commands.update({res.host: text for _, res, text in sent if text})
            await self.journal.finish_many(entry, sent)
            done.clear()

        try:
            async for res in self.fanout.stream_prepared(prepared, servers, deadline_s=self.deadline_s):
                results.append(res)
                done.append(res)
                if on_result is not None:
                    on_result(res)
                if len(done) >= FLUSH_EVERY:
                    await flush()
            await flush()
        except BaseException:  # stopped mid-run (Ctrl-C, a shutdown, a cancelled turn): record what is known
            answered = {r.host for r in results}
            with contextlib.suppress(Exception):
                await flush()
                await self.journal.interrupted(entry, [row for host, row in rows.items() if host not in answered])
            raise
        return Ran(req.action, decided.risk, servers, tuple(sorted(results, key=lambda r: r.host)), commands)

    @staticmethod
    def planned_text(prepared: Prepared, server: Server) -> str:
        """What the row says before the run: the exact line, or (when it depends on the host's service
        manager, not probed yet) the action and its parameters."""
        skill, params = prepared.skill, prepared.params
        if not skill.needs_platform:
            try:
                return for_host(skill.plan(params), become=server.become).render()
            except UnsupportedPlatform:
                pass
        return f"{skill.spec.id} {params.model_dump_json()}"

    async def sent_text(self, prepared: Prepared, server: Server, result: RunResult) -> str | None:
        """The exact line sent, once the host answered (its service manager is then known and cached)."""
        skill, params = prepared.skill, prepared.params
        if not skill.needs_platform or result.outcome not in (HostOutcome.OK, HostOutcome.FAILED):
            return None
        try:
            platform = await self.fanout.platform(server)
            return for_host(skill.plan(params, platform), become=server.become).render()
        except UnsupportedPlatform:  # the row keeps the action and its parameters
            return None

    @staticmethod
    def _entry(req: ActionRequest, risk: Risk) -> Entry:
        return Entry(principal=req.principal, action=req.action, risk=risk, confirmed=req.confirmed,
                     door=req.door.value, intent=req.parsed_intent(risk), conversation_id=req.conversation_id,
                     door_detail=req.door_detail)
