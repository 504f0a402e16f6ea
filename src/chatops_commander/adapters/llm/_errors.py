"""Provider failures → `IntentModelError` with a message that is safe to log."""

from __future__ import annotations

from chatops_commander.nlu.llm import IntentModelError


def provider_error(provider: str, exc: BaseException) -> IntentModelError:
    """Name the failure (timeout, connection, HTTP status) without the SDK's message or request.

    SDK exceptions hold the request (with its authentication headers) and the response body;
    none of that is copied. Raise the result `from None` so the chain is not printed either.
    """
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return IntentModelError(f"{provider}: HTTP {status} ({type(exc).__name__})")
    name = type(exc).__name__
    if "Timeout" in name:
        return IntentModelError(f"{provider}: request timed out")
    if "Connection" in name:
        return IntentModelError(f"{provider}: connection failed")
    return IntentModelError(f"{provider}: {name}")


def secret_value(value: object) -> str | None:
    """A plain string from a str or a pydantic `SecretStr`-like object; None when empty."""
    if value is None:
        return None
    getter = getattr(value, "get_secret_value", None)
    raw = getter() if callable(getter) else value
    if not isinstance(raw, str):
        raise TypeError("the API key must be a string")
    return raw or None
