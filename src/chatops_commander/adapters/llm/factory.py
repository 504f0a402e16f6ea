"""`build_intent_model`: settings → the configured `IntentModel`, or None when turned off."""

from __future__ import annotations

from typing import Any

from chatops_commander.adapters.llm._errors import secret_value
from chatops_commander.adapters.llm.anthropic_model import DEFAULT_ANTHROPIC_MODEL, AnthropicIntentModel
from chatops_commander.adapters.llm.openai_model import DEFAULT_OPENAI_MODEL, OpenAICompatibleIntentModel
from chatops_commander.nlu.llm import IntentModel

PROVIDERS = ("none", "anthropic", "openai")
_KNOWN = frozenset({"model", "base_url", "api_key", "timeout_s", "max_retries", "max_tokens", "temperature",
                    "confidence_threshold"})


def build_intent_model(provider: str | None, **settings: Any) -> IntentModel | None:
    """The model for `provider` ("none" | "anthropic" | "openai"), or None for "none"/empty.

    Settings (all optional except `api_key` for Anthropic and for api.openai.com): `model`,
    `base_url`, `api_key` (str or a `SecretStr`), `timeout_s`, `max_retries`, `max_tokens`
    (Anthropic), `temperature` (OpenAI-compatible). `confidence_threshold` is accepted and
    ignored here (it belongs to `LLMFallback`), so the whole settings group can be passed.
    Raises `ValueError` for an unknown provider or missing key, `TypeError` for an unknown
    setting; neither message contains the key.
    """
    name = (provider or "none").strip().lower()
    unknown = sorted(set(settings) - _KNOWN)
    if unknown:
        raise TypeError(f"unknown LLM setting(s): {', '.join(unknown)}")
    if name == "none":
        return None
    api_key = secret_value(settings.get("api_key"))
    base_url = settings.get("base_url") or None
    common: dict[str, Any] = {"base_url": base_url}
    for key in ("timeout_s", "max_retries"):
        if settings.get(key) is not None:
            common[key] = settings[key]
    if name == "anthropic":
        if api_key is None:
            raise ValueError("CHATOPS_LLM_API_KEY is required for the anthropic provider")
        if settings.get("max_tokens") is not None:
            common["max_tokens"] = int(settings["max_tokens"])
        return AnthropicIntentModel(
            api_key=api_key, model=settings.get("model") or DEFAULT_ANTHROPIC_MODEL, **common
        )
    if name == "openai":
        if api_key is None and base_url is None:
            raise ValueError(
                "CHATOPS_LLM_API_KEY is required for api.openai.com (or set CHATOPS_LLM_BASE_URL)"
            )
        return OpenAICompatibleIntentModel(
            api_key=api_key, model=settings.get("model") or DEFAULT_OPENAI_MODEL,
            temperature=settings.get("temperature"), **common,
        )
    raise ValueError(f"unknown LLM provider {name[:32]!r}; expected one of: {', '.join(PROVIDERS)}")
