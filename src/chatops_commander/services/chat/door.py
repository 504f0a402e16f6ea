"""The chat door of the action pipeline: an `ActionRequest` in, the pipeline decides, the door renders.

`Refused` → raised for the turn to word; `NeedsApproval` → an approval request (4-eyes) and its card;
`NeedsConfirmation` → a confirmation card; `Decided` → run and told (`results.ResultRenderer`). Query
actions and runbooks are handlers registered on the pipeline by action id, so a pack adds one without
editing this file; `preparers` complete a request before it is decided (a runbook's hosts, a rollback's
version), so the card shows what will run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.approvals import Approval, ApprovalState
from chatops_commander.domain.chat.diagnosis import Option
from chatops_commander.domain.chat.events import ApprovalRequired
from chatops_commander.domain.chat.runbooks import check_version
from chatops_commander.domain.errors import DomainError, NotFound, PermissionDenied
from chatops_commander.domain.risk import Risk
from chatops_commander.services.actions import (
    ActionPipeline,
    ActionRequest,
    Door,
    NeedsApproval,
    NeedsConfirmation,
    Refused,
)
from chatops_commander.services.chat.approvals import ApprovalDesk, Decided, intent_of, principal_of
from chatops_commander.services.chat.confirming import ConfirmationFlow, understood_both
from chatops_commander.services.chat.results import ResultRenderer
from chatops_commander.services.chat.turn import Turn, TurnTools
from chatops_commander.services.principal import Principal
from chatops_commander.services.tracing import NoopTracer, Tracer

Reply = tuple[str, dict[str, Any]]
Preparer = Callable[[str, Sequence[str], Mapping[str, Any]], Awaitable[tuple[list[str], dict[str, Any]]]]
Precheck = Callable[[Turn, str, Sequence[str], Mapping[str, Any]], Awaitable[Reply | None]]
"""A dialogue before the pipeline decides (a deploy's pre-checks): a reply with numbered choices, or None."""


class ChatDoor:
    def __init__(self, tools: TurnTools, pipeline: ActionPipeline, approvals: ApprovalDesk,
                 renderer: ResultRenderer, *, preparers: Mapping[str, Preparer] | None = None,
                 prechecks: Mapping[str, Precheck] | None = None, tracer: Tracer | None = None) -> None:
        self.tools, self.pipeline, self.approvals, self.renderer = tools, pipeline, approvals, renderer
        self.confirmations = ConfirmationFlow(tools)
        self.preparers = dict(preparers or {})
        self.prechecks = dict(prechecks or {})
        self.tracer = tracer or NoopTracer()

    async def prepared(self, request: ActionRequest) -> ActionRequest:
        prepare = self.preparers.get(request.action)
        if prepare is None:
            return request
        targets, params = await prepare(request.action, request.targets, request.parameters)
        return replace(request, targets=tuple(targets), parameters=params)

    async def request(self, turn: Turn, action: str, targets: Sequence[str], service: str | None,
                      params: dict[str, Any], text: str, parsed_risk: Risk = Risk.LOW,
                      intent: Mapping[str, Any] | None = None, extra: Mapping[str, Any] | None = None) -> Reply:
        """What the user asked in this turn (a parsed sentence, a numbered option), submitted."""
        if action not in self.pipeline.specs:
            raise NotFound(f"Unknown action {action!r}.", message_fr=f"Action inconnue : {action!r}.")
        request = await self.prepared(ActionRequest(
            turn.principal, action, tuple(targets), params, Door(turn.door), door_detail=turn.door_detail,
            service=service, text=text,
            conversation_id=turn.conversation.id, risk_floor=parsed_risk, context=turn, restriction=turn.restriction,
            intent=dict(intent or {"action": action, "targets": sorted(targets), "service": service,
                                   "parameters": params})))
        precheck = self.prechecks.get(action)
        if precheck is not None:
            # May the user deploy at all? Decided first, so that nobody without the right learns anything
            # (`follow_up`: this probe takes no rate-limit token; the request's own decision below does).
            decided = await self.pipeline.decide(replace(request, follow_up=True))
            if isinstance(decided, Refused):
                raise decided.error or PermissionDenied(decided.message_en, message_fr=decided.message_fr)
            asked = await precheck(turn, action, request.targets, request.parameters)
            if asked is not None and not asked[1].get("note"):
                return asked  # a question first
            if asked is not None:  # what the pre-checks found, above the approval request or the card
                text, meta = await self.submit(turn, request, extra)
                return asked[0] + "\n\n" + text, {**meta, "precheck": asked[1]["precheck"]}
        return await self.submit(turn, request, extra)

    async def submit(self, turn: Turn, request: ActionRequest, extra: Mapping[str, Any] | None = None) -> Reply:
        with self.tracer.span("chat.authorize", **{"chatops.action": request.action}) as stage:
            decided = await self.pipeline.decide(request)
            if not isinstance(decided, Refused):
                attrs = {"chatops.action": request.action, "chatops.risk": decided.risk.value,
                         "chatops.targets": len(decided.servers)}
                stage.set(**attrs, **{"chatops.needs_approval": isinstance(decided, NeedsApproval)})
                turn.span.set(**attrs)
        if isinstance(decided, Refused):
            raise decided.error or PermissionDenied(decided.message_en, message_fr=decided.message_fr)
        if isinstance(decided, NeedsApproval):
            return await self.ask_approval(turn, request, decided)
        if isinstance(decided, NeedsConfirmation):
            return await self.confirmations.ask(turn, self.pipeline.specs[request.action], decided.servers,
                                                request.service, dict(request.parameters), decided.risk,
                                                request.text, _with_door_detail(extra, request))
        return await self.renderer.run(turn, decided)

    async def confirm(self, turn: Turn, confirmation_id: str | None, action_hash: str | None) -> Reply:
        redeemed = await self.confirmations.redeem(turn, confirmation_id, action_hash)
        if isinstance(redeemed, ActionRequest):  # roles, rights and servers may have changed: decided again
            return await self.submit(turn, redeemed)
        return redeemed

    async def choose(self, turn: Turn, number: int) -> Reply:
        options = [Option.from_json(o) for o in turn.state.get("options") or []]
        if not options:
            return wording.nothing_pending(turn.lang), {}
        if not 1 <= number <= len(options):
            return wording.option_out_of_range(len(options), turn.lang), {}
        opt = options[number - 1]
        if opt.action is None:  # a choice that runs nothing ("Cancel"): what it says, and the choices end
            said = opt.parameters.get(f"said_{turn.lang}")
            return str(said or opt.label(turn.lang)), {"options": []} if said else {}
        extra: dict[str, Any] = {"option": number}
        if note := opt.risk_note():  # what the diagnosis knows lowers the fix's impact, for its card
            extra["risk_note"] = note
        reply, meta = await self.request(turn, opt.action, opt.targets, opt.service, dict(opt.parameters),
                                         opt.label(turn.lang), extra=extra)
        if not meta.get("options"):  # a pick that offers nothing new keeps the offered ones ("2", then "1")
            meta.pop("options", None)
        return reply, meta

    async def ask_approval(self, turn: Turn, request: ActionRequest, needed: NeedsApproval) -> Reply:
        if "version" in request.parameters:
            check_version(str(request.parameters["version"]))
        approval = await self.approvals.request(turn.principal, turn.cid, turn.lang, request, needed)
        until = approval.expires_at.isoformat() if approval.expires_at else None
        self.tools.emit(turn, ApprovalRequired(
            turn.cid, approval_id=approval.id, action=approval.action, targets=approval.targets,
            parameters=approval.parameters, risk=approval.risk.value, requester=approval.requester,
            expires_at=until))
        said = self.understood(approval)
        what = wording.describe(approval.action, approval.targets, approval.service, approval.parameters, turn.lang)
        text = wording.approval_waiting(what, approval.id, turn.lang, approval.expires_at)
        if approval.parameters.get("backup") in ("run", "skip"):  # the pre-checks' choice, for both sides to see
            text += "\n" + wording.backup_choice(approval.parameters["backup"] == "run", turn.lang)
        return (text + "\n" + wording.understood_line(said[turn.lang], turn.lang),
                {"approval": {"id": approval.id, "state": "requested", "expires_at": until},
                 "understood": said[turn.lang], "understood_i18n": said})

    def understood(self, approval: Approval) -> dict[str, str]:
        spec = self.pipeline.specs.get(approval.action)
        if spec is None:
            return {"en": approval.action, "fr": approval.action}
        return understood_both(spec, approval.targets, approval.service, approval.parameters)

    async def decided(self, approver: Principal, decided: Decided, door: Door) -> tuple[Turn, Reply] | None:
        """Tell the requester's conversation how `approver` decided (from `door`) and, when approved, run exactly
        the approved action through the pipeline, which checks the requester's rights once more. None: the
        conversation or the requester is gone (nothing to tell, nothing run)."""
        done, conv, requester = decided.approval, decided.conversation, decided.requester
        if conv is None or requester is None:
            return None
        owner = principal_of(requester, request_id=approver.request_id)
        turn = Turn(owner, conv, done.lang, dict(conv.context or {}), door=door.value)
        what = wording.describe(done.action, done.targets, done.service, done.parameters, done.lang)
        self.tools.emit(turn, ApprovalRequired(
            turn.cid, approval_id=done.id, action=done.action, targets=done.targets, parameters=done.parameters,
            risk=done.risk.value, requester=done.requester, state=done.state.value,
            expires_at=done.expires_at.isoformat() if done.expires_at else None))
        approved = done.state is ApprovalState.APPROVED
        head = wording.approval_decided(what, approved, approver.actor, done.reason, done.lang)
        state = {"id": done.id, "state": done.state.value, "by": approver.actor, "door": door.value}
        if not approved:
            return turn, (head, {"approval": state})
        request = ActionRequest(owner, done.action, done.targets, dict(done.parameters), door,
                                service=done.service, text=done.text, conversation_id=conv.id, risk_floor=done.risk,
                                confirmed=True, follow_up=True, approval_id=done.id, approved_by=approver.actor,
                                intent={**intent_of(done), "approval_id": done.id, "approved_by": approver.actor,
                                        "decided_from": door.value},
                                context=turn)
        try:
            text, meta = await self.submit(turn, request)
        except DomainError as exc:
            text, meta = exc.localized(turn.lang), {"error": exc.code}
        return turn, (head + "\n\n" + text, {**meta, "approval": state})


def _with_door_detail(extra: Mapping[str, Any] | None, request: ActionRequest) -> Mapping[str, Any] | None:
    """The confirmation remembers who asked, where (a chat platform's user): the confirmed run is audited with it."""
    if not request.door_detail or (extra and "door_detail" in extra):
        return extra
    return {**(extra or {}), "door_detail": request.door_detail}
