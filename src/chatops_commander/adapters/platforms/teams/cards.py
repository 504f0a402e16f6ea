"""`Outbound` → a Teams message: markdown text, one code block per host output, and an Adaptive Card (1.5) for a
confirmation, a choice or an approval, its buttons being `Action.Execute` with the door's signed payload.

Teams shows at most ~28 KB per message: each output is cut at 4,000 characters and the whole text at 20,000, and
the cut says so in the conversation's language.
"""

from __future__ import annotations

from typing import Any

from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.models.account import Account
from microsoft_teams.cards import AdaptiveCard, ExecuteAction, Fact, FactSet, TextBlock

from chatops_commander.services.platforms.contract import ButtonStyle, Card, Outbound
from chatops_commander.services.platforms.wording import cut

VERB = "chatops"  # every button of ours; the payload is in the action's data under the same key
OUTPUT_MAX = 4_000
TEXT_MAX = 20_000
_STYLES: dict[ButtonStyle, Any] = {ButtonStyle.PRIMARY: "positive", ButtonStyle.DANGER: "destructive",
                                   ButtonStyle.DEFAULT: "default"}


def markdown(message: Outbound) -> str:
    """The message's text and its outputs, in Teams markdown (fenced blocks keep the output as it is)."""
    parts = [message.text]
    for out in message.outputs:
        body = cut(out.text.replace("```", "'''"), OUTPUT_MAX, message.lang)
        parts.append(f"{'✅' if out.ok else '❌'} **{out.host}**\n```\n{body}\n```")
    return cut("\n\n".join(p for p in parts if p), TEXT_MAX, message.lang)


def adaptive_card(card: Card, lang: str) -> AdaptiveCard:
    body: list[Any] = [TextBlock(text=card.title, weight="Bolder", size="Medium", wrap=True)]
    if card.fields:
        body.append(FactSet(facts=[Fact(title=label, value=value) for label, value in card.fields]))
    if card.expires_at is not None:
        when = card.expires_at.strftime("%Y-%m-%d %H:%M UTC")
        body.append(TextBlock(text=f"Expire le {when}" if lang == "fr" else f"Expires {when}", is_subtle=True,
                              size="Small", wrap=True))
    actions = [ExecuteAction(title=b.label, verb=VERB, data={VERB: b.payload, "lang": lang}, style=_STYLES[b.style])
               for b in card.buttons]
    return AdaptiveCard(version="1.5", body=body, actions=actions or None, fallback_text=card.title, lang=lang)


def to_activity(message: Outbound, mention: Account | None = None) -> MessageActivityInput:
    """The activity to post; `mention` is the Teams account (its `29:` id) to @mention, when known."""
    activity = MessageActivityInput(text="", text_format="markdown")
    if mention is not None:
        activity.add_mention(mention)
        activity.add_text(" ")
    elif message.mention is not None and message.mention.display_name:
        activity.add_text(f"@{message.mention.display_name} ")
    activity.add_text(markdown(message))
    if message.card is not None:
        activity.add_card(adaptive_card(message.card, message.lang))
    return activity


def card_payload(data: object) -> str:
    """The door's payload in an `Action.Execute`'s data ('' when it is not one of ours)."""
    if isinstance(data, dict):
        value = data.get(VERB)
        if isinstance(value, str):
            return value
    return ""
