"""LLM providers for the parser's fallback (issue 5): Anthropic and OpenAI-compatible endpoints."""

from chatops_commander.adapters.llm.anthropic_model import AnthropicIntentModel
from chatops_commander.adapters.llm.factory import PROVIDERS, build_intent_model
from chatops_commander.adapters.llm.openai_model import OpenAICompatibleIntentModel

__all__ = ["PROVIDERS", "AnthropicIntentModel", "OpenAICompatibleIntentModel", "build_intent_model"]
