"""Security errors with a stable machine `reason` and an English/French message."""

from __future__ import annotations

from chatops_commander.domain.errors import AuthenticationFailed, DomainError


class CredentialRejected(AuthenticationFailed):
    """A password, token, code or signature was refused. `reason` is stable (for audit/tests)."""

    def __init__(self, reason: str, message: str, *, message_fr: str) -> None:
        super().__init__(message, message_fr=message_fr)
        self.reason = reason


class SecretUnreadable(DomainError):
    """A ciphertext could not be decrypted (wrong key, tampered data, wrong binding).

    The message never contains the ciphertext or any key material.
    """

    code = "secret_unreadable"
    status_hint = 500

    def __init__(self, reason: str, message: str, *, message_fr: str) -> None:
        super().__init__(message, message_fr=message_fr)
        self.reason = reason


def rejected(reason: str, en: str, fr: str) -> CredentialRejected:
    return CredentialRejected(reason, en, message_fr=fr)
