"""Notification channels over HTTP (httpx): a signed generic webhook and a Slack-compatible incoming webhook."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import httpx

from chatops_commander.domain.monitoring.notify import SIGNATURE_HEADER, canonical_body, sign
from chatops_commander.services.ports_monitoring import SendResult

_EMOJI = {"critical": "🔴", "warning": "🟠", "info": "🔵"}


class _HttpChannel:
    def __init__(self, name: str, url: str, *, severities: tuple[str, ...] = (), timeout_s: float = 10.0) -> None:
        self.name, self.url, self.severities = name, url, severities
        self._client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)

    async def _post(self, body: bytes, headers: dict[str, str]) -> SendResult:
        try:
            resp = await self._client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return SendResult(False, error=f"{type(exc).__name__}: {exc}"[:500])
        if 200 <= resp.status_code < 300:
            return SendResult(True, resp.status_code)
        return SendResult(False, resp.status_code, f"HTTP {resp.status_code}: {resp.text[:200]}")

    async def close(self) -> None:
        await self._client.aclose()


class WebhookChannel(_HttpChannel):
    """JSON body; `X-ChatOps-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`."""

    def __init__(self, name: str, url: str, secret: str | None, *, severities: tuple[str, ...] = (),
                 timeout_s: float = 10.0) -> None:
        super().__init__(name, url, severities=severities, timeout_s=timeout_s)
        self._secret = secret.encode() if secret else None

    async def send(self, payload: Mapping[str, Any]) -> SendResult:
        body = canonical_body(payload)
        headers = {"Content-Type": "application/json", "User-Agent": "ChatOps-Commander"}
        if self._secret is not None:
            headers[SIGNATURE_HEADER] = sign(self._secret, int(time.time()), body)
        return await self._post(body, headers)


class SlackChannel(_HttpChannel):
    """A Slack (or Mattermost/Rocket.Chat) incoming webhook: `{"text": …}` in both languages."""

    async def send(self, payload: Mapping[str, Any]) -> SendResult:
        alert = payload["alert"]
        state = {"firing": "FIRING", "resolved": "RESOLVED ✅", "repeat": "STILL FIRING"}[payload["event"]]
        where = f" — {alert['server']}" if alert.get("server") else ""
        text = (f"{_EMOJI.get(alert['severity'], '')} *[{state}] {alert['severity'].upper()}*{where}\n"
                f"{alert['message']['en']}\n_{alert['message']['fr']}_")
        return await self._post(canonical_body({"text": text}), {"Content-Type": "application/json"})
