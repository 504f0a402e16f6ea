"""The platform door on the shipped fakes (store, fleet, clock) and the real chat engine, pipeline and parser."""

from __future__ import annotations

from dataclasses import dataclass, field

from chatops_commander.domain.roles import Role
from chatops_commander.services.platforms.contract import ButtonPress, ChatUser, Inbound, Outbound, Place, Platform
from chatops_commander.services.platforms.door import PlatformDoorService
from chatops_commander.services.platforms.linking import Linking
from chatops_commander.services.platforms.memory import InMemoryPlatformStore
from chatops_commander.services.platforms.records import ChatIdentity
from chatops_commander.services.platforms.signing import ButtonSigner
from chatops_commander.services.principal import Principal
from tests.unit.pipeline.world import World, shop_cache_flush

KEY = b"k" * 32
OPS = Place(Platform.SLACK, "T1", "C-ops")
APPROVERS = Place(Platform.SLACK, "T1", "C-approvers")


@dataclass
class PlatformWorld:
    w: World = field(default_factory=lambda: World(packs=[shop_cache_flush()]))
    store: InMemoryPlatformStore = field(default_factory=InMemoryPlatformStore)
    approvers: Place | None = None
    waits: dict[str, int] = field(default_factory=dict)
    _door: PlatformDoorService | None = None

    def __post_init__(self) -> None:
        self.w.host("web-01", services={"nginx": True}, tags=("production",))
        self.w.host("db-01", services={"postgresql": True}, tags=("database",))

    async def _rate(self, key: str) -> int:
        return self.waits.get(key, 0)

    @property
    def door(self) -> PlatformDoorService:
        if self._door is None:
            self._door = PlatformDoorService(
                self.w.chat, self.store, ButtonSigner(KEY), clock=self.w.clock,
                link_url=lambda token: f"https://chatops.example/link/{token}", rate=self._rate,
                approvers={Platform.SLACK: self.approvers} if self.approvers else None)
        return self._door

    @property
    def linking(self) -> Linking:
        return Linking(self.w.store, self.store, clock=self.w.clock)  # type: ignore[arg-type]

    async def linked(self, user_id: str, role: Role, email: str, **kw: object) -> tuple[ChatUser, Principal]:
        principal = self.w.user(role, email, **kw)  # type: ignore[arg-type]
        assert principal.user_id is not None
        await self.store.link(ChatIdentity(Platform.SLACK, user_id, principal.user_id, "T1"))
        return ChatUser(Platform.SLACK, user_id, email.split("@")[0]), principal

    async def say(self, who: ChatUser, text: str, place: Place = OPS) -> list[Outbound]:
        return list(await self.door.on_message(Inbound(place, who, text)))

    async def press(self, who: ChatUser, payload: str, place: Place = OPS) -> list[Outbound]:
        return list(await self.door.on_button(ButtonPress(place, who, payload)))


def button(out: list[Outbound], label: str) -> str:
    for message in out:
        if message.card is not None:
            for b in message.card.buttons:
                if b.label.startswith(label):
                    return b.payload
    raise AssertionError(f"no button {label!r} in {out}")


def text(out: list[Outbound]) -> str:
    return "\n".join(m.text for m in out)
