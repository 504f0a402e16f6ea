"""The platform door: every chat platform's adapter hands it `Inbound` messages and `ButtonPress`es.

A chat user runs nothing until linked to a product account; then the turn is the chat service's
(`ChatService.handle_message` / `decide_approval`: one engine, one pipeline) with door = the platform
and the account's role and per-server rights, in one conversation per (platform, workspace, channel,
thread) and account. The channel's policy (allowed actions, server tags, highest risk) goes into the turn
as a `ChannelRestriction`: the action pipeline checks it on what it really resolved (a sentence, a "yes",
a numbered choice, a runbook's hosts), next to the account's rights, and again on a confirmation; the door
itself only reads the text for `help` (what this user may run in this channel). Buttons carry signed,
single-use, expiring payloads bound to the card and the chat user. Every chat user is rate limited.
"""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from uuid import UUID

from chatops_commander.domain.chat import wording as chat_wording
from chatops_commander.domain.chat.events import ApprovalRequired
from chatops_commander.domain.chat.records import Conversation
from chatops_commander.domain.errors import DomainError, NotFound
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.security import authorization
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.users import User
from chatops_commander.nlu import ConversationContext
from chatops_commander.services import audit
from chatops_commander.services.actions import Door
from chatops_commander.services.chat import ChatService
from chatops_commander.services.chat.turn import TurnReply
from chatops_commander.services.platforms import wording
from chatops_commander.services.platforms.contract import ButtonPress, ChatUser, Inbound, Outbound, Place, Platform
from chatops_commander.services.platforms.ports import PlatformStore
from chatops_commander.services.platforms.records import ChannelPolicy, ChatIdentity, LinkRequest, conversation_key
from chatops_commander.services.platforms.render import Renderer, option_digest, user_key
from chatops_commander.services.platforms.signing import ButtonClaim, ButtonRefused, ButtonSigner, Press
from chatops_commander.services.ports import Clock
from chatops_commander.services.principal import AuthMethod, Principal

RateCheck = Callable[[str], Awaitable[int]]  # chat user key → seconds to wait (0: go on)
LINK_TTL = timedelta(minutes=10)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def principal_for(user: User, identity: ChatIdentity, place: Place) -> Principal:
    """The linked account acting from a chat platform. `request_id` names the chat user (every audit event of the
    turn carries it); the door of the `commands` rows is the platform."""
    return Principal(user_id=user.id, email=user.email, role=user.role, auth_method=AuthMethod.CHAT,
                     language=user.language,
                     request_id=f"{identity.platform.value}:{place.workspace or identity.workspace}:{identity.user_id}",
                     extra={"platform": identity.platform.value, "chat_user": identity.user_id})


class PlatformDoorService:
    """Implements `contract.PlatformDoor` once for every platform."""

    def __init__(self, chat: ChatService, store: PlatformStore, signer: ButtonSigner, *, clock: Clock,
                 link_url: Callable[[str], str], rate: RateCheck | None = None,
                 approvers: Mapping[Platform, Place] | None = None, link_ttl: timedelta = LINK_TTL) -> None:
        self.chat, self.store, self.signer, self.clock = chat, store, signer, clock
        self.uow = chat.uow
        self.link_url, self.rate, self.link_ttl = link_url, rate, link_ttl
        self.approvers = dict(approvers or {})
        self.render = Renderer(signer, clock.now)

    # ------------------------------------------------------------------ messages

    async def on_message(self, message: Inbound) -> Sequence[Outbound]:
        place, who, text = message.place, message.user, message.text.strip()
        identity = await self.store.identity(who.platform, who.user_id)
        lang = wording.guess_lang(text)
        slowed = await self._slow_down(place, who, lang)
        if slowed is not None:
            return [slowed]
        if wording.LINK_WORDS.match(text):
            return [await self._offer_link(place, who, identity, lang)]
        if identity is None:
            return [Outbound(place, wording.unlinked(lang), lang=lang)]
        account = await self._account(identity)
        if account is None:
            return [Outbound(place, wording.account_disabled(lang), lang=lang)]
        principal = principal_for(account, identity, place)
        conversation = await self._conversation(principal, place)
        policy = await self.store.policy(place.platform, place.channel_id)
        helped = await self._help(principal, place, conversation, policy, text)
        if helped is not None:
            return [helped]
        assert conversation.id is not None
        reply = await self._turn(principal, place, conversation.id, text, policy=policy)
        return await self._render(reply, place, who, principal)

    async def _slow_down(self, place: Place, who: ChatUser, lang: str) -> Outbound | None:
        """The chat user's rate limit (messages and button presses alike), audited when hit."""
        if self.rate is None:
            return None
        wait = await self.rate(f"chat:{who.platform.value}:{place.workspace}:{who.user_id}")
        if not wait:
            return None
        await audit.record_alone(self.uow, None, AuditAction.RATE_LIMITED, AuditOutcome.DENIED, actor=user_key(who),
                                 details={"bucket": "chat", "retry_after": wait, "door": who.platform.value})
        return Outbound(place, wording.slow_down(wait, lang), lang=lang, to=None if place.direct else who)

    async def _offer_link(self, place: Place, who: ChatUser, identity: ChatIdentity | None, lang: str) -> Outbound:
        """The one-time link is shown to the asker only (never in a channel where others could open it)."""
        private = None if place.direct else who
        if identity is not None:
            account = await self._account(identity)
            if account is not None:
                return Outbound(place, wording.already_linked(account.email, lang), lang=lang, to=private)
        token = secrets.token_urlsafe(24)
        await self.store.add_link_request(LinkRequest(
            hash_token(token), who.platform, who.user_id, place.workspace, who.display_name,
            self.clock.now() + self.link_ttl))
        return Outbound(place, wording.link_offer(self.link_url(token), int(self.link_ttl.total_seconds() // 60), lang),
                        lang=lang, to=private)

    async def _account(self, identity: ChatIdentity) -> User | None:
        async with self.uow() as uow:
            user: User | None = await uow.users.get(identity.account_id)
        return user if user is not None and user.is_active else None

    async def _conversation(self, principal: Principal, place: Place) -> Conversation:
        assert principal.user_id is not None
        key = conversation_key(place, principal.user_id)
        found = await self.store.conversation(key)
        if found is not None:
            try:
                return await self.chat.get_conversation(principal, found)
            except NotFound:  # deleted in the web UI: a new one
                pass
        title = f"{place.platform.value.capitalize()} · {'DM' if place.direct else place.channel_id}"
        conv = await self.chat.create_conversation(principal, title)
        assert conv.id is not None
        await self.store.remember_conversation(key, principal.user_id, conv.id)
        return conv

    async def _turn(self, principal: Principal, place: Place, conversation: UUID, text: str, *,
                    policy: ChannelPolicy | None, confirmation_id: str | None = None,
                    action_hash: str | None = None) -> TurnReply:
        """The chat engine's turn under the channel's policy: the pipeline refuses (audited) any action outside
        it, on what it resolved — whichever way the action was reached."""
        return await self.chat.handle_message(principal, conversation, text, confirmation_id=confirmation_id,
                                              action_hash=action_hash, door=Door(place.platform.value),
                                              door_detail=principal.request_id or "",
                                              restriction=policy.restriction() if policy is not None else None)

    async def _render(self, reply: TurnReply, place: Place, who: ChatUser, principal: Principal) -> list[Outbound]:
        hashes: dict[str, str] = {}
        for event in reply.events:
            if isinstance(event, ApprovalRequired) and event.state == "requested":
                async with self.uow() as uow:
                    approval = await uow.approvals.get(event.approval_id)
                if approval is not None:
                    hashes[approval.id] = approval.action_hash
        return self.render.reply(reply, place, who, approvers=self.approvers.get(place.platform),
                                 requester_label=f"{who.display_name or who.user_id} ({principal.email})",
                                 approval_hashes=hashes)

    # ------------------------------------------------------------------ help

    async def _help(self, principal: Principal, place: Place, conv: Conversation, policy: ChannelPolicy | None,
                    text: str) -> Outbound | None:
        """For a request for help, what this user may run in this channel; None for anything else (the turn,
        where the pipeline enforces the channel's policy). The text is read here only when it looks like help."""
        if not wording.HELP_WORDS.search(text):
            return None
        parser = await self.chat.parsers.for_principal(principal)
        ctx = ConversationContext.from_dict(dict((conv.context or {}).get("nlu") or {}))
        parsed = parser.parse(text, ctx)
        if parsed.action != "chat.help":
            return None
        lang = parsed.lang if parsed.lang in ("en", "fr") and sum(c.isalpha() for c in text) >= 3 \
            else (ctx.lang or principal.language)
        return Outbound(place, self.help_text(principal, policy, lang), lang=lang)

    def help_text(self, principal: Principal, policy: ChannelPolicy | None, lang: str) -> str:
        lines = []
        restriction = policy.restriction() if policy is not None else None
        for spec in sorted(self.chat.specs.values(), key=lambda s: s.id):
            if spec.id.startswith("chat."):
                continue
            decision = authorization.authorize(principal.role, spec.permission, spec.risk, None,
                                               targets_server=False, action_id=spec.id,
                                               approval_for_operators=spec.approval_for_operators)
            if not decision.allowed:
                continue
            if restriction is not None and not (restriction.allows_action(spec.id)
                                                and restriction.allows_risk(spec.risk)):
                continue
            summary = spec.summary.get(lang) or spec.summary.get("en") or spec.id
            lines.append(f"• `{spec.id}` — {summary}" + (f" ({spec.risk.value})" if spec.risk is not Risk.LOW else ""))
        text = wording.help_for(lines, policy is not None, lang)
        return chat_wording.help_text(lang) + "\n\n" + text

    # ------------------------------------------------------------------ buttons

    async def on_button(self, press: ButtonPress) -> Sequence[Outbound]:
        place, who = press.place, press.user
        identity = await self.store.identity(who.platform, who.user_id)
        lang = "en"
        account = await self._account(identity) if identity is not None else None
        if account is not None:
            lang = account.language
        slowed = await self._slow_down(place, who, lang)
        if slowed is not None:
            return [slowed]
        try:
            claim = self.signer.verify(press.payload, self.clock.now())
        except ButtonRefused as exc:
            return [await self._refuse_button(place, who, exc.code, lang, None)]
        if identity is None or account is None:
            return [Outbound(place, wording.unlinked(lang), lang=lang)]
        principal = principal_for(account, identity, place)
        mine = claim.chat_user == user_key(who)
        if mine and claim.lang in ("en", "fr"):  # the card's owner is answered in the card's language
            lang = claim.lang
        if claim.press in (Press.CONFIRM, Press.CANCEL, Press.CHOOSE) and not mine:
            return [await self._refuse_button(place, who, "not_yours", lang, principal)]
        if claim.press in (Press.APPROVE, Press.REJECT) and mine:
            return [await self._refuse_button(place, who, "own_request", lang, principal)]
        if not await self.store.use_nonce(claim.nonce, claim.expires_at, self.clock.now()):
            return [await self._refuse_button(place, who, "replayed", lang, principal)]
        if claim.press in (Press.APPROVE, Press.REJECT):
            return await self._decide(principal, place, claim, lang)
        return await self._answer_card(principal, place, who, claim, lang)

    async def _refuse_button(self, place: Place, who: ChatUser, code: str, lang: str,
                             principal: Principal | None) -> Outbound:
        action = {"replayed": AuditAction.CONFIRMATION_REPLAYED, "expired": AuditAction.CONFIRMATION_EXPIRED,
                  "stale": AuditAction.CONFIRMATION_EXPIRED,
                  "forged": AuditAction.CONFIRMATION_FORGED, "malformed": AuditAction.CONFIRMATION_FORGED}.get(
            code, AuditAction.AUTHORIZATION_DENIED)
        await audit.record_alone(self.uow, principal, action, AuditOutcome.DENIED, actor=None if principal
                                 else user_key(who), details={"reason": f"button_{code}", "door": who.platform.value,
                                                              "chat_user": who.user_id, "channel": place.channel_id})
        return Outbound(place, wording.button_refused(code, lang), lang=lang)

    async def _answer_card(self, principal: Principal, place: Place, who: ChatUser, claim: ButtonClaim,
                           lang: str) -> list[Outbound]:
        policy = await self.store.policy(place.platform, place.channel_id)
        if claim.press is Press.CHOOSE:
            conversation = UUID(claim.ref)
            conv = await self.chat.get_conversation(principal, conversation)
            number = self._current_number(conv, claim)
            if number is None:  # the conversation moved on: that number now means something else, or nothing
                return [await self._refuse_button(place, who, "stale", lang, principal)]
            reply = await self._turn(principal, place, conversation, str(number), policy=policy)
            return await self._render(reply, place, who, principal)
        async with self.uow() as uow:
            conf = await uow.confirmations.get(claim.ref)
        if conf is None:
            return [await self._refuse_button(place, who, "forged", lang, principal)]
        conversation = UUID(conf.conversation_id)
        if claim.press is Press.CANCEL:
            reply = await self._turn(principal, place, conversation, "annule" if conf.lang == "fr" else "cancel",
                                     policy=policy)
            return await self._render(reply, place, who, principal)
        reply = await self._turn(principal, place, conversation, "oui" if conf.lang == "fr" else "yes",
                                 policy=policy, confirmation_id=conf.id, action_hash=claim.action_hash)
        return await self._render(reply, place, who, principal)

    @staticmethod
    def _current_number(conv: Conversation, claim: ButtonClaim) -> int | None:
        """The number the conversation now gives the option this choice button showed (None: no longer offered)."""
        options = [o for o in (conv.context or {}).get("options") or [] if isinstance(o, Mapping)]
        numbers = [n for n, option in enumerate(options, start=1) if option_digest(option) == claim.action_hash]
        if not numbers:
            return None
        return claim.option if claim.option in numbers else numbers[0]

    async def _decide(self, approver: Principal, place: Place, claim: ButtonClaim, lang: str) -> list[Outbound]:
        async with self.uow() as uow:
            approval = await uow.approvals.get(claim.ref)
        if approval is None or approval.action_hash != claim.action_hash:
            return [Outbound(place, wording.button_refused("forged", lang), lang=lang)]
        approve = claim.press is Press.APPROVE
        try:
            done, reply = await self.chat.decide_approval(approver, approval.id, approve=approve,
                                                          reason=None if approve else "rejected in chat",
                                                          door=Door(place.platform.value))
        except DomainError as exc:
            return [Outbound(place, exc.localized(lang), lang=lang)]
        what = chat_wording.describe(done.action, done.targets, done.service, done.parameters, lang)
        out = [Outbound(place, wording.decided_here(approve, what, approver.email, lang), lang=lang)]
        if reply is not None:
            requester_place = await self._place_of(UUID(done.conversation_id))
            if requester_place is not None:
                requester_id = claim.chat_user.partition(":")[2]
                known = await self.store.identity(requester_place.platform, requester_id)
                requester = ChatUser(requester_place.platform, requester_id, known.display_name if known else "")
                rendered = self.render.reply(reply, requester_place, requester)
                out += [dataclasses.replace(o, mention=requester) for o in rendered]
        return out

    async def _place_of(self, conversation: UUID) -> Place | None:
        key = await self.store.conversation_key_of(conversation)
        if key is None:
            return None
        platform, workspace, channel, thread, _ = key.split("|")
        return Place(Platform(platform), workspace, channel, None if thread == "-" else thread)
