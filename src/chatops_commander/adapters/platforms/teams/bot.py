"""The Microsoft Teams bot on Microsoft's Teams SDK for Python (`microsoft_teams.apps.App`, imported only here,
when the bot starts).

Teams (the Bot Framework connector) POSTs activities to our messaging endpoint; the SDK validates each one's JWT
(signature against the Bot Framework's published keys, issuer, audience = our app id, expiry, and the token's
`serviceurl` claim against the activity's) and answers 401 otherwise. A message (a direct chat, or a channel or
group chat message that @mentions the bot) becomes an `Inbound`; a card's `Action.Execute` (an `adaptiveCard/action`
invoke) becomes a `ButtonPress` with the door's signed payload. Both are answered at once (Teams retries an
activity left unanswered for 15 s) and the door runs in the background; its `Outbound` messages are posted through
the connector's REST API with the bot's token (client credentials, the SDK's MSAL). Activities Teams delivers twice
are handled once.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import Any

from chatops_commander.adapters.platforms.seen import SeenIds
from chatops_commander.adapters.platforms.teams.cards import VERB, card_payload, to_activity
from chatops_commander.adapters.platforms.teams.http import AiohttpAdapter
from chatops_commander.services.platforms import wording
from chatops_commander.services.platforms.contract import (
    ButtonPress,
    ChatUser,
    Inbound,
    Outbound,
    Place,
    Platform,
    PlatformDoor,
)

log = logging.getLogger("chatops.platforms.teams")
AT_MENTION = re.compile(r"<at[^>]*>.*?</at>", re.IGNORECASE | re.DOTALL)
TAGS = re.compile(r"<[^>]+>")
SEEN_ACTIVITIES = 1000
KNOWN_USERS = 10_000
CLOUDS = ("Public", "USGov", "USGovDoD", "China")
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams"


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str  # the Azure bot's Microsoft App ID (client id)
    app_password: str  # its client secret
    tenant_id: str | None = None  # single-tenant bots; None: multi-tenant
    host: str = "127.0.0.1"
    port: int = 3978
    path: str = "/api/messages"
    cloud: str = "Public"
    openid_metadata_url: str | None = None  # the connector's signing keys (default the cloud's Bot Framework ones)
    service_url: str = DEFAULT_SERVICE_URL  # where to post before any activity told us (approvers channel)
    approvers_channel: str | None = None


def clean(text: str | None) -> str:
    """The message without the bot's @mention and the HTML Teams may wrap it in."""
    text = AT_MENTION.sub("", text or "")
    text = TAGS.sub("", text).replace("&nbsp;", " ")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def user_id_of(account: Any) -> str:
    """A Teams user as the door knows them: their AAD object id (the same in every team and chat of the tenant)."""
    return str(account.aad_object_id or account.id)


def split_thread(conversation_id: str) -> tuple[str, str | None]:
    """'19:x@thread.tacv2;messageid=17' → ('19:x@thread.tacv2', '17')."""
    base, _, rest = conversation_id.partition(";messageid=")
    return base, (rest or None)


class TeamsBot:
    name = "teams"

    def __init__(self, door: PlatformDoor, config: TeamsConfig) -> None:
        from microsoft_teams.api.auth.cloud_environment import from_name as cloud_from_name
        from microsoft_teams.apps import App

        self.door, self.config = door, config
        cloud = cloud_from_name(config.cloud)
        if config.openid_metadata_url:
            cloud = dataclasses.replace(cloud, openid_metadata_url=config.openid_metadata_url)
        self.http = AiohttpAdapter(config.host)
        self.app = App(client_id=config.app_id, client_secret=config.app_password, tenant_id=config.tenant_id,
                       cloud=cloud, http_server_adapter=self.http, messaging_endpoint=config.path,
                       service_url=config.service_url, dangerously_allow_unauthenticated_requests=False,
                       state=False, fetch_user_token=False)
        self.app.on_message(self._on_message)
        self.app.on_card_action_execute(self._on_card)
        self._seen = SeenIds(SEEN_ACTIVITIES)
        self._accounts: OrderedDict[str, Any] = OrderedDict()  # AAD object id → Teams account (29:… id, name)
        self._service_urls: dict[str, str] = {}  # conversation (without thread) → the connector that serves it
        self._direct: dict[str, str] = {}  # AAD object id → their 1:1 conversation with the bot
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = asyncio.Event()

    @property
    def port(self) -> int | None:
        return self.http.port

    # ---- lifecycle

    async def run(self) -> None:
        self._closed.clear()
        await self.app.initialize()
        await self.http.start(self.config.port)
        log.info("teams bot listening on %s:%s%s", self.config.host, self.http.port, self.config.path)
        await self._closed.wait()

    async def close(self) -> None:
        self._closed.set()
        await self.http.stop()
        if self._tasks:  # turns in flight get a moment to post their answer
            _, pending = await asyncio.wait(set(self._tasks), timeout=5)
            for task in pending:
                task.cancel()

    # ---- Teams → door

    def _who(self, activity: Any) -> ChatUser:
        account = activity.from_
        aad = user_id_of(account)
        self._accounts[aad] = account
        self._accounts.move_to_end(aad)
        while len(self._accounts) > KNOWN_USERS:
            self._accounts.popitem(last=False)
        return ChatUser(Platform.TEAMS, aad, str(account.name or ""))

    def _place(self, activity: Any) -> Place:
        conversation = activity.conversation
        base, thread = split_thread(str(conversation.id))
        if activity.service_url:
            self._service_urls[base] = str(activity.service_url).rstrip("/")
        data = activity.channel_data
        tenant = str(conversation.tenant_id or (data.tenant.id if data and data.tenant else "") or "")
        kind = str(conversation.conversation_type or "personal")
        if kind == "channel":
            channel = str(data.channel.id) if data and data.channel and data.channel.id else base
            if channel != base and base in self._service_urls:
                self._service_urls.setdefault(channel, self._service_urls[base])
            return Place(Platform.TEAMS, tenant, channel, thread or str(activity.reply_to_id or activity.id or ""))
        if kind == "personal":
            self._direct[user_id_of(activity.from_)] = base
        return Place(Platform.TEAMS, tenant, base, None, direct=kind == "personal")

    async def _on_message(self, ctx: Any) -> None:
        activity = ctx.activity
        if activity.from_.id == activity.recipient.id or not self._seen.first_time(activity.id):
            return
        text = clean(activity.text)
        if not text:
            return
        inbound = Inbound(self._place(activity), self._who(activity), text, str(activity.id or ""))
        self._spawn(self.door.on_message(inbound))

    async def _on_card(self, ctx: Any) -> Any:
        from microsoft_teams.api.models.adaptive_card.adaptive_card_action_response import (
            AdaptiveCardActionErrorResponse,
            AdaptiveCardActionMessageResponse,
        )
        from microsoft_teams.api.models.error import HttpError

        activity = ctx.activity
        action = activity.value.action
        payload = card_payload(action.data)
        lang = str(action.data.get("lang") or "en") if isinstance(action.data, dict) else "en"
        if action.verb != VERB or not payload:
            return AdaptiveCardActionErrorResponse(status_code=400, value=HttpError(
                code="BadRequest", message="not a ChatOps Commander card action"))
        if self._seen.first_time(activity.id):
            press = ButtonPress(self._place(activity), self._who(activity), payload, str(activity.reply_to_id or ""))
            self._spawn(self.door.on_button(press))
        return AdaptiveCardActionMessageResponse(value=wording.press_received(lang))

    def _spawn(self, replies: Awaitable[Sequence[Outbound]]) -> None:
        task = asyncio.create_task(self._deliver(replies))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, replies: Awaitable[Sequence[Outbound]]) -> None:
        try:
            outs = await replies
        except Exception:  # one turn's failure never takes the bot down; the user sees nothing half-done
            log.exception("teams: the door failed on an activity")
            return
        for out in outs:
            try:
                await self.send(out)
            except Exception as exc:  # Entra refused our secret, the connector is down…: said in one line
                log.warning("teams: could not post to %s: %s: %s (check CHATOPS_TEAMS_APP_ID, "
                            "CHATOPS_TEAMS_APP_PASSWORD and CHATOPS_TEAMS_TENANT_ID)", out.place.channel_id,
                            type(exc).__name__, str(exc)[:300])

    # ---- door → Teams (PlatformSender)

    async def send(self, message: Outbound) -> str:
        if message.to is not None and not message.place.direct:  # Teams has no ephemeral message: a 1:1 chat
            conversation = await self._direct_with(message.to, message.place)
            if conversation is not None:
                private = dataclasses.replace(message, to=None, place=Place(
                    Platform.TEAMS, message.place.workspace, conversation, direct=True))
                sent = await self.send(private)
                await self.send(Outbound(message.place, wording.direct_message_sent(message.lang),
                                         lang=message.lang, mention=message.to))
                return sent
        place = message.place
        base = place.channel_id
        conversation_id = f"{base};messageid={place.thread_id}" if place.thread_id else base
        mention = self._accounts.get(message.mention.user_id) if message.mention is not None else None
        service_url = self._service_urls.get(base, self.config.service_url)
        posted = await self.app.send(conversation_id, to_activity(message, mention), service_url=service_url)
        return str(posted.id or "")

    async def _direct_with(self, user: ChatUser, place: Place) -> str | None:
        """The user's 1:1 conversation with the bot, created when there is none yet."""
        known = self._direct.get(user.user_id)
        if known is not None:
            return known
        account = self._accounts.get(user.user_id)
        if account is None:
            return None
        from microsoft_teams.api.clients.conversation.params import CreateConversationParams

        with contextlib.suppress(Exception):
            created = await self.app.api.conversations.create(CreateConversationParams(
                is_group=False, members=[account], tenant_id=place.workspace or self.config.tenant_id,
                channel_data={"tenant": {"id": place.workspace or self.config.tenant_id}}))
            self._direct[user.user_id] = str(created.id)
            return str(created.id)
        log.warning("teams: could not open a 1:1 chat with %s", user.user_id)
        return None
