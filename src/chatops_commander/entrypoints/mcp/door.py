"""The MCP door of the action pipeline: what an AI agent may list, call and read, for one principal.

A tool call becomes an `ActionRequest` (door `mcp`, detail = the MCP client's name and version) handed to
the chat engine's `submit_from_door`, in a conversation of the user's named after the client ("MCP ·
claude-desktop"): the same pipeline, RBAC, per-server rights, rate limit, confirmation and approval gates
as every other door. `low` runs and the results per host come back; above `low` a pending confirmation
is stored in that conversation and only a *person* confirms it (logged in, web UI or REST: the engine
refuses a confirmation of an MCP request from an API token); approval-gated actions wait for another
admin. Bad input is a `DoorError` (an MCP error for the server), and nothing runs.

No transport in here: `server.py` maps this onto the MCP SDK for stdio and streamable HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from chatops_commander.domain.actions import ActionSpec, TargetScope
from chatops_commander.domain.chat.records import Conversation
from chatops_commander.domain.errors import DomainError
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission, Role
from chatops_commander.domain.security import authorization
from chatops_commander.domain.security.api_tokens import scope_permits
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.entrypoints.mcp.catalog import (
    CHAT_ONLY,
    PARSE,
    PARSE_TOOL,
    PENDING,
    PENDING_TOOL,
    ToolSpec,
    action_tool,
    tool_name,
)
from chatops_commander.nlu import ConversationContext, Parser
from chatops_commander.services import access, audit
from chatops_commander.services import servers as server_service
from chatops_commander.services.actions import ActionRequest, Door, Ran, Refused
from chatops_commander.services.chat import ChatService
from chatops_commander.services.chat.deploys import DEPLOY_ACTIONS
from chatops_commander.services.chat.turn import TurnTools
from chatops_commander.services.ports import UnitOfWorkFactory
from chatops_commander.services.ports_monitoring import AlertQuery
from chatops_commander.services.principal import Principal

RECENT_COMMANDS = 50


PROTOCOL_ERRORS = frozenset({"unknown_tool", "unknown_prompt", "unknown_resource", "authentication_required"})
"""Codes that are JSON-RPC errors ("invalid params"): the request names nothing this server has. Every other
refusal is a tool result with `isError` (MCP spec, tools, error handling; SEP-1303), which the agent reads and can
act on: wrong arguments, a server it may not use, a right it lacks, a rate limit, an expired confirmation."""

_REASONS = {"validation_failed": "invalid_arguments", "permission_denied": "forbidden",
            "unauthorized": "forbidden"}  # the pipeline's / domain's codes, as the MCP door names them


class DoorError(Exception):
    """Bad input or a refusal: the MCP error's message, in the user's language; nothing ran.

    `code` says which (unknown_tool, invalid_arguments, unknown_server, forbidden, rate_limited,
    unknown_pending, confirmation_expired, …); `protocol`: a JSON-RPC error rather than an `isError` result."""

    def __init__(self, code: str, en: str, fr: str, *, retry_after: int | None = None) -> None:
        super().__init__(en)
        self.code, self.en, self.fr, self.retry_after = _REASONS.get(code, code), en, fr, retry_after

    @property
    def protocol(self) -> bool:
        return self.code in PROTOCOL_ERRORS

    def localized(self, lang: str) -> str:
        return self.fr if lang == "fr" else self.en

    def as_json(self) -> dict[str, Any]:
        """The error as the agent reads it (structured content / JSON-RPC error data): both languages."""
        out: dict[str, Any] = {"code": self.code, "message": self.en, "message_fr": self.fr}
        if self.retry_after is not None:
            out["retry_after_s"] = self.retry_after
        return out

    @classmethod
    def of(cls, exc: DomainError) -> DoorError:
        return cls(exc.code, exc.localized("en"), exc.localized("fr"), retry_after=getattr(exc, "retry_after", None))

    @classmethod
    def refused(cls, outcome: Refused) -> DoorError:
        if outcome.error is not None:
            return cls.of(outcome.error)
        return cls(outcome.code, outcome.message_en, outcome.message_fr)


@dataclass(frozen=True)
class Client:
    """The MCP client as it introduced itself (name and version) and the transport it came over."""

    name: str = "unknown"
    version: str = ""
    transport: str = "stdio"

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}".strip() + f" ({self.transport})"


def may_use(principal: Principal, spec: ActionSpec) -> bool:
    """Whether the principal's role (and token scopes) allow the action at all; per-server rights come later."""
    if spec.id in CHAT_ONLY:
        return False
    if principal.read_only and not spec.is_read_only:
        return False
    if principal.scopes is not None and not scope_permits(principal.scopes, spec.permission):
        return False
    return authorization.authorize(principal.role, spec.permission, spec.risk, None, targets_server=False,
                                   action_id=spec.id, approval_for_operators=spec.approval_for_operators).allowed


def usable(principal: Principal, spec: ActionSpec, rights: Mapping[str, ServerPermission | None] | None) -> bool:
    """`may_use`, and for an action on hosts: allowed on at least one of the servers the principal may read
    (`rights`: name → their permission there; None: an admin's every server)."""
    if not may_use(principal, spec):
        return False
    if rights is None or (spec.scope is TargetScope.NONE and spec.id not in DEPLOY_ACTIONS):
        return True
    return any(authorization.authorize(principal.role, spec.permission, spec.risk, held, action_id=spec.id,
                                       approval_for_operators=spec.approval_for_operators,
                                       server_name=name).allowed for name, held in rights.items())


class McpDoor:
    def __init__(self, chat: ChatService, uow: UnitOfWorkFactory, *, public_url: str | None = None,
                 audit_evidence: Callable[[], Mapping[str, Any]] | None = None) -> None:
        self.chat, self.uow = chat, uow
        self.public_url = (public_url or "").rstrip("/")
        self.audit_evidence = audit_evidence or dict  # head, keys, checkpoints (bootstrap.audit_evidence)
        self._tools: dict[str, ToolSpec] = {}
        self._conversations: dict[tuple[UUID, str], UUID] = {}

    # ------------------------------------------------------------------ tools

    def _catalog(self) -> dict[str, ToolSpec]:
        if not self._tools:
            registry, handled = self.chat.fanout.registry, self.chat.pipeline.handlers
            for spec in self.chat.specs.values():
                skill = registry.get(spec.id)
                if spec.id in CHAT_ONLY or (skill is None and spec.id not in handled):
                    continue  # conversation moves, and catalog entries no door runs yet
                schema = skill.params_model.model_json_schema() if skill is not None else None
                self._tools[tool_name(spec.id)] = action_tool(spec, schema, targets_optional=spec.id in DEPLOY_ACTIONS)
        return self._tools

    def input_schema(self, name: str) -> Mapping[str, Any] | None:
        """A tool's input schema by name, whoever asks (the SDK checks `Mcp-Param-*` headers with it)."""
        found = {PARSE_TOOL: PARSE, PENDING_TOOL: PENDING}.get(name) or self._catalog().get(name)
        return found.input_schema if found is not None else None

    async def tools(self, principal: Principal) -> list[ToolSpec]:
        """`parse`, `pending_status`, then one tool per action this principal may run on at least one server they
        may read (an action on no host: by role and token scopes alone), by name. A read token: read-only tools."""
        rights = await self._rights(principal)
        allowed = [t for t in self._catalog().values() if usable(principal, self.chat.specs[t.action], rights)]
        return [PARSE, PENDING, *sorted(allowed, key=lambda t: t.name)]

    async def _rights(self, principal: Principal) -> dict[str, ServerPermission | None] | None:
        """Server name → what the principal holds on it, for the servers they may read; None: every server, all
        rights (an admin)."""
        if principal.role is Role.ADMIN:
            return None
        if principal.user_id is None:
            return {}
        async with self.uow() as uow:
            servers = await uow.servers.list()
            held = await access.permissions_on(uow, principal.user_id, servers)
        return {s.name: held[s.id] for s in servers
                if s.id is not None and s.id in held and held[s.id].grants(Permission.READ)}

    async def call(self, principal: Principal, client: Client, name: str,
                   arguments: Mapping[str, Any] | None) -> dict[str, Any]:
        args = dict(arguments or {})
        if name == PARSE_TOOL:
            return await self.parse(principal, _text(args, "sentence", 2000))
        if name == PENDING_TOOL:
            return await self.pending(principal, _text(args, "id", 64))
        tool = self._catalog().get(name)
        if tool is None:
            raise DoorError("unknown_tool", f"Unknown tool {name!r}: list the tools to see what you may call.",
                            f"Outil inconnu : {name!r}. Listez les outils pour voir ceux que vous pouvez appeler.")
        spec = self.chat.specs[tool.action]
        unknown = sorted(set(args) - tool.params - {"targets"})
        if unknown:
            raise DoorError("invalid_arguments", f"{name}: unknown argument(s) {', '.join(unknown)}; it takes "
                                                 f"{', '.join(sorted(tool.input_schema['properties'])) or 'none'}.",
                            f"{name} : argument(s) inconnu(s) {', '.join(unknown)} ; il accepte "
                            f"{', '.join(sorted(tool.input_schema['properties'])) or 'aucun'}.")
        targets = await self._targets(principal, spec, args.pop("targets", None))
        service = args.get("service") if isinstance(args.get("service"), str) else None
        said = f"🤖 MCP · {client.label}: {name} " + " ".join(
            [*targets, *(f"{k}={v}" for k, v in sorted(args.items()))])
        request = ActionRequest(principal, spec.id, targets, args, Door.MCP, door_detail=client.label,
                                service=service, text=said.strip())
        if spec.is_read_only and spec.id not in self.chat.pipeline.handlers:
            ran = await self._read_now(spec, request)
            if ran is not None:
                return ran
        conversation = await self._conversation(principal, client)
        try:
            reply = await self.chat.submit_from_door(principal, conversation, request, said=said.strip(),
                                                     lang=principal.language)
        except DomainError as exc:
            raise DoorError.of(exc) from None
        assert reply.message is not None
        return self._rendered(principal, client, spec, conversation, reply.message.content,
                              dict(reply.message.metadata or {}))

    async def _read_now(self, spec: ActionSpec, request: ActionRequest) -> dict[str, Any] | None:
        """A read-only check on hosts: straight through the pipeline (its `commands` rows and audit events are
        the record), no conversation lines: nothing for a person to see or answer. None: it needs a person after
        all (a pack's read marked for approval), for the conversation path."""
        outcome = await self.chat.pipeline.submit(request)
        if isinstance(outcome, Refused):
            raise DoorError.refused(outcome)
        if not isinstance(outcome, Ran):
            return None
        hosts = {r.host: {"outcome": r.outcome.value, "exit_code": r.exit_code, "duration_ms": r.duration_ms,
                          "data": {k: v for k, v in (r.data or {}).items() if k != "explanation"},
                          "message": r.message} for r in outcome.results}
        lang = request.principal.language
        lines = [TurnTools.host_line(r, lang) for r in outcome.results]
        return {"action": spec.id, "tool": tool_name(spec.id), "message": "\n".join(lines), "status": "ran",
                "risk": outcome.risk.value, "hosts": hosts, "ok": outcome.ok}

    async def _targets(self, principal: Principal, spec: ActionSpec, raw: Any) -> tuple[str, ...]:
        """Server names (or tags) the principal may read; any other name is unknown, hidden or not."""
        if raw is None:
            raw = []
        if not isinstance(raw, list) or not all(isinstance(n, str) and n.strip() for n in raw):
            raise DoorError("invalid_arguments", "targets: a list of server names.",
                            "targets : une liste de noms de serveurs.")
        if spec.scope is TargetScope.NONE:
            if raw:
                raise DoorError("invalid_arguments", f"{tool_name(spec.id)} takes no targets.",
                                f"{tool_name(spec.id)} ne prend pas de cibles.")
            return ()
        visible = await self._visible_servers(principal)
        inventory = Inventory.from_servers(visible)
        names: list[str] = []
        unknown: list[str] = []
        for ref in raw:
            ref = ref.strip()
            if ref in inventory.names:
                names.append(ref)
            elif ref in inventory.groups:
                names += list(inventory.groups[ref])
            else:
                unknown.append(ref)
        if unknown:
            raise DoorError("unknown_server", f"Unknown server(s): {', '.join(unknown)}. Read chatops://servers for "
                                              f"the servers you may use.",
                            f"Serveur(s) inconnu(s) : {', '.join(unknown)}. Lisez chatops://servers pour voir "
                            f"les serveurs que vous pouvez utiliser.")
        if not names and spec.scope is TargetScope.FLEET_DEFAULT:
            names = [s.name for s in visible]
        if not names and spec.id in DEPLOY_ACTIONS:
            return ()  # the runbook's environment names the hosts (checked by the engine like any target)
        if not names:
            raise DoorError("invalid_arguments", f"{tool_name(spec.id)}: name at least one server in targets.",
                            f"{tool_name(spec.id)} : nommez au moins un serveur dans targets.")
        return tuple(dict.fromkeys(names))

    async def _visible_servers(self, principal: Principal) -> list[Server]:
        async with self.uow() as uow:
            readable = await server_service.readable_server_ids(uow, principal)
            servers = await uow.servers.list()
        return [s for s in servers if readable is None or s.id in readable]

    async def _conversation(self, principal: Principal, client: Client) -> UUID:
        """The user's conversation for this MCP client: where its requests, cards and results are kept."""
        if principal.user_id is None:
            raise DoorError("no_user", "MCP acts for a user account.", "MCP agit pour un compte utilisateur.")
        title = f"MCP · {client.name}"[:255]
        key = (principal.user_id, title)
        async with self.chat.uow() as uow:
            known = self._conversations.get(key)
            if known is not None and await uow.conversations.get(known) is not None:
                return known  # still there (the person may have deleted it in the web UI)
            found = [c for c in await uow.conversations.list_for_user(principal.user_id, limit=200)
                     if c.title == title]
        conv: Conversation = found[0] if found else await self.chat.create_conversation(principal, title)
        assert conv.id is not None
        self._conversations[key] = conv.id
        return conv.id

    def _rendered(self, principal: Principal, client: Client, spec: ActionSpec, conversation: UUID, text: str,
                  meta: dict[str, Any]) -> dict[str, Any]:
        base = {"action": spec.id, "tool": tool_name(spec.id), "message": text, "conversation_id": str(conversation)}
        chat_url = f"{self.public_url}/chat" if self.public_url else "/chat"
        if "confirmation" in meta:
            card = meta["confirmation"]
            return {**base, "status": "pending_confirmation", "id": card["id"], "risk": card.get("risk"),
                    "expires_at": card.get("expires_at"), "confirm_by": principal.email,
                    "where": {
                        "web": f"{chat_url} — conversation “MCP · {client.name}”: answer “yes” (or “oui”)",
                        "rest": {"method": "POST", "path": f"/api/v1/conversations/{conversation}/messages",
                                 "body": {"text": "yes", "confirmation_id": card["id"],
                                          "action_hash": card.get("action_hash")},
                                 "auth": f"a password login of {principal.email}; an API token cannot confirm"}},
                    "next": "Nothing ran. A person confirms it; then call pending_status with this id."}
        if "approval" in meta and meta["approval"].get("state") == "requested":
            request = meta["approval"]
            return {**base, "status": "pending_approval", "id": request["id"],
                    "expires_at": request.get("expires_at"), "approve_by": "another admin (4-eyes)",
                    "where": {"web": f"{chat_url} (approval requests)",
                              "rest": {"method": "POST", "path": f"/api/v1/approvals/{request['id']}/approve"}},
                    "next": "Nothing ran. Another admin approves it; then call pending_status with this id."}
        if "results" in meta:
            hosts = meta["results"]
            return {**base, "status": "ran", "risk": meta.get("risk"), "hosts": hosts,
                    "ok": all(h.get("outcome") == "ok" for h in hosts.values())}
        data = {k: v for k, v in meta.items() if k not in ("options", "lang")}
        return {**base, "status": "answered", "data": data}

    # ------------------------------------------------------------------ parse, pending

    async def parse(self, principal: Principal, sentence: str) -> dict[str, Any]:
        """What the chat would understand (on the servers this principal may see); nothing is run."""
        visible = await self._visible_servers(principal)
        parser = Parser(tuple(self.chat.specs.values()), Inventory.from_servers(visible))
        parsed, _ = await parser.parse_async(sentence, ConversationContext())
        out = parsed.to_json()
        action = parsed.action
        usable = action is not None and action in self.chat.specs and may_use(principal, self.chat.specs[action])
        out["tool"] = tool_name(action) if usable and action else None
        out["would"] = ("nothing: ask more precisely" if action is None else
                        "not allowed for you" if not usable else
                        "run at once" if parsed.risk is Risk.LOW else "wait for a person's confirmation")
        return out

    async def pending(self, principal: Principal, ident: str) -> dict[str, Any]:
        """A confirmation or approval of this principal's: its state, and the results once it ran."""
        async with self.chat.uow() as uow:
            conf = await uow.confirmations.get(ident)
            approval = None if conf is not None else await _approval(uow, ident)
        now = self.chat.clock.now()
        if conf is not None and conf.user_id == str(principal.user_id):
            state = "expired" if conf.state.value == "pending" and now >= conf.expires_at else conf.state.value
            out: dict[str, Any] = {"id": ident, "kind": "confirmation", "action": conf.action,
                                   "targets": list(conf.targets), "state": state,
                                   "expires_at": conf.expires_at.isoformat()}
            if conf.state.value == "confirmed" and conf.decided_at is not None:
                out["hosts"] = await self._ran_after(UUID(conf.conversation_id), conf.action, conf.decided_at)
            return _explained(out, principal, "confirmation")
        if approval is not None and approval.requester_id == str(principal.user_id):
            out = {"id": ident, "kind": "approval", "action": approval.action, "targets": list(approval.targets),
                   "state": approval.shown_state(now), "decided_by": approval.decided_by, "reason": approval.reason,
                   "expires_at": approval.expires_at.isoformat() if approval.expires_at else None}
            if approval.state.value == "approved" and approval.decided_at is not None:
                out["hosts"] = await self._ran_after(UUID(approval.conversation_id), approval.action,
                                                     approval.decided_at)
            return _explained(out, principal, "approval")
        raise DoorError("unknown_pending", f"No pending confirmation or approval {ident!r} of yours: use the `id` "
                                           f"a tool call returned with status pending_confirmation or "
                                           f"pending_approval.",
                        f"Aucune confirmation ni approbation en attente {ident!r} à vous : utilisez l'`id` rendu "
                        f"par un appel d'outil au statut pending_confirmation ou pending_approval.")

    async def _ran_after(self, conversation: UUID, action: str, since: Any) -> dict[str, Any]:
        async with self.chat.uow() as uow:
            rows = await uow.commands.list(conversation_id=conversation, limit=200)
        return {r.server_name or "": {"state": r.state, "outcome": r.outcome, "exit_code": r.exit_code,
                                      "output": (r.output or "")[-2000:], "duration_ms": r.duration_ms}
                for r in rows if r.action == action and r.confirmed and r.executed_at is not None
                and r.executed_at >= since.replace(microsecond=0) and r.state != "refused"}

    # ------------------------------------------------------------------ resources

    async def servers(self, principal: Principal) -> list[dict[str, Any]]:
        try:
            found = await server_service.list_servers(self.uow, principal)
        except DomainError as exc:
            raise DoorError.of(exc) from None
        return [{"name": s.name, "hostname": s.hostname, "status": s.status.value,
                 "last_check": s.last_check.isoformat() if s.last_check else None, "tags": list(s.tags),
                 "services": list(s.services)} for s in found]

    async def open_alerts(self, principal: Principal) -> list[dict[str, Any]]:
        async with self.uow() as uow:
            readable = await server_service.readable_server_ids(uow, principal)
            alerts, _ = await uow.alerts.query(AlertQuery(resolved=False, limit=100).seen_by(readable))
            names = {s.id: s.name for s in await uow.servers.list()}
        return [{"id": str(a.id), "server": names.get(a.server_id) if a.server_id else None, "type": a.type,
                 "severity": a.severity.value, "message": a.localized(principal.language),
                 "created_at": a.created_at.isoformat() if a.created_at else None} for a in alerts]

    async def recent_commands(self, principal: Principal) -> list[dict[str, Any]]:
        """The principal's own commands (an admin's view: everyone's), newest first."""
        mine = None if principal.role is Role.ADMIN else principal.user_id
        async with self.chat.uow() as uow:
            rows = await uow.commands.list(user_id=mine, limit=RECENT_COMMANDS)
        return [{"id": str(r.id), "action": r.action, "server": r.server_name, "actor": r.actor, "door": r.door,
                 "state": r.state, "outcome": r.outcome, "exit_code": r.exit_code, "risk": r.risk_level,
                 "executed_at": r.executed_at.isoformat() if r.executed_at else None} for r in rows]

    async def audit_verification(self, principal: Principal) -> dict[str, Any]:
        try:
            report = await audit.verify_as(self.uow, principal, **self.audit_evidence())
        except DomainError as exc:
            raise DoorError.of(exc) from None
        return {"ok": report.ok, "checked": report.checked, "problem": report.problem,
                "first_bad_seq": report.first_bad_seq,
                "message": report.message_fr if principal.language == "fr" else report.message_en}


def _explained(out: dict[str, Any], principal: Principal, kind: str) -> dict[str, Any]:
    """A pending request's state in plain words; an expired one is an error result (`ok` false) saying what to
    do: nothing ran, call the tool again."""
    state, until, fr = out["state"], out.get("expires_at"), principal.language == "fr"
    who = principal.email if kind == "confirmation" else "another admin"
    texts = {
        "pending": (f"Waiting for {who} to confirm it in ChatOps Commander until {until}; nothing ran yet.",
                    f"En attente de la confirmation de {who} dans ChatOps Commander jusqu'à {until} ; rien n'a "
                    f"encore été lancé."),
        "requested": (f"Waiting for another admin's approval until {until}; nothing ran yet.",
                      f"En attente de l'approbation d'un autre admin jusqu'à {until} ; rien n'a encore été lancé."),
        "expired": (f"This {kind} expired at {until}: nothing ran. Call the tool again to ask anew.",
                    f"Cette {'confirmation' if kind == 'confirmation' else 'approbation'} a expiré à {until} : "
                    f"rien n'a été lancé. Rappelez l'outil pour redemander."),
        "cancelled": ("Cancelled: nothing ran.", "Annulée : rien n'a été lancé."),
        "rejected": ("Rejected by an admin: nothing ran.", "Refusée par un admin : rien n'a été lancé."),
    }.get(state, ("Confirmed: the results per host are in `hosts`." if kind == "confirmation" else
                  "Approved: the results per host are in `hosts`.",
                  "Confirmée : les résultats par serveur sont dans `hosts`." if kind == "confirmation" else
                  "Approuvée : les résultats par serveur sont dans `hosts`."))
    out["message"] = texts[1] if fr else texts[0]
    if state == "expired":
        out["ok"] = False
        out["error"] = {"code": f"{kind}_expired", "message": texts[0], "message_fr": texts[1]}
    return out


async def _approval(uow: Any, ident: str) -> Any:
    try:
        UUID(ident)
    except ValueError:
        return None
    return await uow.approvals.get(ident)


def _text(args: Mapping[str, Any], name: str, limit: int) -> str:
    value = args.get(name)
    extra = sorted(set(args) - {name})
    if not isinstance(value, str) or not value.strip() or len(value) > limit or extra:
        raise DoorError("invalid_arguments", f"This tool takes one argument, {name}: a text of 1 to {limit} "
                                             f"characters.",
                        f"Cet outil prend un argument, {name} : un texte de 1 à {limit} caractères.")
    return value.strip()
