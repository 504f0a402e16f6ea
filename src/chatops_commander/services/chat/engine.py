"""The chat turn (seed "Diagramme de séquence - Commande utilisateur"):

parse (with the conversation's context) → resolve targets → authorize (role + per-server rows)
→ risk → `low`: run now | `medium`+: a confirmation card | operator's `app.deploy`: an approval
request → execute (per-host progress) → explain (the user's language) → `commands` rows + audit.

REST and WebSocket call the same methods; every event is also published to the owner's
WebSocket connections through the hub.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.approvals import APPROVAL_TTL, Approval, ApprovalState
from chatops_commander.domain.chat.confirmations import Confirmation, ConfirmationState, Refusal, Verdict, check
from chatops_commander.domain.chat.diagnosis import Option
from chatops_commander.domain.chat.events import (
    ApprovalRequired,
    ConfirmationRequired,
    ErrorEvent,
    MessageEvent,
    Progress,
    ResultEvent,
)
from chatops_commander.domain.chat.records import ChatMessage, Conversation, title_from
from chatops_commander.domain.chat.runbooks import check_version
from chatops_commander.domain.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from chatops_commander.domain.execution import HostOutcome, RunResult
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.domain.servers import Server
from chatops_commander.nlu import ConversationContext, Parser
from chatops_commander.services import access, audit
from chatops_commander.services.actions import (
    ActionPipeline,
    ActionRequest,
    Decided,
    Door,
    NeedsApproval,
    NeedsConfirmation,
    Refused,
)
from chatops_commander.services.chat.approvals import ApprovalDesk, intent_of, principal_of
from chatops_commander.services.chat.deploys import DEPLOY_ACTIONS, DeployRunner
from chatops_commander.services.chat.hub import ChatHub
from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory, HttpProbe, RunbookSource
from chatops_commander.services.chat.queries import ChatQueries, handlers, preparers
from chatops_commander.services.chat.turn import Turn, TurnReply, TurnTools
from chatops_commander.services.execution import FanOut
from chatops_commander.services.ports import Clock
from chatops_commander.services.principal import AuthMethod, Principal
from chatops_commander.services.tracing import NoopTracer, Span, Tracer

RateHook = Callable[[Principal], Awaitable[None]]
PARSERS_KEPT = 16  # parsers kept, one per distinct inventory users see (admins share one, teams a few)


def _now_iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


def _outcome(meta: Mapping[str, Any]) -> str:
    """How a turn ended, for its span (a small closed vocabulary, never text from the user or the hosts)."""
    if meta.get("refused"):
        return "refused"
    if "error" in meta:
        return "error"
    if "confirmation" in meta:
        return "confirmation_required"
    if "approval" in meta:
        return "approval"
    if meta.get("clarification"):
        return "clarification"
    if "ok" in meta:
        return "ok" if meta["ok"] else "failed"
    if "results" in meta:
        return "ok" if all(r.get("outcome") == HostOutcome.OK.value for r in meta["results"].values()) else "failed"
    return "replied"


class ChatService:
    def __init__(
        self, uow: ChatUnitOfWorkFactory, fanout: FanOut, specs: Sequence[ActionSpec], *, clock: Clock,
        hub: ChatHub | None = None, http: HttpProbe | None = None, runbooks: RunbookSource | None = None,
        health_urls: Mapping[str, str] | None = None, default_language: str = "en", rate_hook: RateHook | None = None,
        parser_factory: Callable[[Sequence[ActionSpec], Inventory], Parser] | None = None,
        on_command: Callable[[str, str], None] | None = None, tracer: Tracer | None = None,
        approval_ttl: timedelta = APPROVAL_TTL,
    ) -> None:
        self.tools = TurnTools(uow, fanout, clock=clock, hub=hub, on_command=on_command)
        self.uow, self.fanout, self.clock, self.hub = uow, fanout, clock, self.tools.hub
        self.journal = self.tools.journal
        self.tracer: Tracer = tracer or NoopTracer()
        self.parser_factory = parser_factory or (lambda catalog, inventory: Parser(catalog, inventory))
        self.specs = {s.id: s for s in specs}
        self.http, self.runbooks = http, runbooks
        self.deploys = DeployRunner(self.tools, runbooks)
        self.health_urls = dict(health_urls or {})
        self.default_language = default_language
        self.rate_hook = rate_hook
        self._parsers: dict[tuple[Any, ...], Parser] = {}  # by the inventory a user sees (a few distinct ones)
        self.pipeline = ActionPipeline(uow, fanout, self.specs, journal=self.journal, rate_hook=rate_hook)
        self.queries = ChatQueries(self.tools, http=http, health_urls=health_urls)
        for action, handler in handlers(self.queries, self.deploys).items():
            self.pipeline.handle(action, handler)
        self.preparers = preparers(self.deploys)
        self.approvals = ApprovalDesk(uow, self.pipeline, clock=clock, ttl=approval_ttl)

    # ------------------------------------------------------------------ conversations

    async def create_conversation(self, principal: Principal, title: str | None = None) -> Conversation:
        user_id = self._user_id(principal)
        async with self.uow() as uow:
            conv = await uow.conversations.add(Conversation(user_id, title_from(title) if title else None))
            await uow.commit()
        return conv

    async def list_conversations(self, principal: Principal, *, offset: int = 0, limit: int = 50) -> list[Conversation]:
        async with self.uow() as uow:
            return await uow.conversations.list_for_user(self._user_id(principal), offset=offset, limit=limit)

    async def get_conversation(self, principal: Principal, conversation_id: UUID) -> Conversation:
        async with self.uow() as uow:
            return await self._owned(uow, principal, conversation_id)

    async def delete_conversation(self, principal: Principal, conversation_id: UUID) -> None:
        async with self.uow() as uow:
            await self._owned(uow, principal, conversation_id)
            await uow.conversations.remove(conversation_id)
            await uow.commit()

    async def messages(self, principal: Principal, conversation_id: UUID, *, limit: int = 500) -> list[ChatMessage]:
        async with self.uow() as uow:
            await self._owned(uow, principal, conversation_id)
            return await uow.messages.list(conversation_id, limit=limit)

    def _user_id(self, principal: Principal) -> UUID:
        if principal.user_id is None:
            raise PermissionDenied("Conversations belong to users: log in as a user.",
                                   message_fr="Les conversations appartiennent à des utilisateurs : connectez-vous.")
        return principal.user_id

    async def _owned(self, uow: Any, principal: Principal, conversation_id: UUID) -> Conversation:
        conv: Conversation | None = await uow.conversations.get(conversation_id)
        if conv is None or conv.user_id != principal.user_id:
            raise NotFound("No such conversation.", message_fr="Conversation introuvable.")
        return conv

    # ------------------------------------------------------------------ the turn

    async def handle_message(
        self, principal: Principal, conversation_id: UUID, text: str, *, confirmation_id: str | None = None,
        action_hash: str | None = None, door: Door | None = None,
    ) -> TurnReply:
        """One turn; `door`: where it came from (default: the web UI for a cookie session, else the REST API)."""
        door = door or (Door.WEB if principal.auth_method is AuthMethod.COOKIE else Door.REST)
        with self.tracer.span("chat.turn", **{"chatops.confirmation": confirmation_id is not None}) as span:
            return await self._handle(span, principal, conversation_id, text, confirmation_id, action_hash, door)

    async def _handle(self, span: Span, principal: Principal, conversation_id: UUID, text: str,
                      confirmation_id: str | None, action_hash: str | None, door: Door) -> TurnReply:
        async with self.uow() as uow:
            conv = await self._owned(uow, principal, conversation_id)
            user_msg = await uow.messages.add(ChatMessage(conversation_id, "user", text))
            if not conv.title:
                conv = replace(conv, title=title_from(text))
                await uow.conversations.save(conv)
            await uow.commit()
        state = dict(conv.context or {})
        ctx = ConversationContext.from_dict(dict(state.get("nlu") or {}))
        with self.tracer.span("chat.parse") as stage:
            parser = await self._parser_now(principal)
            parsed, new_ctx = await parser.parse_async(text, ctx)
            lang = self._lang(parsed, ctx, principal, text)
            stage.set(**{"chatops.action": parsed.action, "chatops.lang": lang,
                         "chatops.targets": len(parsed.targets)})
        span.set(**{"chatops.action": parsed.action, "chatops.lang": lang})
        turn = Turn(principal, conv, lang, state, span=span, door=door.value)
        self.tools.emit(turn, MessageEvent(turn.cid, message_id=str(user_msg.id), role="user", content=text, lang=lang,
                                           created_at=_now_iso(user_msg.created_at)))
        state["nlu"] = new_ctx.to_dict()
        try:
            if confirmation_id:
                reply, meta = await self._confirm(turn, confirmation_id, action_hash)
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
        ctx = ConversationContext.from_dict(dict(turn.state.get("nlu") or {}))
        if options is not None:
            turn.state["options"] = options
            labels = [Option.from_json(o).label(turn.lang) for o in options]
            ctx = ctx.offering(labels, "external")
        # The engine, not the parser, knows whether this answer left a card waiting for a yes or a no
        # (a numbered choice can end on a card; a refused or clarified action leaves none).
        turn.state["nlu"] = replace(ctx, awaiting_confirmation="confirmation" in meta).to_dict()
        async with self.uow() as uow:
            msg = await uow.messages.add(ChatMessage(turn.conversation.id or UUID(int=0), "assistant", reply,
                                                     {"lang": turn.lang, **meta}))
            conv = await uow.conversations.get(turn.conversation.id or UUID(int=0))
            if conv is not None:
                await uow.conversations.save(replace(conv, context=turn.state))
            await uow.commit()
        event = MessageEvent(turn.cid, message_id=str(msg.id), role="assistant", content=reply, lang=turn.lang,
                             metadata=msg.metadata, created_at=_now_iso(msg.created_at))
        self.tools.emit(turn, event)
        return TurnReply(turn.cid, event, turn.events)

    async def _dispatch(self, turn: Turn, parsed: ParsedCommand) -> tuple[str, dict[str, Any]]:
        lang, action = turn.lang, parsed.action
        if action is None:
            question = parsed.clarification or wording.help_text(lang)
            return question, {"clarification": True, "parsed": parsed.to_json()}
        if action == "chat.greeting":
            return wording.greeting(lang), {}
        if action == "chat.thanks":
            return wording.thanks(lang), {"options": []}
        if action == "chat.help":
            return wording.help_text(lang), {}
        if action == "chat.confirm":
            return await self._confirm(turn, None, None)
        if action == "chat.cancel":
            return await self._cancel(turn)
        if action == "chat.choose":
            return await self._choose(turn, int(parsed.parameters.get("option", 0) or 0))
        return await self._request(turn, action, parsed.targets, parsed.service, dict(parsed.parameters),
                                   parsed.text, parsed.risk, parsed.to_json())

    # ------------------------------------------------------------------ requests

    async def _request(
        self, turn: Turn, action: str, targets: Sequence[str], service: str | None, params: dict[str, Any],
        text: str, parsed_risk: Risk = Risk.LOW, intent: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        if action not in self.specs:
            raise NotFound(f"Unknown action {action!r}.", message_fr=f"Action inconnue : {action!r}.")
        prepare = self.preparers.get(action)
        if prepare is not None:  # e.g. a runbook's hosts and the version to go back to, before anyone decides
            targets, params = await prepare(action, targets, params)
        request = ActionRequest(
            turn.principal, action, tuple(targets), params, Door(turn.door), service=service, text=text,
            conversation_id=turn.conversation.id, risk_floor=parsed_risk, context=turn,
            intent=dict(intent or {"action": action, "targets": sorted(targets), "service": service,
                                   "parameters": params}))
        return await self._submit(turn, request, extra)

    async def _submit(self, turn: Turn, request: ActionRequest,
                      extra: Mapping[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
        """The chat door: the pipeline decides and runs, this renders (a card, a request, results)."""
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
            return await self._ask_approval(turn, request, decided)
        if isinstance(decided, NeedsConfirmation):
            return await self._ask_confirmation(turn, self.specs[request.action], decided.servers, request.service,
                                                dict(request.parameters), decided.risk, request.text, extra)
        return await self._execute(turn, decided)

    async def submit_from_door(self, principal: Principal, conversation_id: UUID, request: ActionRequest, *,
                               said: str, lang: str) -> TurnReply:
        """Another door's request (MCP) in one of the user's conversations, kept like a chat turn: `said` is posted
        as the user's line, the pipeline decides (a confirmation card, an approval request, or the results) and the
        reply is stored, so that the person sees it in the web UI. A confirmation remembers the door (`extra`).
        A refusal is stored too, then raised."""
        async with self.uow() as uow:
            conv = await self._owned(uow, principal, conversation_id)
            await uow.messages.add(ChatMessage(conversation_id, "user", said))
            await uow.commit()
        turn = Turn(principal, conv, lang, dict(conv.context or {}), door=request.door.value)
        if request.action in DEPLOY_ACTIONS:
            targets, params = await self.deploys.prepare(request.action, list(request.targets),
                                                         dict(request.parameters))
            request = replace(request, targets=tuple(targets), parameters=params)
        request = replace(request, context=turn, conversation_id=conv.id)
        try:
            text, meta = await self._submit(turn, request, {"door": request.door.value,
                                                            "door_detail": request.door_detail})
        except DomainError as exc:
            await self._finish(turn, exc.localized(lang), {"error": exc.code})
            raise
        return await self._finish(turn, text, meta)

    async def _parser_now(self, principal: Principal) -> Parser:
        """The parser over the servers `principal` may read: a server they may not read does not exist for
        them (never matched, suggested or counted in "all servers"; a fleet answer says how many were left out)."""
        async with self.uow() as uow:
            servers = await uow.servers.list()
        servers = (await access.fleet_view(self.uow, principal, servers)).servers
        inventory = Inventory.from_servers(servers)
        known = set(inventory.names)
        extra = {env: tuple(h for h in hosts if h in known)
                 for env, hosts in (self.runbooks.environments() if self.runbooks else {}).items()
                 if env not in inventory.groups}  # a runbook's environment names hosts; tags keep their meaning
        if extra:
            inventory = Inventory(inventory.servers, {**inventory.groups, **{k: v for k, v in extra.items() if v}})
        key = (tuple((s.name, s.tags, s.services) for s in servers), tuple(sorted(extra.items())))
        parser = self._parsers.get(key)
        if parser is None:
            if len(self._parsers) >= PARSERS_KEPT:
                self._parsers.pop(next(iter(self._parsers)))  # the oldest inventory
            parser = self._parsers[key] = self.parser_factory(tuple(self.specs.values()), inventory)
        return parser

    # ------------------------------------------------------------------ confirmations

    async def _ask_confirmation(
        self, turn: Turn, spec: ActionSpec, servers: Sequence[Server], service: str | None, params: dict[str, Any],
        risk: Risk, text: str, extra: Mapping[str, Any] | None,
    ) -> tuple[str, dict[str, Any]]:
        names = [s.name for s in servers]
        conf = Confirmation.create(user_id=str(turn.principal.user_id), conversation_id=turn.cid, action=spec.id,
                                   targets=names, service=service, parameters=params, risk=risk,
                                   now=self.clock.now(), lang=turn.lang, text=text, extra=extra)
        async with self.uow() as uow:
            await uow.confirmations.add(conf)
            await uow.commit()
        card = wording.confirmation_card(spec.id, names, service, params, risk, turn.lang, spec.summary)
        self.tools.emit(turn, ConfirmationRequired(
            turn.cid, confirmation_id=conf.id, action=spec.id, targets=tuple(names), service=service,
            parameters=params, risk=risk.value, impact=wording.impact(spec.id, names, service, turn.lang),
            card=card, action_hash=conf.action_hash, expires_at=conf.expires_at.isoformat()))
        return card, {"confirmation": {"id": conf.id, "action_hash": conf.action_hash, "risk": risk.value,
                                       "expires_at": conf.expires_at.isoformat()}}

    async def _confirm(self, turn: Turn, confirmation_id: str | None,
                       presented_hash: str | None) -> tuple[str, dict[str, Any]]:
        lang, now = turn.lang, self.clock.now()
        async with self.uow() as uow:
            conf = (await uow.confirmations.get(confirmation_id) if confirmation_id
                    else await uow.confirmations.latest_pending(turn.conversation.id or UUID(int=0)))
        if conf is None:
            if confirmation_id:
                await self._refuse_confirmation(turn, None, "forged", "unknown confirmation", confirmation_id)
                raise PermissionDenied("I know no such confirmation; I refuse it.",
                                       message_fr="Je ne connais pas cette confirmation ; je la refuse.")
            return wording.nothing_pending(lang), {}
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
            await self._refuse_confirmation(turn, conf, verdict.audit_kind, str(verdict.refusal), conf.id)
            raise PermissionDenied(verdict.reason("en"), message_fr=verdict.reason("fr"))
        # Roles, permissions and servers may have changed in the five minutes: the pipeline decides again.
        return await self._submit(turn, ActionRequest(
            turn.principal, conf.action, conf.targets, dict(conf.parameters), Door(conf.extra.get("door") or turn.door),
            door_detail=str(conf.extra.get("door_detail") or ""), service=conf.service,
            text=conf.text, conversation_id=turn.conversation.id, risk_floor=conf.risk, confirmed=True,
            follow_up=True, intent=self._intent_of(conf), context=turn))

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

    @staticmethod
    def _intent_of(conf: Confirmation | Approval) -> dict[str, Any]:
        return {"action": conf.action, "targets": list(conf.targets), "service": conf.service,
                "parameters": dict(conf.parameters), "risk": conf.risk.value}

    async def _refuse_confirmation(self, turn: Turn, conf: Confirmation | None, kind: str, reason: str,
                                   token: str) -> None:
        action = {"replayed": AuditAction.CONFIRMATION_REPLAYED, "expired": AuditAction.CONFIRMATION_EXPIRED}.get(
            kind, AuditAction.CONFIRMATION_FORGED)
        entry = self.tools.entry(turn, conf.action if conf else "confirm",
                           self._intent_of(conf) if conf else {"confirmation": token[:12]},
                           conf.risk if conf else Risk.LOW, False)
        await self.journal.refused(entry, [], command=conf.action if conf else "confirm", reason=reason,
                                   outcome=f"refused:{reason}", event=action,
                                   details={"confirmation": token[:12], "reason": reason, "conversation_id": turn.cid,
                                            "action": conf.action if conf else None},
                                   target=",".join(conf.targets) if conf else None)

    async def _cancel(self, turn: Turn) -> tuple[str, dict[str, Any]]:
        now = self.clock.now()
        async with self.uow() as uow:
            conf = await uow.confirmations.latest_pending(turn.conversation.id or UUID(int=0))
            if conf is None or conf.user_id != str(turn.principal.user_id):
                return wording.nothing_pending(turn.lang), {}
            await uow.confirmations.transition(conf.cancelled(now), expected=ConfirmationState.PENDING)
            await uow.commit()
        what = wording.describe(conf.action, conf.targets, conf.service, conf.parameters, turn.lang)
        return wording.cancelled(what, turn.lang), {"cancelled": conf.id, "options": []}

    async def _choose(self, turn: Turn, number: int) -> tuple[str, dict[str, Any]]:
        options = [Option.from_json(o) for o in turn.state.get("options") or []]
        if not options:
            return wording.nothing_pending(turn.lang), {}
        if not 1 <= number <= len(options):
            fr = turn.lang == "fr"
            return (f"Je n'ai proposé que {len(options)} option(s) : répondez par un numéro entre 1 et {len(options)}."
                    if fr else f"I offered {len(options)} option(s): reply with a number from 1 to {len(options)}."), {}
        opt = options[number - 1]
        if opt.action is None:
            return opt.label(turn.lang), {}
        reply, meta = await self._request(turn, opt.action, opt.targets, opt.service, dict(opt.parameters),
                                          opt.label(turn.lang), extra={"option": number})
        if not meta.get("options"):  # a pick that offers nothing new keeps the offered ones ("2", then "1")
            meta.pop("options", None)
        return reply, meta

    # ------------------------------------------------------------------ execution

    async def _execute(self, turn: Turn, decided: Decided) -> tuple[str, dict[str, Any]]:
        request, servers, risk = decided.request, decided.servers, decided.risk
        action, service, params, lang = request.action, request.service, request.parameters, turn.lang
        spec = decided.spec

        def progress(res: RunResult) -> None:
            self.tools.emit(turn, Progress(turn.cid, action=action, host=res.host, status=res.outcome.value,
                                           text=self.tools.host_line(res, turn.lang), duration_ms=res.duration_ms))

        attrs: dict[str, str | int] = {"chatops.action": action, "chatops.risk": risk.value,
                                       "chatops.hosts": len(servers)}
        with self.tracer.span("chat.execute", **attrs) as stage:
            ran = await self.pipeline.run(decided, on_result=progress)
            if isinstance(ran, Refused):
                raise ran.error or PermissionDenied(ran.message_en, message_fr=ran.message_fr)
            if ran.reply is not None:
                reply: tuple[str, dict[str, Any]] = ran.reply
                return reply
            results = list(ran.results)
            ok = ran.ok
            stage.set(**{"chatops.hosts_failed": sum(not r.ok for r in results), "chatops.ok": ok})
        # The rows were written ahead by the pipeline's journal; this span covers the reply built from them.
        recorded: dict[str, str | bool] = {"chatops.action": action, "chatops.confirmed": request.confirmed}
        with self.tracer.span("chat.record", **recorded):
            what = wording.describe(action, [s.name for s in servers], service, dict(params), lang, spec.summary)
            lines = [self.tools.host_line(r, lang) for r in results]
            meta: dict[str, Any] = {"action": action, "risk": risk.value,
                                    "results": {r.host: self._result_json(r) for r in results}}
            health: list[str] = []
            options: list[Option] = []
            if ok and action in ("service.restart", "service.start", "service.reload") and service:
                health = await self._health_after(turn, servers, service)
                options.append(Option(f"Show the {service} logs of the last hour",
                                      f"Montre les logs {service} de la dernière heure", "service.logs",
                                      tuple(s.name for s in servers), service, {"since": "1h"}))
            if not ok:
                failed = [r.host for r in results if not r.ok]
                options.append(Option("Show the logs of the failed hosts", "Voir les logs des serveurs en échec",
                                      "service.logs" if service else "server.logs", tuple(failed), service,
                                      {"lines": 100}))
            fr = lang == "fr"
            head = [] if spec.risk is Risk.LOW else ["⏳ " + (f"{what} : en cours…" if fr else f"{what}: running…"), ""]
            total_ms = max((r.duration_ms for r in results), default=0)
            body = head + lines
            if not spec.is_read_only:
                body.append(("• Durée : " if fr else "• Duration: ") + wording.seconds(total_ms, lang))
            body += health
            if not ok:
                body.append("")
                body.append(("Au moins un serveur a échoué ; je n'ai rien relancé automatiquement. "
                             "Que voulez-vous faire ?") if fr else
                            "At least one host failed; I retried nothing on my own. What would you like to do?")
            if options:
                body += ["", wording.numbered(options, lang)]
            self.tools.emit(turn, ResultEvent(turn.cid, action=action, ok=ok, summary=what,
                                              hosts={r.host: {"outcome": r.outcome.value, "exit_code": r.exit_code,
                                                              "duration_ms": r.duration_ms} for r in results},
                                              data=meta["results"]))
            meta["options"] = [o.to_json() for o in options]
        return "\n".join(body).strip(), meta

    @staticmethod
    def _result_json(r: RunResult) -> dict[str, Any]:
        data = {k: v for k, v in (r.data or {}).items() if k != "explanation"}
        return {"outcome": r.outcome.value, "exit_code": r.exit_code, "duration_ms": r.duration_ms,
                "data": data, "message": r.message}

    async def _health_after(self, turn: Turn, servers: Sequence[Server], service: str) -> list[str]:
        fr = turn.lang == "fr"
        status = await self.tools.run_checks(turn, "service.status", servers, {"service": service}, progress=False)
        lines: list[str] = []
        all_ok = all(r.ok and r.data.get("active") for r in status)
        for r in status:
            state = r.data.get("state") if r.ok else r.outcome.value
            lines.append(f"• Status{' ' if fr else ''}: {state} ({r.host})")
        http_ok = True
        for s in servers:
            url = self.health_urls.get(s.name)
            if url and self.http is not None:
                res = await self.http.check(url)
                http_ok = http_ok and res.ok
                mark = "✅" if res.ok else f"❌ {res.status or res.error}"
                lines.append(("• Site accessible : " if fr else "• Site reachable: ") + f"{mark} ({s.name})")
        passed = all_ok and http_ok
        lines.insert(0, ("• Tests de santé : " if fr else "• Health checks: ") + ("PASSED" if passed else "FAILED"))
        if passed:
            lines.insert(0, f"✅ {service} " + ("opérationnel" if fr else "is up"))
        return lines

    # ------------------------------------------------------------------ approvals (4-eyes) and deploys

    async def _ask_approval(self, turn: Turn, request: ActionRequest,
                            needed: NeedsApproval) -> tuple[str, dict[str, Any]]:
        if "version" in request.parameters:
            check_version(str(request.parameters["version"]))
        approval = await self.approvals.request(turn.principal, turn.cid, turn.lang, request, needed)
        until = approval.expires_at.isoformat() if approval.expires_at else None
        self.tools.emit(turn, ApprovalRequired(
            turn.cid, approval_id=approval.id, action=approval.action, targets=approval.targets,
            parameters=approval.parameters, risk=approval.risk.value, requester=approval.requester,
            expires_at=until))
        what = wording.describe(approval.action, approval.targets, approval.service, approval.parameters, turn.lang)
        return (wording.approval_waiting(what, approval.id, turn.lang, approval.expires_at),
                {"approval": {"id": approval.id, "state": "requested", "expires_at": until}})

    async def list_approvals(self, principal: Principal, *, state: ApprovalState | None = None,
                             pending: bool = False) -> list[Approval]:
        return await self.approvals.list(principal, state=state, pending=pending)

    async def decide_approval(self, principal: Principal, approval_id: str, *, approve: bool,
                              reason: str | None) -> tuple[Approval, TurnReply | None]:
        """Approve (then run, posting to the requester's conversation) or reject with a reason."""
        with self.tracer.span("chat.approval", **{"chatops.approve": approve}) as span:
            done, reply = await self._decide_approval(principal, approval_id, approve=approve, reason=reason)
            span.set(**{"chatops.action": done.action, "chatops.outcome": _outcome(reply.message.metadata)
                        if reply and reply.message else done.state.value})
            return done, reply

    async def _decide_approval(self, principal: Principal, approval_id: str, *, approve: bool,
                               reason: str | None) -> tuple[Approval, TurnReply | None]:
        decided = await self.approvals.decide(principal, approval_id, approve=approve, reason=reason)
        done, conv, requester = decided.approval, decided.conversation, decided.requester
        if conv is None or requester is None:
            return done, None
        owner = principal_of(requester, request_id=principal.request_id)
        turn = Turn(owner, conv, done.lang, dict(conv.context or {}))
        what = wording.describe(done.action, done.targets, done.service, done.parameters, done.lang)
        self.tools.emit(turn, ApprovalRequired(
            turn.cid, approval_id=done.id, action=done.action, targets=done.targets, parameters=done.parameters,
            risk=done.risk.value, requester=done.requester, state=done.state.value,
            expires_at=done.expires_at.isoformat() if done.expires_at else None))
        head = wording.approval_decided(what, approve, principal.actor, done.reason, done.lang)
        if not approve:
            return done, await self._finish(turn, head, {"approval": {"id": done.id, "state": done.state.value}})
        # Exactly the approved action, through the pipeline, which checks the requester's rights once more.
        request = ActionRequest(owner, done.action, done.targets, dict(done.parameters), Door(turn.door),
                                service=done.service, text=done.text, conversation_id=conv.id, risk_floor=done.risk,
                                confirmed=True, follow_up=True, approval_id=done.id, approved_by=principal.actor,
                                intent={**intent_of(done), "approval_id": done.id, "approved_by": principal.actor},
                                context=turn)
        try:
            text, meta = await self._submit(turn, request)
        except DomainError as exc:
            text, meta = exc.localized(turn.lang), {"error": exc.code}
        meta["approval"] = {"id": done.id, "state": done.state.value, "by": principal.actor}
        return done, await self._finish(turn, head + "\n\n" + text, meta)


def validation_message(exc: ValidationFailed, lang: str) -> str:
    return exc.localized(lang)
