"""Button payloads: opaque to adapters, signed by the door (HMAC-SHA256 under a key derived from the
server's secret), bound to the card (confirmation or approval id + action hash) and to the chat user
the card was made for, single use (the nonce is remembered) and expiring.

`<base64url(json claims)>.<base64url(hmac)>` — at most a few hundred bytes (Slack allows 2000).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class Press(StrEnum):
    CONFIRM = "confirm"
    CANCEL = "cancel"
    APPROVE = "approve"
    REJECT = "reject"
    CHOOSE = "choose"


class ButtonRefused(Exception):
    """A payload that is not ours, altered, expired or meant for someone else; `code` is stable."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ButtonClaim:
    press: Press
    ref: str  # confirmation id, approval id, or the conversation id for a numbered choice
    action_hash: str  # the action's hash; for a numbered choice, the digest of the option the button shows
    chat_user: str  # "platform:user id" the card was made for (the requester for an approval card)
    nonce: str
    expires_at: datetime
    option: int = 0
    lang: str = ""  # the card's language (what the door answers in when the card's owner presses it again)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class ButtonSigner:
    MAX_LEN = 1500

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("the button signing key must be at least 32 bytes")
        self._key = key

    def _mac(self, body: str) -> str:
        return _b64(hmac.new(self._key, body.encode("ascii"), hashlib.sha256).digest())

    def issue(self, press: Press, ref: str, action_hash: str, chat_user: str, expires_at: datetime, *,
              option: int = 0, nonce: str | None = None, lang: str = "") -> str:
        claims: dict[str, str | int] = {"p": press.value, "r": ref, "h": action_hash, "u": chat_user,
                                        "n": nonce or secrets.token_urlsafe(12), "e": int(expires_at.timestamp()),
                                        "o": option}
        if lang:
            claims["l"] = lang
        body = _b64(json.dumps(claims, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        return f"{body}.{self._mac(body)}"

    def verify(self, payload: str, now: datetime) -> ButtonClaim:
        """The claims of a payload we signed and that has not expired; ButtonRefused otherwise (replays are the
        store's business: `PlatformStore.use_nonce`)."""
        if not payload or len(payload) > self.MAX_LEN or payload.count(".") != 1 or not payload.isascii():
            raise ButtonRefused("malformed")
        body, mac = payload.split(".")
        if not hmac.compare_digest(self._mac(body), mac):
            raise ButtonRefused("forged")
        try:
            claims = json.loads(_unb64(body))
            claim = ButtonClaim(Press(claims["p"]), str(claims["r"]), str(claims["h"]), str(claims["u"]),
                                str(claims["n"]), datetime.fromtimestamp(int(claims["e"]), UTC), int(claims["o"]),
                                str(claims.get("l") or ""))
        except (ValueError, KeyError, TypeError):
            raise ButtonRefused("malformed") from None
        if claim.expires_at <= now:
            raise ButtonRefused("expired")
        return claim
