"""A local Microsoft Teams for the tests, speaking the wire formats the real SDK speaks. Test servers, not mocks:

- the **Bot Framework connector** (plain HTTP on loopback): its OpenID metadata and signing keys (JWKS) that the
  SDK fetches to validate inbound activities, and the REST API the bot posts to (`POST /v3/conversations/{id}/
  activities`, `POST /v3/conversations` for a 1:1 chat), which accepts only a bearer token issued by the Entra below;
- **Microsoft Entra ID** (HTTPS, a certificate for login.microsoftonline.com signed by a CA made for the test): the
  tenant's OpenID configuration and the OAuth 2.0 client-credentials token endpoint that MSAL (inside the SDK) calls;
- an **HTTP CONNECT proxy** that takes MSAL's `https://login.microsoftonline.com` there (HTTPS_PROXY, with the test
  CA in REQUESTS_CA_BUNDLE): MSAL itself is not changed in any way.

And Teams' side of a conversation: `say` posts a message activity, `press` an `adaptiveCard/action` invoke, each
with a JWT signed by the connector's key (or a forged one), as Teams does.

It runs on its own thread and event loop: the SDK fetches the signing keys with a blocking call on the bot's loop.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.e2e.platforms.fake_server import Changes, serve_loopback

APP_ID = "00000000-0000-4000-8000-0000000000a1"  # test values
APP_PASSWORD = "teams-client-secret-for-tests"
TENANT = "11111111-2222-4333-8444-555555555555"
BOT_NAME = "ChatOps"
LOGIN_HOST = "login.microsoftonline.com"
ISSUER = "https://api.botframework.com"
CHANNEL = "19:ops@thread.tacv2"
APPROVERS = "19:approvers@thread.tacv2"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA, and a certificate for login.microsoftonline.com it signed: (ca.pem, cert.pem, key.pem)."""
    now = dt.datetime.now(dt.UTC)
    ca_key, leaf_key = _key(), _key()
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chatops test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOGIN_HOST)]))
            .issuer_name(ca_name).public_key(leaf_key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(LOGIN_HOST)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = folder / "ca.pem", folder / "login.pem", folder / "login.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(_pem(leaf_key))
    return paths


@dataclass
class TeamsPost:
    """An activity the bot posted through the connector."""

    id: str
    conversation_id: str
    activity: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.activity.get("text") or "")

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment["content"])
        return None

    def actions(self) -> dict[str, dict[str, Any]]:
        return {a["title"]: a for a in (self.card or {}).get("actions") or []}

    @property
    def all_text(self) -> str:
        parts = [self.text]
        card = self.card or {}
        for element in card.get("body") or []:
            parts.append(str(element.get("text") or ""))
            parts += [f"{f['title']}: {f['value']}" for f in element.get("facts") or []]
        return "\n".join(parts)

    @property
    def mentions(self) -> list[str]:
        return [e["mentioned"]["id"] for e in self.activity.get("entities") or [] if e.get("type") == "mention"]


@dataclass
class FakeTeams:
    folder: Path
    posts: list[TeamsPost] = field(default_factory=list)
    token_requests: int = 0
    refused_calls: int = 0
    bot_url: str = ""  # the bot's messaging endpoint, set by the test once the bot listens
    connector_port: int = 0
    entra_port: int = 0
    proxy_port: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _changes: Changes = field(default_factory=Changes)  # notified (from the fake's thread) on every post

    def __post_init__(self) -> None:
        self._genuine: str | None = None
        self.connector_key, self.entra_key, self.forger_key = _key(), _key(), _key()
        self.ca, self.cert, self.cert_key = _certificates(self.folder)
        self._loop = asyncio.new_event_loop()
        self._runners: list[web.AppRunner] = []
        self._proxy: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-teams", daemon=True)

    # ---- lifecycle (called from the test's loop; the servers live on their own)

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.connector_port}/"

    @property
    def openid_metadata_url(self) -> str:
        return f"http://127.0.0.1:{self.connector_port}/v1/.well-known/openidconfiguration"

    def environment(self) -> dict[str, str]:
        """What the bot's process needs to reach this Entra through the proxy (nothing else is proxied)."""
        return {"HTTPS_PROXY": f"http://127.0.0.1:{self.proxy_port}",
                "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
                "REQUESTS_CA_BUNDLE": str(self.ca)}

    async def _start(self) -> None:
        import ssl

        connector = web.Application()
        connector.router.add_get("/v1/.well-known/openidconfiguration", self._openid)
        connector.router.add_get("/v1/.well-known/keys", self._keys)
        connector.router.add_post("/v3/conversations", self._create_conversation)
        connector.router.add_post("/v3/conversations/{cid}/activities", self._post_activity)
        connector.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._post_activity)
        self.connector_port = await self._serve(connector, None)
        entra = web.Application()
        entra.router.add_get("/common/discovery/instance", self._instance_discovery)
        entra.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._tenant_configuration)
        entra.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(self.cert, self.cert_key)
        self.entra_port = await self._serve(entra, tls)
        self._proxy = await asyncio.start_server(self._tunnel, "127.0.0.1", 0)
        self.proxy_port = self._proxy.sockets[0].getsockname()[1]

    async def _serve(self, app: web.Application, tls: Any) -> int:
        runner, port = await serve_loopback(app, tls=tls, quiet=True)
        self._runners.append(runner)
        return port

    async def _stop(self) -> None:
        if self._proxy is not None:
            self._proxy.close()
        for runner in self._runners:
            await runner.cleanup()
        tunnels = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tunnels:
            task.cancel()
        await asyncio.gather(*tunnels, return_exceptions=True)

    # ---- the proxy: only login.microsoftonline.com:443, to the local Entra

    async def _tunnel(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            method, target, _ = head.split(b"\r\n", 1)[0].decode().split(" ", 2)
            if method != "CONNECT" or target != f"{LOGIN_HOST}:443":
                writer.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.entra_port)
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()

            async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
                try:
                    while data := await src.read(65536):
                        dst.write(data)
                        await dst.drain()
                finally:
                    dst.close()

            await asyncio.gather(asyncio.create_task(pipe(reader, up_writer)),
                                 asyncio.create_task(pipe(up_reader, writer)), return_exceptions=True)
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    # ---- Entra ID

    async def _instance_discovery(self, _: web.Request) -> web.Response:
        return web.json_response({"api-version": "1.1", "tenant_discovery_endpoint": f"https://{LOGIN_HOST}/common/"
                                  "v2.0/.well-known/openid-configuration", "metadata": [{
                                      "preferred_network": LOGIN_HOST, "preferred_cache": "login.windows.net",
                                      "aliases": [LOGIN_HOST, "login.windows.net", "login.microsoft.com"]}]})

    async def _tenant_configuration(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        base = f"https://{LOGIN_HOST}/{tenant}"
        return web.json_response({"token_endpoint": f"{base}/oauth2/v2.0/token",
                                  "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                                  "issuer": f"{base}/v2.0", "jwks_uri": f"{base}/discovery/v2.0/keys"})

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        with self._lock:
            self.token_requests += 1
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != APP_ID \
                or form.get("client_secret") != APP_PASSWORD:
            return web.json_response({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client "
                                      "secret provided."}, status=401)
        now = int(time.time())
        token = jwt.encode({"aud": ISSUER, "iss": f"https://sts.windows.net/{request.match_info['tenant']}/",
                            "appid": APP_ID, "iat": now, "nbf": now, "exp": now + 3600},
                           _pem(self.entra_key), algorithm="RS256")
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                  "access_token": token})

    # ---- the connector

    async def _openid(self, _: web.Request) -> web.Response:
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.service_url}v1/.well-known/keys",
                                  "id_token_signing_alg_values_supported": ["RS256"],
                                  "token_endpoint_auth_methods_supported": ["private_key_jwt"]})

    async def _keys(self, _: web.Request) -> web.Response:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.connector_key.public_key()))
        return web.json_response({"keys": [{**jwk, "kid": "connector-1", "use": "sig", "alg": "RS256",
                                            "endorsements": ["msteams"]}]})

    def _authorized(self, request: web.Request) -> bool:
        raw = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            jwt.decode(raw, self.entra_key.public_key(), algorithms=["RS256"], audience=ISSUER)
        except jwt.InvalidTokenError:
            with self._lock:
                self.refused_calls += 1
            return False
        return True

    async def _post_activity(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        body = await request.json()
        post = TeamsPost(request.match_info.get("aid") or f"post-{next(self._ids)}", request.match_info["cid"], body)
        with self._lock:
            self.posts.append(post)
        self._changes.notify()
        return web.json_response({"id": post.id})

    async def _create_conversation(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        body = await request.json()
        member = body["members"][0]["id"]
        return web.json_response({"id": f"a:direct-{member}", "activityId": None, "serviceUrl": self.service_url})

    # ---- Teams' side of the conversation (called from the test's loop)

    def token(self, *, key: rsa.RSAPrivateKey | None = None, **claims: Any) -> str:
        """A connector JWT. The genuine one (no arguments) is signed once and reused, as the connector does for an
        hour: signing is the test's cost, not the bot's, and must not weigh on the bench."""
        if key is None and not claims and self._genuine is not None:
            return self._genuine
        now = int(time.time())
        body = {"iss": ISSUER, "aud": APP_ID, "serviceurl": self.service_url, "iat": now, "nbf": now,
                "exp": now + 3600, **claims}
        signed = jwt.encode(body, key or self.connector_key, algorithm="RS256", headers={"kid": "connector-1"})
        if key is None and not claims:
            self._genuine = signed
        return signed

    def _activity(self, user: str, user_name: str, conversation: str, kind: str, **extra: Any) -> dict[str, Any]:
        activity_id = f"act-{next(self._ids)}"
        channel_data: dict[str, Any] = {"tenant": {"id": TENANT}}
        if kind == "channel":
            channel_data |= {"channel": {"id": conversation.partition(";")[0]}, "team": {"id": "19:team@thread.skype"}}
        return {"id": activity_id, "channelId": "msteams", "serviceUrl": self.service_url,
                "timestamp": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
                "from": {"id": f"29:{user}", "name": user_name, "aadObjectId": user},
                "recipient": {"id": f"28:{APP_ID}", "name": BOT_NAME},
                "conversation": {"id": conversation, "conversationType": kind, "tenantId": TENANT,
                                 "isGroup": kind != "personal"},
                "channelData": channel_data, "locale": "en-US", **extra}

    async def send(self, activity: dict[str, Any], token: str | None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        # verify=False: the bot is plain HTTP on loopback; it spares loading the CA bundle on every message
        async with httpx.AsyncClient(timeout=30, trust_env=False, verify=False) as client:
            return await client.post(self.bot_url, json=activity, headers=headers)

    async def say(self, user: str, name: str, text: str, *, channel: str | None = CHANNEL,
                  token: str | None = "", thread: str | None = None) -> tuple[httpx.Response, dict[str, Any]]:
        """A message: in a channel (mentioning the bot; a new thread unless `thread`), or with channel=None in the
        user's 1:1 chat with the bot. token="" signs it with the connector's key; None sends none."""
        if channel is None:
            activity = self._activity(user, name, f"a:direct-29:{user}", "personal", type="message", text=text,
                                      textFormat="plain")
        else:
            mention = f"<at>{BOT_NAME}</at>"
            activity = self._activity(user, name, "", "channel", type="message", text=f"{mention} {text}",
                                      textFormat="plain", entities=[{"type": "mention", "text": mention, "mentioned": {
                                          "id": f"28:{APP_ID}", "name": BOT_NAME}}])
            activity["conversation"]["id"] = f"{channel};messageid={thread or activity['id']}"
            activity["channelData"]["channel"] = {"id": channel}
        response = await self.send(activity, self.token() if token == "" else token)
        return response, activity

    async def press(self, post: TeamsPost, title: str, user: str, name: str, *,
                    data: dict[str, Any] | None = None) -> httpx.Response:
        """Clicks a card's Action.Execute button: the `adaptiveCard/action` invoke Teams sends."""
        action = post.actions()[title]
        channel = post.conversation_id.partition(";")[0]
        kind = "personal" if channel.startswith("a:") else "channel"
        activity = self._activity(user, name, post.conversation_id, kind, type="invoke", name="adaptiveCard/action",
                                  replyToId=post.id, value={"action": {
                                      "type": "Action.Execute", "id": str(uuid.uuid4()), "verb": action.get("verb"),
                                      "data": data if data is not None else action.get("data")},
                                      "trigger": "manual"})
        return await self.send(activity, self.token())

    async def wait_posts(self, count: int, timeout_s: float = 20.0) -> list[TeamsPost]:
        def posts() -> list[TeamsPost]:
            with self._lock:
                return list(self.posts)

        await self._changes.until(lambda: len(posts()) >= count, timeout_s, lambda: (
            f"expected {count} posts, got {len(posts())}: {[p.all_text for p in posts()]}"))
        return posts()
