"""Small adapters that give the security primitives the shape of the service ports:
opaque tokens, TOTP, recovery codes, named rate limits, the audit-log mirror and the keyring
store (the AES-GCM keys under `<data_dir>/secrets/keyring.json`, mode 0600)."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from chatops_commander.adapters.security import opaque_tokens, recovery_codes, totp
from chatops_commander.adapters.security.keys import KEY_BYTES, check_kid, generate_key
from chatops_commander.adapters.security.rate_limit import RateDecision, RateLimiter, RateLimitSpec
from chatops_commander.adapters.security.secret_box import Keyring, _unb64
from chatops_commander.domain.security.audit_events import AuditEvent

BASE_KID = "k0"


def derive_key(secret: str, purpose: str) -> bytes:
    """A 32-byte key for one purpose from a configured secret (HMAC-SHA256 as a KDF), so one
    configured value never serves two algorithms."""
    return hmac.new(secret.encode("utf-8"), f"chatops-commander/{purpose}".encode(), hashlib.sha256).digest()


class OpaqueTokenFactory:
    def new_refresh_token(self) -> str:
        return opaque_tokens.generate_refresh_token()

    def new_api_token(self) -> str:
        return opaque_tokens.generate_api_token()

    def is_api_token(self, token: str) -> bool:
        return opaque_tokens.has_prefix(token, opaque_tokens.API_TOKEN_PREFIX)

    def display_prefix(self, token: str) -> str:
        return opaque_tokens.display_prefix(token)


class Totp:
    def enroll(self, account: str) -> totp.TotpEnrollment:
        return totp.enroll(account)

    def verify(self, secret: str, code: str, *, now: datetime, last_used_step: int | None) -> int:
        return totp.verify(secret, code, now=now, last_used_step=last_used_step)


class RecoveryCodeBook:
    def __init__(self, hasher: opaque_tokens.TokenHasher) -> None:
        self._hasher = hasher

    def generate(self) -> list[str]:
        return recovery_codes.generate_recovery_codes()

    def hash_all(self, codes: Sequence[str]) -> list[str]:
        return recovery_codes.hash_recovery_codes(codes, self._hasher)

    def consume(self, code: str, stored_hashes: Sequence[str]) -> list[str]:
        return recovery_codes.consume_recovery_code(code, stored_hashes, self._hasher)


class NamedRateLimits:
    """`hit("login_account", email)` etc. with the limits given by the settings."""

    def __init__(self, limiter: RateLimiter, limits: Mapping[str, str]) -> None:
        self._limiter = limiter
        self._specs = {name: RateLimitSpec(name, limit) for name, limit in limits.items()}

    def hit(self, bucket: str, key: str) -> RateDecision:
        return self._limiter.hit(key, self._specs[bucket])


class JsonlAuditMirror:
    """Appends committed audit events to `audit.log` as JSON lines (the record with its hashes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def __call__(self, events: Sequence[AuditEvent]) -> None:
        lines = "".join(json.dumps(e.as_record(), sort_keys=True, ensure_ascii=False) + "\n" for e in events)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                fh.write(lines)


def read_audit_log_head(path: Path) -> tuple[int, str] | None:
    """(highest seq, its hash) found in `audit.log`, or None: what the database must still hold."""
    if not path.exists():
        return None
    best: tuple[int, str] | None = None
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                record = json.loads(line)
                seq, digest = int(record["seq"]), str(record["hash"])
            except (ValueError, KeyError, TypeError):
                continue
            if best is None or seq > best[0]:
                best = (seq, digest)
    return best


# --- keyring ---------------------------------------------------------------------------------

def _raw_key(value: str) -> bytes:
    try:
        raw = _unb64(value.strip())
    except ValueError:
        raw = b""
    if len(raw) != KEY_BYTES:
        raise ValueError("a keyring key must be 32 bytes in url-safe base64")
    return raw


class KeyringStore:
    """The encryption keyring: `k0` derived from CHATOPS_ENCRYPTION_KEY, plus the keys added by
    `chatops keys rotate`, kept in `<secrets dir>/keyring.json` ({"current": kid, "keys": {kid: b64}})."""

    def __init__(self, path: Path, encryption_key: str) -> None:
        self.path = path
        self._base = derive_key(encryption_key, "secret-box")

    def load(self) -> Keyring:
        keys = {BASE_KID: self._base}
        current = BASE_KID
        if self.path.exists():
            data = json.loads(self.path.read_text("utf-8"))
            keys.update({check_kid(kid): _raw_key(value) for kid, value in data.get("keys", {}).items()})
            current = str(data.get("current", BASE_KID))
        return Keyring(keys, current)

    def save(self, keyring: Keyring) -> None:
        from chatops_commander.adapters.security.secret_box import _b64

        data = {"current": keyring.current_kid,
                "keys": {kid: _b64(key) for kid, key in keyring.keys.items() if kid != BASE_KID}}
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @staticmethod
    def with_new_key(keyring: Keyring, kid: str) -> Keyring:
        return keyring.with_new_current(check_kid(kid), _raw_key(generate_key()))

    @staticmethod
    def with_current(keyring: Keyring, kid: str) -> Keyring:
        return Keyring(dict(keyring.keys), kid)
