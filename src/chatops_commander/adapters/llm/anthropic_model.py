"""`IntentModel` on the Anthropic Messages API with tool use (official `anthropic` SDK)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anthropic

from chatops_commander.adapters.llm._errors import provider_error
from chatops_commander.adapters.llm.prompt import system_prompt, user_message
from chatops_commander.domain.actions import ActionSpec
from chatops_commander.domain.inventory import Inventory
from chatops_commander.nlu.llm import (
    MalformedAnswer,
    Proposal,
    build_choose_action_tool,
    proposal_from_arguments,
)

DEFAULT_ANTHROPIC_MODEL = "claude-haiku-4-5"  # fast and cheap: the fallback runs under a timeout


class AnthropicIntentModel:
    """Sends one Messages API request forcing the `choose_action` tool; reads its `tool_use` block.

    `max_retries` defaults to 0: the offline answer is the retry. The API key is held only by
    the SDK client and never appears in `repr`, logs or exception messages.
    """

    provider = "anthropic"

    def __init__(
        self,
        *,
        api_key: str,
        model: str = DEFAULT_ANTHROPIC_MODEL,
        base_url: str | None = None,
        timeout_s: float = 8.0,
        max_tokens: int = 512,
        max_retries: int = 0,
    ) -> None:
        if not api_key:
            raise ValueError("an API key is required for the anthropic provider")
        self.model = model
        self.base_url = base_url
        self.max_tokens = max_tokens
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )

    def __repr__(self) -> str:
        return f"AnthropicIntentModel(model={self.model!r}, base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self._client.close()

    async def propose(
        self,
        text: str,
        lang: str,
        catalog: Sequence[ActionSpec],
        inventory: Inventory,
        context_summary: str,
    ) -> Proposal | None:
        name, description, schema = build_choose_action_tool(catalog, inventory)
        tool: Any = {"name": name, "description": description, "input_schema": schema}
        try:
            message = await self._client.messages.create(
                model=self.model,
                max_tokens=self.max_tokens,
                system=system_prompt(catalog, inventory),
                messages=[{"role": "user", "content": user_message(text, lang, context_summary)}],
                tools=[tool],
                tool_choice={"type": "tool", "name": name},
            )
        except anthropic.AnthropicError as exc:
            raise provider_error(self.provider, exc) from None
        if message.stop_reason == "max_tokens":
            raise MalformedAnswer("anthropic: the answer was cut at max_tokens")
        for block in message.content:
            if block.type == "tool_use":
                if block.name != name:
                    raise MalformedAnswer("anthropic: the model called an unknown tool")
                return proposal_from_arguments(block.input)
        return None
