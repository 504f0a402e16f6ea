"""Users of the product (seed table `users`): identity, role, second factor state."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from chatops_commander.domain.roles import Role

EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,190}$")  # no control character
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
