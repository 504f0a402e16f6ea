"""Log redaction: a structlog-style processor `(logger, method, event_dict) -> event_dict`.

It walks nested dicts, lists and tuples and
* replaces the value of any key named like a secret (password, secret, token, private_key,
  authorization, api_key, cookie, pepper, totp…) with `[REDACTED]`;
* replaces every occurrence of a registered secret value inside any string;
* masks strings that look like our tokens (`cc_rt_…`, `cc_pat_…`), JWTs, `Bearer …`
  credentials, sealed secrets (`v1:<kid>:…`) and PEM private-key blocks.
The input is never modified; a redacted copy is returned.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"
MIN_KNOWN_SECRET_LEN = 6  # shorter values would mask ordinary words

SENSITIVE_KEY_RE = re.compile(
    r"pass(word|wd|phrase)?|secret|token|private[_-]?key|authorization|api[_-]?key|cookie|"
    r"pepper|credential|otp|totp|recovery[_-]?codes?|session[_-]?id|signature|ssh[_-]?key|"
    r"encryption[_-]?key|jwt", re.IGNORECASE)
VALUE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"cc_(?:rt|pat)_[A-Za-z0-9_-]{8,}"),
    re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)bearer\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\bv1:[A-Za-z0-9_-]{1,32}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22,}"),
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.DOTALL),
)
# Keys that merely mention a sensitive word but hold no secret.
SAFE_KEYS = frozenset({"token_type", "tokens_revoked", "password_changed", "event", "level", "logger"})


def is_sensitive_key(key: object) -> bool:
    return isinstance(key, str) and key.lower() not in SAFE_KEYS and bool(SENSITIVE_KEY_RE.search(key))


class SecretRedactor:
    """Add it to structlog's processor chain (before the renderer)."""

    def __init__(self, known_secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._known: tuple[str, ...] = ()
        for secret in known_secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str) -> None:
        """Register a value to mask wherever it appears (configured keys, peppers, passwords)."""
        if len(secret) < MIN_KNOWN_SECRET_LEN:
            return
        with self._lock:
            if secret not in self._known:
                # Longest first, so a secret containing another is masked whole.
                self._known = tuple(sorted((*self._known, secret), key=len, reverse=True))

    def __call__(self, logger: object, method_name: str, event_dict: Mapping[str, Any]) -> dict[str, Any]:
        return {self._key(key): self._value(key, value) for key, value in event_dict.items()}

    def redact_text(self, text: str) -> str:
        for secret in self._known:
            if secret in text:
                text = text.replace(secret, REDACTED)
        for pattern in VALUE_PATTERNS:
            text = pattern.sub(REDACTED, text)
        return text

    def _key(self, key: Any) -> Any:
        return self.redact_text(key) if isinstance(key, str) else key

    def _value(self, key: object, value: Any) -> Any:
        if is_sensitive_key(key) and value is not None:
            return REDACTED
        return self._walk(value)

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, bytes | bytearray):
            return self.redact_text(value.decode("utf-8", "replace"))
        if isinstance(value, Mapping):
            return {self._key(k): self._value(k, v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self._walk(item) for item in value]
        if isinstance(value, int | float | bool) or value is None:
            return value
        if isinstance(value, BaseException):
            return self.redact_text(f"{type(value).__name__}: {value}")
        shown = repr(value)  # other objects pass through unless their repr leaks a secret
        masked = self.redact_text(shown)
        return value if masked == shown else masked
