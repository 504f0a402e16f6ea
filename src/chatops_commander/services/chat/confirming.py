"""Confirmation cards (single use, 5 minutes, bound to the action): asked, redeemed, cancelled.

`ask` stores the card and says in plain words what was understood; `redeem` checks a "yes" (owner,
conversation, expiry, action hash, single use; an agent's request needs a person) and hands back the
request to submit again — the pipeline then decides once more, since rights may have changed meanwhile,
under the restriction of the place the "yes" comes from (a chat channel's policy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.approvals import Approval
from chatops_commander.domain.chat.confirmations import Confirmation, ConfirmationState, Refusal, Verdict, check
from chatops_commander.domain.chat.events import ConfirmationRequired
from chatops_commander.domain.errors import PermissionDenied
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.servers import Server
from chatops_commander.nlu import messages as nlu_messages
from chatops_commander.services import audit
from chatops_commander.services.actions import ActionRequest, Door
from chatops_commander.services.chat.turn import Turn, TurnTools

Reply = tuple[str, dict[str, Any]]


def understood(spec: ActionSpec, hosts: Sequence[str], service: str | None, params: Mapping[str, Any],
               lang: str) -> str:
    """What the card says was understood, in plain words: action, hosts, environment, version ("restart nginx
    on web-01", "déployer sur web-03 — environnement staging, version 3.1.4"); a pack's action by its summary."""
    text = nlu_messages.understood(spec.id, lang, service=service, hosts=hosts, parameters=params)
    if text.startswith(spec.id):  # an action the wording does not know (a pack's): its own summary
        text = nlu_messages.summary(dict(spec.summary), spec.id, lang) + text[len(spec.id):]
    return text


def understood_both(spec: ActionSpec, hosts: Sequence[str], service: str | None,
                    params: Mapping[str, Any]) -> dict[str, str]:
    return {lang: understood(spec, hosts, service, params, lang) for lang in ("en", "fr")}


def intent_of(conf: Confirmation | Approval) -> dict[str, Any]:
    return {"action": conf.action, "targets": list(conf.targets), "service": conf.service,
            "parameters": dict(conf.parameters), "risk": conf.risk.value}


class ConfirmationFlow:
    def __init__(self, tools: TurnTools) -> None:
        self.tools = tools
        self.uow, self.clock, self.journal = tools.uow, tools.clock, tools.journal

    async def ask(self, turn: Turn, spec: ActionSpec, servers: Sequence[Server], service: str | None,
                  params: dict[str, Any], risk: Risk, text: str, extra: Mapping[str, Any] | None) -> Reply:
        names = [s.name for s in servers]
        conf = Confirmation.create(user_id=str(turn.principal.user_id), conversation_id=turn.cid, action=spec.id,
                                   targets=names, service=service, parameters=params, risk=risk,
                                   now=self.clock.now(), lang=turn.lang, text=text, extra=extra)
        async with self.uow() as uow:
            await uow.confirmations.add(conf)
            await uow.commit()
        said = understood_both(spec, names, service, params)
        # what the diagnosis this fix was chosen from knows that lowers its impact ("web-02 takes over")
        noted = {lang: str(text) for lang, text in dict((extra or {}).get("risk_note") or {}).items()
                 if lang in ("en", "fr") and text}
        risk_note = noted.get(turn.lang, "")
        card = wording.confirmation_card(spec.id, names, service, params, risk, turn.lang, spec.summary,
                                         note=wording.understood_line(said[turn.lang], turn.lang),
                                         risk_note=risk_note)
        self.tools.emit(turn, ConfirmationRequired(
            turn.cid, confirmation_id=conf.id, action=spec.id, targets=tuple(names), service=service,
            parameters=params, risk=risk.value, impact=wording.impact(spec.id, names, service, turn.lang),
            card=card, action_hash=conf.action_hash, expires_at=conf.expires_at.isoformat(), risk_note=risk_note))
        confirmation: dict[str, Any] = {"id": conf.id, "action_hash": conf.action_hash, "risk": risk.value,
                                         "expires_at": conf.expires_at.isoformat()}
        if noted:
            confirmation["risk_note"] = risk_note
            confirmation["risk_note_i18n"] = noted
        return card, {"confirmation": confirmation, "understood": said[turn.lang], "understood_i18n": said}

    async def redeem(self, turn: Turn, confirmation_id: str | None,
                     presented_hash: str | None) -> ActionRequest | Reply:
        """The request a valid "yes" lets through (confirmed), or a reply when nothing waits; raises
        PermissionDenied (recorded) for a forged, foreign, replayed or expired confirmation."""
        now = self.clock.now()
        async with self.uow() as uow:
            conf = (await uow.confirmations.get(confirmation_id) if confirmation_id
                    else await uow.confirmations.latest_pending(turn.conversation.id or UUID(int=0)))
        if conf is None:
            if confirmation_id:
                await self._refused(turn, None, "forged", "unknown confirmation", confirmation_id)
                raise PermissionDenied("I know no such confirmation; I refuse it.",
                                       message_fr="Je ne connais pas cette confirmation ; je la refuse.")
            return wording.nothing_pending(turn.lang), {}
        verdict = check(conf, user_id=str(turn.principal.user_id), conversation_id=turn.cid, now=now,
                        presented_hash=presented_hash)
        if verdict.ok:
            await self._a_person_confirms(turn, conf)
            async with self.uow() as uow:
                won = await uow.confirmations.transition(conf.confirmed(now), expected=ConfirmationState.PENDING)
                await uow.commit()
            if not won:
                verdict = Verdict(False, Refusal.REPLAYED)
        elif verdict.audit_kind == "expired" and conf.state is ConfirmationState.PENDING:
            async with self.uow() as uow:
                await uow.confirmations.transition(conf.expired(now), expected=ConfirmationState.PENDING)
                await uow.commit()
        if not verdict.ok:
            await self._refused(turn, conf, verdict.audit_kind, str(verdict.refusal), conf.id)
            raise PermissionDenied(verdict.reason("en"), message_fr=verdict.reason("fr"))
        return ActionRequest(
            turn.principal, conf.action, conf.targets, dict(conf.parameters), Door(conf.extra.get("door") or turn.door),
            door_detail=str(conf.extra.get("door_detail") or ""), service=conf.service,
            text=conf.text, conversation_id=turn.conversation.id, risk_floor=conf.risk, confirmed=True,
            follow_up=True, intent=intent_of(conf), context=turn, restriction=turn.restriction)

    async def cancel(self, turn: Turn) -> Reply:
        now = self.clock.now()
        async with self.uow() as uow:
            conf = await uow.confirmations.latest_pending(turn.conversation.id or UUID(int=0))
            if conf is None or conf.user_id != str(turn.principal.user_id):
                return wording.nothing_pending(turn.lang), {}
            await uow.confirmations.transition(conf.cancelled(now), expected=ConfirmationState.PENDING)
            await uow.commit()
        what = wording.describe(conf.action, conf.targets, conf.service, conf.parameters, turn.lang)
        return wording.cancelled(what, turn.lang), {"cancelled": conf.id, "options": []}

    async def _a_person_confirms(self, turn: Turn, conf: Confirmation) -> None:
        """An agent's request (MCP) is confirmed by a person logged in, never by a token the agent may hold."""
        if conf.extra.get("door") != Door.MCP.value or turn.principal.interactive:
            return
        await audit.record_alone(self.uow, turn.principal, AuditAction.AUTHORIZATION_DENIED, AuditOutcome.DENIED,
                                 target=",".join(conf.targets), details={
                                     "action": conf.action, "reason": "agent_request_needs_a_person",
                                     "confirmation": conf.id[:12], "door": turn.door})
        raise PermissionDenied(
            "An AI agent asked for this action: a person confirms it, logged in to the web UI (or the REST API with "
            "a password login), not with an API token.",
            message_fr="Un agent d'IA a demandé cette action : une personne la confirme, connectée à l'interface web "
                       "(ou à l'API REST avec une connexion par mot de passe), pas avec un jeton d'API.")

    async def _refused(self, turn: Turn, conf: Confirmation | None, kind: str, reason: str, token: str) -> None:
        action = {"replayed": AuditAction.CONFIRMATION_REPLAYED, "expired": AuditAction.CONFIRMATION_EXPIRED}.get(
            kind, AuditAction.CONFIRMATION_FORGED)
        entry = self.tools.entry(turn, conf.action if conf else "confirm",
                                 intent_of(conf) if conf else {"confirmation": token[:12]},
                                 conf.risk if conf else Risk.LOW, False)
        await self.journal.refused(entry, [], command=conf.action if conf else "confirm", reason=reason,
                                   outcome=f"refused:{reason}", event=action,
                                   details={"confirmation": token[:12], "reason": reason, "conversation_id": turn.cid,
                                            "action": conf.action if conf else None},
                                   target=",".join(conf.targets) if conf else None)
