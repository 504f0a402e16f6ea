"""Domain errors. Each carries a stable `code` and an English/French message.

* DomainError
  + ValidationFailed   — input breaks a rule; lists (field, problem) pairs
  + NotFound           — a named thing does not exist
  + Conflict           — it exists already / state forbids it
  + PermissionDenied   — the principal may not do this
  + AuthenticationFailed
  + RateLimited
  + ExecutionError     — running a command failed before it produced a result
"""

from __future__ import annotations


class DomainError(Exception):
    code = "error"
    status_hint = 400

    def __init__(self, message: str, *, message_fr: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_fr = message_fr or message

    def localized(self, lang: str) -> str:
        return self.message_fr if lang == "fr" else self.message


class ValidationFailed(DomainError):
    code = "validation_failed"
    status_hint = 422

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        text = "; ".join(f"{f}: {p}" for f, p in problems)
        super().__init__(f"Invalid input — {text}", message_fr=f"Entrée invalide — {text}")


class NotFound(DomainError):
    code = "not_found"
    status_hint = 404


class Conflict(DomainError):
    code = "conflict"
    status_hint = 409


class PermissionDenied(DomainError):
    code = "forbidden"
    status_hint = 403


class AuthenticationFailed(DomainError):
    code = "unauthorized"
    status_hint = 401


class RateLimited(DomainError):
    code = "rate_limited"
    status_hint = 429

    def __init__(self, message: str, *, retry_after: int, message_fr: str | None = None) -> None:
        super().__init__(message, message_fr=message_fr)
        self.retry_after = retry_after


class ExecutionError(DomainError):
    code = "execution_error"
    status_hint = 502
