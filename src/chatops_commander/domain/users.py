"""Users of the product (seed table `users`): identity, role, second factor state."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from chatops_commander.domain.roles import Role

# Not in an address: "@" and control or space characters, spelled out (Python's, Rust's and ECMAScript's "\s"
# differ, and the API's schema, its validation and the fuzzer must agree on one meaning).
_NOT_IN_EMAIL = r"@\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
EMAIL_RE = re.compile(rf"^[^{_NOT_IN_EMAIL}]{{1,64}}@[^{_NOT_IN_EMAIL}]{{1,190}}$")
NAME_MAX = 100


@dataclass(frozen=True)
class User:
    email: str
    name: str
    role: Role
    password_hash: str = field(default="", repr=False)
    id: UUID | None = None
    is_active: bool = True
    language: str = "en"
    language_chosen: bool = False  # set by the person (the language switch): decides the web pages everywhere
    totp_secret: str | None = field(default=None, repr=False)  # sealed (secret box), never clear text
    totp_enabled: bool = False
    totp_last_step: int | None = None
    recovery_codes: tuple[str, ...] = field(default=(), repr=False)  # hashes
    password_changed_at: datetime | None = None
    sessions_valid_after: datetime | None = None
    created_at: datetime | None = None
    last_login: datetime | None = None


def normalize_email(email: str) -> str:
    return email.strip().lower()
