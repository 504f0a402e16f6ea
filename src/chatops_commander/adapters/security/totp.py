"""TOTP second factor (pyotp): enrolment (secret, otpauth URI, SVG QR code via segno) and
verification with a ±1 step window and replay prevention (a time step is accepted once)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno

from chatops_commander.domain.security.errors import rejected

ISSUER = "ChatOps Commander"
INTERVAL_S = 30
DIGITS = 6
WINDOW = 1
_CODE_RE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class TotpEnrollment:
    secret: str  # base32; store encrypted (SecretBox), never log
    uri: str  # otpauth://totp/ChatOps%20Commander:alice@example.com?secret=...&issuer=...
    qr_svg: str


def enroll(account: str, *, secret: str | None = None) -> TotpEnrollment:
    secret = secret or pyotp.random_base32(length=32)
    uri = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL_S).provisioning_uri(
        name=account, issuer_name=ISSUER)
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=4, xmldecl=False,
                                    title=f"{ISSUER} — {account}")
    return TotpEnrollment(secret=secret, uri=uri, qr_svg=buffer.getvalue().decode("utf-8"))


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // INTERVAL_S


def verify(secret: str, code: str, *, now: datetime, last_used_step: int | None) -> int:
    """Return the matched time step (store it as the new `last_used_step`).

    Raises `CredentialRejected`: "totp_malformed", "totp_wrong", or "totp_replayed" when the
    code's step is not after the last accepted one.
    """
    code = code.strip().replace(" ", "")
    if not _CODE_RE.match(code):
        raise rejected("totp_malformed", "The code must be 6 digits.", "Le code doit comporter 6 chiffres.")
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL_S)
    current = time_step(now)
    matched = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            matched = step
    if matched is None:
        raise rejected("totp_wrong", "Wrong authentication code.", "Code d'authentification incorrect.")
    if last_used_step is not None and matched <= last_used_step:
        raise rejected("totp_replayed", "This code was already used; wait for the next one.",
                       "Ce code a déjà servi ; attendez le suivant.")
    return matched


def code_at(secret: str, now: datetime) -> str:
    """The code an authenticator shows at `now` (for tests and the CLI's self-check)."""
    return str(pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL_S).at(now))
