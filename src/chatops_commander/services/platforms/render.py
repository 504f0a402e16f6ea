"""A chat turn's reply (`TurnReply`) as `Outbound` messages: the text, per-host outputs and a card with signed
buttons (confirm / cancel, approve / reject, numbered choices)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from chatops_commander.domain.chat import wording as chat_wording
from chatops_commander.domain.chat.diagnosis import Option
from chatops_commander.domain.chat.events import ApprovalRequired, ConfirmationRequired, ResultEvent
from chatops_commander.domain.risk import Risk
from chatops_commander.services.chat.turn import TurnReply
from chatops_commander.services.platforms import wording
from chatops_commander.services.platforms.contract import (
    Button,
    ButtonStyle,
    Card,
    CardKind,
    ChatUser,
    HostOutput,
    Outbound,
    Place,
)
from chatops_commander.services.platforms.signing import ButtonSigner, Press

CHOICE_TTL = timedelta(minutes=30)
MAX_CHOICES = 5


def _when(text: str | None, fallback: datetime) -> datetime:
    try:
        return datetime.fromisoformat(text) if text else fallback
    except ValueError:
        return fallback


def user_key(user: ChatUser) -> str:
    return f"{user.platform.value}:{user.user_id}"


def option_digest(option: Option | Mapping[str, Any]) -> str:
    """What a numbered choice's button is bound to: the option it shows (labels, action, targets, parameters).

    A conversation's options change as it goes on (a diagnosis' fixes, then a result's next steps); a button of
    an older card must never run whatever now has its number."""
    data = option.to_json() if isinstance(option, Option) else Option.from_json(option).to_json()
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def risk_label(value: str, lang: str) -> str:
    """A card's risk in the card's language, like the web chat's badge ("MOYEN", "MEDIUM")."""
    try:
        risk = Risk(value)
    except ValueError:
        return value
    return (chat_wording.RISK_FR if lang == "fr" else chat_wording.RISK_EN)[risk]


def host_detail(res: Mapping[str, Any], data: object) -> str:
    """What one host's block shows: a log's lines (what the user asked to see, like the web chat shows them at
    once), else the host's message, else its outcome."""
    parsed = data.get("data") if isinstance(data, Mapping) else None
    lines = parsed.get("lines") if isinstance(parsed, Mapping) else None
    message = data.get("message") if isinstance(data, Mapping) else None
    if isinstance(lines, list) and lines:
        shown = "\n".join(str(line) for line in lines)
        return f"{message}\n{shown}" if message else shown
    return str(message or f"{res.get('outcome', '')} (exit {res.get('exit_code')}, {res.get('duration_ms')} ms)")


class Renderer:
    def __init__(self, signer: ButtonSigner, now: Callable[[], datetime]) -> None:
        self.signer, self.now = signer, now

    def reply(self, reply: TurnReply, place: Place, user: ChatUser, *, approvers: Place | None = None,
              requester_label: str = "", approval_hashes: Mapping[str, str] | None = None) -> list[Outbound]:
        """The reply in `place`; an approval card goes to `approvers` (or `place` when none is configured)."""
        msg = reply.message
        lang = msg.lang if msg else "en"
        text = msg.content if msg else ""
        outputs: list[HostOutput] = []
        card: Card | None = None
        extra: list[Outbound] = []
        for event in reply.events:
            if isinstance(event, ResultEvent):
                for host, res in sorted(event.hosts.items()):
                    if not isinstance(res, Mapping):
                        continue
                    outcome = str(res.get("outcome", ""))
                    data = event.data.get(host) if isinstance(event.data, Mapping) else None
                    outputs.append(HostOutput(host, host_detail(res, data), ok=outcome == "ok"))
            elif isinstance(event, ConfirmationRequired):
                card = self.confirm_card(event, user, lang)
            elif isinstance(event, ApprovalRequired) and event.state == "requested":
                approval_card = self.approval_card(event, user, lang, requester_label or event.requester,
                                                   (approval_hashes or {}).get(event.approval_id, ""))
                target = approvers or place
                extra.append(Outbound(target, text, lang=lang, card=approval_card, mention=None))
        if card is None and msg is not None:
            options = msg.metadata.get("options") or []
            if options and "confirmation" not in msg.metadata:
                card = self.choice_card([Option.from_json(o) for o in options], reply.conversation_id, user, lang)
        main = Outbound(place, text, lang=lang, outputs=tuple(outputs), card=card)
        if extra and extra[0].place == place:  # no approvers' channel: the card goes with the reply
            return [Outbound(place, text, lang=lang, outputs=tuple(outputs), card=extra[0].card)]
        return [main, *extra]

    def confirm_card(self, event: ConfirmationRequired, user: ChatUser, lang: str) -> Card:
        until = _when(event.expires_at, self.now() + timedelta(minutes=5))
        fields: tuple[tuple[str, str], ...] = (
            (wording.label("action", lang), event.action), (wording.label("hosts", lang), ", ".join(event.targets)),
            (wording.label("risk", lang), risk_label(event.risk, lang)
             + (f" ({event.risk_note})" if event.risk_note else "")))
        if event.impact:
            fields += ((wording.label("impact", lang), event.impact),)
        ok, no = (self.signer.issue(press, event.confirmation_id, event.action_hash, user_key(user), until, lang=lang)
                  for press in (Press.CONFIRM, Press.CANCEL))
        return Card(CardKind.CONFIRM, wording.label("confirm_title", lang), fields,
                    (Button(wording.label("confirm", lang), ok, ButtonStyle.DANGER if event.risk != "medium"
                            else ButtonStyle.PRIMARY),
                     Button(wording.label("cancel", lang), no)), until)

    def approval_card(self, event: ApprovalRequired, requester: ChatUser, lang: str, who: str,
                      action_hash: str) -> Card:
        until = _when(event.expires_at, self.now() + timedelta(hours=1))
        fields: tuple[tuple[str, str], ...] = (
            (wording.label("action", lang), event.action), (wording.label("hosts", lang), ", ".join(event.targets)),
            (wording.label("risk", lang), risk_label(event.risk, lang)), (wording.label("requester", lang), who))
        params = ", ".join(f"{k}={v}" for k, v in sorted(event.parameters.items()))
        if params:
            fields += (("Parameters" if lang != "fr" else "Paramètres", params),)
        yes = self.signer.issue(Press.APPROVE, event.approval_id, action_hash, user_key(requester), until, lang=lang)
        no = self.signer.issue(Press.REJECT, event.approval_id, action_hash, user_key(requester), until, lang=lang)
        return Card(CardKind.APPROVE, wording.label("approve_title", lang), fields,
                    (Button(wording.label("approve", lang), yes, ButtonStyle.PRIMARY),
                     Button(wording.label("reject", lang), no, ButtonStyle.DANGER)), until)

    def choice_card(self, options: list[Option], conversation_id: str, user: ChatUser, lang: str) -> Card:
        until = self.now() + CHOICE_TTL
        buttons = tuple(Button(f"{n}. {opt.label(lang)}"[:70],
                               self.signer.issue(Press.CHOOSE, conversation_id, option_digest(opt), user_key(user),
                                                 until, option=n, lang=lang))
                        for n, opt in enumerate(options[:MAX_CHOICES], start=1))
        return Card(CardKind.CHOOSE, wording.label("choose_title", lang), (), buttons, until)
