"""An in-process world for the action pipeline: the shipped fakes (store, fleet, clock, hub) and the real
pipeline, chat engine, catalog and offline parser on top."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from chatops_commander.domain.actions import ActionSpec, Intent, Vocabulary
from chatops_commander.domain.chat.runbooks import Runbook
from chatops_commander.domain.execution import CommandPlan
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission, Role
from chatops_commander.domain.security.audit_events import AuditEvent
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.domain.users import User
from chatops_commander.services.actions import ActionPipeline, ActionRequest, CommandJournal, Door
from chatops_commander.services.chat import ChatService
from chatops_commander.services.chat.turn import TurnReply
from chatops_commander.services.execution import FanOut
from chatops_commander.services.fakes import (
    FakeClock,
    FakeFleet,
    FakeHost,
    FakeHttp,
    InMemoryRunbooks,
    InMemoryStore,
    RecordingHub,
)
from chatops_commander.services.principal import AuthMethod, Principal
from chatops_commander.services.verification import Verifier, VerifyPolicy
from chatops_commander.skills.base import Skill
from chatops_commander.skills.catalog import catalog_specs
from chatops_commander.skills.registry import Registry, builtin_skills


def shop_cache_flush() -> Skill:
    """A pack's action that operators may run only with an admin's approval."""
    spec = ActionSpec(id="shop.cache_flush", intent=Intent.ACTION, risk=Risk.MEDIUM, permission=Permission.EXECUTE,
                      summary={"en": "Flush the shop's cache", "fr": "Vider le cache de la boutique"},
                      approval_for_operators=True,
                      vocabulary=Vocabulary(verbs={"en": ("flush",), "fr": ("vide",)},
                                            nouns={"en": ("shop cache",), "fr": ("cache de la boutique",)}))
    return Skill(spec=spec, build=lambda params, platform: CommandPlan((("shop-cache", "flush"),), timeout_s=30))


@dataclass
class World:
    store: InMemoryStore = field(default_factory=InMemoryStore)
    fleet: FakeFleet = field(default_factory=FakeFleet)
    clock: FakeClock = field(default_factory=FakeClock)
    hub: RecordingHub = field(default_factory=RecordingHub)
    runbooks: InMemoryRunbooks = field(default_factory=InMemoryRunbooks)
    packs: list[Skill] = field(default_factory=list)
    health_urls: dict[str, str] = field(default_factory=dict)  # server name → URL the HTTP probe checks
    live_check_s: float = 3.0  # how long a fleet question waits for a host before using its stored figures
    _http: FakeHttp | None = None
    _chat: ChatService | None = None

    @property
    def http(self) -> FakeHttp:
        if self._http is None:
            self._http = FakeHttp(self.fleet)
        return self._http

    def site(self, host: str, service: str) -> str:
        """`host` serves `service` over HTTP (checked by the diagnosis and after a restart)."""
        url = self.http.serve(f"http://{host}.example/health", host, service)
        self.health_urls[host] = url
        return url

    def host(self, name: str, *, services: dict[str, bool] | None = None, tags: Sequence[str] = (),
             **kw: Any) -> FakeHost:
        self.store.add_server(Server(name, name, "192.0.2.1", tags=tuple(tags), services=tuple(services or {})))
        return self.fleet.add(FakeHost(name, services=dict(services or {}), **kw))

    def user(self, role: Role, email: str, *, execute_on: Sequence[str] = (), lang: str = "en",
             read_on: Sequence[str] | None = None) -> Principal:
        """A user with a permission row per server: read everywhere (or on `read_on` only), execute on `execute_on`."""
        user = self.store.add_user(User(email, email.split("@")[0], role, language=lang))
        assert user.id is not None
        for server in self.store.servers.values():
            assert server.id is not None
            if read_on is not None and server.name not in read_on:
                continue
            self.store.permissions[(user.id, server.id)] = ServerPermission(
                can_read=True, can_execute=server.name in execute_on)
        return Principal(user_id=user.id, email=email, role=role, auth_method=AuthMethod.PASSWORD, language=lang)

    def registry(self) -> Registry:
        return Registry([*builtin_skills(), *self.packs])

    def specs(self) -> tuple[ActionSpec, ...]:
        return catalog_specs(self.registry())

    def journal(self) -> CommandJournal:
        return CommandJournal(self.store, clock=self.clock)  # type: ignore[arg-type]

    def pipeline(self, **kw: Any) -> ActionPipeline:
        return ActionPipeline(self.store, FanOut(self.fleet, self.registry()),  # type: ignore[arg-type]
                              {s.id: s for s in self.specs()}, journal=self.journal(), **kw)

    @property
    def chat(self) -> ChatService:
        if self._chat is None:
            # Restarts are verified as in production, with a short settle window (3 samples, 10 ms apart).
            fanout = FanOut(self.fleet, self.registry(), verifier=Verifier(VerifyPolicy(interval_s=0.01)))
            self._chat = ChatService(self.store, fanout, self.specs(),  # type: ignore[arg-type]
                                     clock=self.clock, hub=self.hub, runbooks=self.runbooks, default_language="en",
                                     http=self.http, health_urls=self.health_urls, live_check_s=self.live_check_s)
        return self._chat

    def add_runbook(self, book: Runbook) -> None:
        self.runbooks.books.append(book)

    async def conversation(self, principal: Principal) -> UUID:
        conv = await self.chat.create_conversation(principal)
        assert conv.id is not None
        return conv.id

    async def say(self, principal: Principal, conversation: UUID, text: str, **kw: Any) -> TurnReply:
        return await self.chat.handle_message(principal, conversation, text, **kw)

    def audit(self, action: str | None = None) -> list[AuditEvent]:
        return [e for e in self.store.audit if action is None or e.action.value == action]

    def rows(self, action: str | None = None) -> list[Any]:
        return [r for r in self.store.commands.values() if action is None or r.action == action]


def request(principal: Principal, action: str, targets: Sequence[str], door: Door = Door.CLI,
            **kw: Any) -> ActionRequest:
    params = kw.pop("parameters", {})
    return ActionRequest(principal, action, tuple(targets), params, door, **kw)


def text_of(reply: TurnReply) -> str:
    assert reply.message is not None
    return reply.message.content


def events_of(reply: TurnReply, kind: str) -> list[dict[str, Any]]:
    return [e.to_json() for e in reply.events if e.to_json()["type"] == kind]
