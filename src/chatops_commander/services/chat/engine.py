"""The chat door's turn (seed "Diagramme de séquence - Commande utilisateur"): parse (with the conversation's
context) → dispatch → render. Everything else lives in one module per concept, composed here:

- `conversations` — conversations, messages, the turn's stored reply;
- `parsers` — the parser over the servers a user may read;
- `door` — the chat door of the action pipeline (`services.actions`): decide, then a card, an approval
  request or the results (`confirming`, `approvals`, `results`);
- `queries`, `history`, `deploys` — handlers registered on the pipeline by action id (a pack adds its own
  with `ChatService.pipeline.handle(...)`);
- `domain.chat.wording` — every reply, in English and French.

REST, WebSocket, MCP and the chat platforms call the same methods; every event is also published to the
owner's WebSocket connections through the hub.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import UUID

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.approvals import APPROVAL_TTL, Approval, ApprovalState
from chatops_commander.domain.chat.diagnosis import Option
from chatops_commander.domain.chat.events import ErrorEvent, MessageEvent
from chatops_commander.domain.chat.records import ChatMessage, Conversation
from chatops_commander.domain.errors import DomainError, PermissionDenied
from chatops_commander.domain.execution import HostOutcome
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.domain.security.channel_policy import ChannelRestriction
from chatops_commander.nlu import ConversationContext
from chatops_commander.nlu.dialogue import plain_yes
from chatops_commander.nlu.text import fold
from chatops_commander.services.actions import ActionPipeline, ActionRequest, Door
from chatops_commander.services.chat.approvals import ApprovalDesk
from chatops_commander.services.chat.conversations import Conversations, now_iso
from chatops_commander.services.chat.deploys import DeployRunner
from chatops_commander.services.chat.door import ChatDoor
from chatops_commander.services.chat.hub import ChatHub
from chatops_commander.services.chat.parsers import ParserFactory, Parsers
from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory, HttpProbe, RunbookSource
from chatops_commander.services.chat.queries import ChatQueries, handlers, preparers
from chatops_commander.services.chat.results import ResultRenderer
from chatops_commander.services.chat.turn import Turn, TurnReply, TurnTools
from chatops_commander.services.execution import FanOut
from chatops_commander.services.ports import Clock
from chatops_commander.services.principal import AuthMethod, Principal
from chatops_commander.services.tracing import NoopTracer, Span, Tracer

RateHook = Callable[[Principal], Awaitable[None]]
Reply = tuple[str, dict[str, Any]]


def _outcome(meta: Mapping[str, Any]) -> str:
    """How a turn ended, for its span (a small closed vocabulary, never text from the user or the hosts)."""
    for key, name in (("refused", "refused"), ("error", "error"), ("confirmation", "confirmation_required"),
                      ("approval", "approval"), ("clarification", "clarification")):
        if meta.get(key):
            return name
    if "ok" in meta:
        return "ok" if meta["ok"] else "failed"
    if "results" in meta:
        return "ok" if all(r.get("outcome") == HostOutcome.OK.value for r in meta["results"].values()) else "failed"
    return "replied"


def door_of(principal: Principal) -> Door:
    """Where a request without a named door comes from: the web UI for a cookie session, else the REST API."""
    return Door.WEB if principal.auth_method is AuthMethod.COOKIE else Door.REST


class ChatService:
    def __init__(
        self, uow: ChatUnitOfWorkFactory, fanout: FanOut, specs: Sequence[ActionSpec], *, clock: Clock,
        hub: ChatHub | None = None, http: HttpProbe | None = None, runbooks: RunbookSource | None = None,
        health_urls: Mapping[str, str] | None = None, default_language: str = "en", rate_hook: RateHook | None = None,
        parser_factory: ParserFactory | None = None, on_command: Callable[[str, str], None] | None = None,
        tracer: Tracer | None = None, approval_ttl: timedelta = APPROVAL_TTL, collection_interval_s: float = 30.0,
        live_check_s: float = 5.0,
    ) -> None:
        self.tools = TurnTools(uow, fanout, clock=clock, hub=hub, on_command=on_command)
        self.uow, self.fanout, self.clock, self.hub = uow, fanout, clock, self.tools.hub
        self.tracer: Tracer = tracer or NoopTracer()
        self.specs = {s.id: s for s in specs}
        self.default_language = default_language
        self.pipeline = ActionPipeline(uow, fanout, self.specs, journal=self.tools.journal, rate_hook=rate_hook)
        # the deploy runner is also read by doors (a deploy's runbook steps on the approvals API)
        self.deploys = deploys = DeployRunner(self.tools, runbooks, http=http, health_urls=health_urls)
        queries = ChatQueries(self.tools, http=http, health_urls=health_urls, sample_max_age_s=collection_interval_s,
                              live_check_s=live_check_s)
        for action, handler in handlers(queries, deploys).items():
            self.pipeline.handle(action, handler)
        self.approvals = ApprovalDesk(uow, self.pipeline, clock=clock, ttl=approval_ttl)
        renderer = ResultRenderer(self.tools, self.pipeline, tracer=self.tracer, http=http, health_urls=health_urls)
        self.door = ChatDoor(self.tools, self.pipeline, self.approvals, renderer, preparers=preparers(deploys),
                             prechecks={"app.deploy": deploys.precheck}, tracer=self.tracer)
        self.conversations = Conversations(uow, self.tools)
        self.parsers = Parsers(uow, tuple(self.specs.values()), runbooks=runbooks, factory=parser_factory)

    # ------------------------------------------------------------------ conversations

    async def create_conversation(self, principal: Principal, title: str | None = None) -> Conversation:
        return await self.conversations.create(principal, title)

    async def list_conversations(self, principal: Principal, *, offset: int = 0, limit: int = 50) -> list[Conversation]:
        return await self.conversations.list(principal, offset=offset, limit=limit)

    async def get_conversation(self, principal: Principal, conversation_id: UUID) -> Conversation:
        return await self.conversations.get(principal, conversation_id)

    async def delete_conversation(self, principal: Principal, conversation_id: UUID) -> None:
        await self.conversations.delete(principal, conversation_id)

    async def messages(self, principal: Principal, conversation_id: UUID, *, limit: int = 500) -> list[ChatMessage]:
        return await self.conversations.messages(principal, conversation_id, limit=limit)

    # ------------------------------------------------------------------ the turn

    async def handle_message(
        self, principal: Principal, conversation_id: UUID, text: str, *, confirmation_id: str | None = None,
        action_hash: str | None = None, door: Door | None = None, door_detail: str = "",
        restriction: ChannelRestriction | None = None,
    ) -> TurnReply:
        """One turn; `door`: where it came from (default: the web UI for a cookie session, else the REST API);
        `door_detail`: who there (e.g. a chat platform's workspace and user), kept on the audit records;
        `restriction`: what that place allows (a chat channel's policy). The pipeline checks it on every action
        the turn resolves — a sentence, a "yes" to a card (`confirmation_id` or typed), a numbered choice, a
        runbook's hosts — next to the account's rights; a refusal is worded like theirs and audited."""
        with self.tracer.span("chat.turn", **{"chatops.confirmation": confirmation_id is not None}) as span:
            return await self._handle(span, principal, conversation_id, text, confirmation_id, action_hash,
                                      door or door_of(principal), door_detail, restriction)

    async def _handle(self, span: Span, principal: Principal, conversation_id: UUID, text: str,
                      confirmation_id: str | None, action_hash: str | None, door: Door,
                      door_detail: str = "", restriction: ChannelRestriction | None = None) -> TurnReply:
        conv, user_msg = await self.conversations.user_line(principal, conversation_id, text)
        state = dict(conv.context or {})
        ctx = ConversationContext.from_dict(dict(state.get("nlu") or {}))
        if ctx.lang is None and principal.language in ("en", "fr"):
            ctx = replace(ctx, lang=principal.language)  # a first sentence as French as it is English: the user's
        with self.tracer.span("chat.parse") as stage:
            parsed, new_ctx = await (await self.parsers.for_principal(principal)).parse_async(text, ctx)
            lang = self._lang(parsed, ctx, principal, text)
            stage.set(**{"chatops.action": parsed.action, "chatops.lang": lang,
                         "chatops.targets": len(parsed.targets)})
        span.set(**{"chatops.action": parsed.action, "chatops.lang": lang})
        turn = Turn(principal, conv, lang, state, span=span, door=door.value, door_detail=door_detail,
                    restriction=restriction)
        self.tools.emit(turn, MessageEvent(turn.cid, message_id=str(user_msg.id), role="user", content=text, lang=lang,
                                           created_at=now_iso(user_msg.created_at)))
        state["nlu"] = new_ctx.to_dict()
        try:
            if confirmation_id:
                reply, meta = await self.door.confirm(turn, confirmation_id, action_hash)
            else:
                reply, meta = await self._dispatch(turn, parsed)
        except PermissionDenied as exc:
            reply, meta = wording.refused(exc.localized(lang), lang), {"refused": True, "code": exc.code}
            self.tools.emit(turn, ErrorEvent(turn.cid, code=exc.code, message=exc.localized(lang)))
        except DomainError as exc:
            reply, meta = exc.localized(lang), {"error": exc.code}
            self.tools.emit(turn, ErrorEvent(turn.cid, code=exc.code, message=exc.localized(lang)))
        span.set(**{"chatops.outcome": _outcome(meta)})
        with self.tracer.span("chat.reply", **{"chatops.lang": lang}):
            return await self._finish(turn, reply, meta)

    def _lang(self, parsed: ParsedCommand, ctx: ConversationContext, principal: Principal, text: str) -> str:
        if sum(ch.isalpha() for ch in text) >= 3 and parsed.lang in ("en", "fr"):
            return parsed.lang
        return ctx.lang or principal.language or self.default_language

    async def _finish(self, turn: Turn, reply: str, meta: Mapping[str, Any]) -> TurnReply:
        options = meta.get("options")
        # What a plain "yes" to this answer's "Need details?" gives (kept for the next turn only).
        turn.state["details"] = meta.get("details")
        ctx = ConversationContext.from_dict(dict(turn.state.get("nlu") or {}))
        if options is not None:
            turn.state["options"] = options
            ctx = ctx.offering([Option.from_json(o).label(turn.lang) for o in options], "external")
        # The engine, not the parser, knows whether this answer left a card waiting for a yes or a no
        # (a numbered choice can end on a card; a refused or clarified action leaves none).
        turn.state["nlu"] = replace(ctx, awaiting_confirmation="confirmation" in meta).to_dict()
        return await self.conversations.reply(turn, reply, meta)

    async def _dispatch(self, turn: Turn, parsed: ParsedCommand) -> Reply:
        lang, action = turn.lang, parsed.action
        if action is None:
            return parsed.clarification or wording.help_text(lang), {"clarification": True, "parsed": parsed.to_json()}
        talk: dict[str, Reply] = {"chat.greeting": (wording.greeting(lang), {}),
                                  "chat.thanks": (wording.thanks(lang), {"options": []}),
                                  "chat.help": (wording.help_text(lang), {})}
        if action in talk:
            return talk[action]
        details = turn.state.get("details")
        if details and action in ("chat.confirm", "chat.choose") and plain_yes(fold(parsed.text or "")):
            # "oui" / "yes" to "Besoin de détails ?" / "Need details?": the details, and the same next steps
            options = list(turn.state.get("options") or [])
            steps = wording.numbered([Option.from_json(o) for o in options], lang)
            return (str(details.get(lang) or details.get("en")) + (f"\n\n{steps}" if steps else ""),
                    {"options": options, "details_shown": True})
        if details and action == "chat.cancel":  # "non" / "no" to "Need details?": nothing to cancel, a fine answer
            return wording.thanks(lang), {"options": []}
        if action == "chat.confirm":
            return await self.door.confirm(turn, None, None)
        if action == "chat.cancel":
            return await self.door.confirmations.cancel(turn)
        if action == "chat.choose":
            return await self.door.choose(turn, int(parsed.parameters.get("option", 0) or 0))
        return await self.door.request(turn, action, parsed.targets, parsed.service, dict(parsed.parameters),
                                       parsed.text, parsed.risk, parsed.to_json())

    # ------------------------------------------------------------------ other doors

    async def submit_from_door(self, principal: Principal, conversation_id: UUID, request: ActionRequest, *,
                               said: str, lang: str) -> TurnReply:
        """Another door's request (MCP, a chat platform) in one of the user's conversations, kept like a chat turn:
        `said` is posted as the user's line, the pipeline decides (a confirmation card, an approval request, or
        the results) and the reply is stored, so that the person sees it in the web UI. A confirmation remembers
        the door (`extra`). A refusal is stored too, then raised."""
        conv, _ = await self.conversations.user_line(principal, conversation_id, said, title=False)
        turn = Turn(principal, conv, lang, dict(conv.context or {}), door=request.door.value,
                    restriction=request.restriction)
        request = replace(await self.door.prepared(request), context=turn, conversation_id=conv.id)
        try:
            text, meta = await self.door.submit(turn, request, {"door": request.door.value,
                                                                "door_detail": request.door_detail})
        except DomainError as exc:
            await self._finish(turn, exc.localized(lang), {"error": exc.code})
            raise
        return await self._finish(turn, text, meta)

    async def list_approvals(self, principal: Principal, *, state: ApprovalState | None = None,
                             pending: bool = False) -> list[Approval]:
        return await self.approvals.list(principal, state=state, pending=pending)

    async def decide_approval(self, principal: Principal, approval_id: str, *, approve: bool, reason: str | None,
                              door: Door | None = None) -> tuple[Approval, TurnReply | None]:
        """Approve (then run, posting to the requester's conversation) or reject with a reason. `door`: where the
        approver decided (default: web for a cookie session, else rest); the audit and the rows record it."""
        door = door or door_of(principal)
        with self.tracer.span("chat.approval", **{"chatops.approve": approve}) as span:
            decided = await self.approvals.decide(principal, approval_id, approve=approve, reason=reason,
                                                  door=door.value)
            told = await self.door.decided(principal, decided, door)
            reply = await self._finish(told[0], *told[1]) if told is not None else None
            span.set(**{"chatops.action": decided.approval.action, "chatops.outcome": _outcome(reply.message.metadata)
                        if reply and reply.message else decided.approval.state.value})
            return decided.approval, reply
