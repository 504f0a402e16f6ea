"""`IntentModel` on OpenAI Chat Completions with function calling (official `openai` SDK).

Works with any OpenAI-compatible endpoint that implements `tools` / `tool_choice`: OpenAI,
Ollama (`http://localhost:11434/v1`), vLLM (`http://host:8000/v1`, started with
`--enable-auto-tool-choice` and a `--tool-call-parser`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import openai

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

DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
_NO_KEY = "unused"  # local servers (Ollama, vLLM) ignore the key, the SDK insists on one


class OpenAICompatibleIntentModel:
    """Sends one chat completion forcing the `choose_action` function; reads its `tool_calls`.

    `temperature` is sent only when given (some OpenAI models refuse anything but the default).
    """

    provider = "openai"

    def __init__(
        self,
        *,
        model: str = DEFAULT_OPENAI_MODEL,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout_s: float = 8.0,
        max_retries: int = 0,
        temperature: float | None = None,
    ) -> None:
        if not api_key and base_url is None:
            raise ValueError("an API key is required for api.openai.com (or set a base URL)")
        self.model = model
        self.base_url = base_url
        self.temperature = temperature
        self._client = openai.AsyncOpenAI(
            api_key=api_key or _NO_KEY, base_url=base_url, timeout=timeout_s, max_retries=max_retries
        )

    def __repr__(self) -> str:
        return f"OpenAICompatibleIntentModel(model={self.model!r}, base_url={self.base_url!r})"

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
        function = {"name": name, "description": description, "parameters": schema}
        tool: Any = {"type": "function", "function": function}
        extra: dict[str, Any] = {} if self.temperature is None else {"temperature": self.temperature}
        try:
            completion = await self._client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": system_prompt(catalog, inventory)},
                    {"role": "user", "content": user_message(text, lang, context_summary)},
                ],
                tools=[tool],
                tool_choice={"type": "function", "function": {"name": name}},
                **extra,
            )
        except openai.OpenAIError as exc:
            raise provider_error(self.provider, exc) from None
        if not completion.choices:
            raise MalformedAnswer("openai: the answer has no choices")
        choice = completion.choices[0]
        if choice.finish_reason == "length":
            raise MalformedAnswer("openai: the answer was cut at the token limit")
        for call in choice.message.tool_calls or ():
            if call.type != "function":
                continue
            if call.function.name != name:
                raise MalformedAnswer("openai: the model called an unknown function")
            return proposal_from_arguments(call.function.arguments)
        return None
