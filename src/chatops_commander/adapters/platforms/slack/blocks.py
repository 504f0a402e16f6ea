"""`Outbound` → Slack message (fallback text + Block Kit blocks), and back: which button was pressed.

Slack's limits are respected and said: a section's text is cut at 3000 characters, at most 10 fields and
25 elements per actions block, a button's text at 75 characters and its value at 2000.
"""

from __future__ import annotations

import re
from typing import Any

from chatops_commander.services.platforms.contract import ButtonStyle, Outbound
from chatops_commander.services.platforms.wording import cut

SECTION_MAX = 3000
OUTPUT_MAX = 2800
ACTION_PREFIX = "chatops_button_"
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Our light markdown to Slack's mrkdwn (`**bold**` → `*bold*`), escaped."""
    return _BOLD.sub(r"*\1*", escape(text))


def to_slack(message: Outbound) -> tuple[str, list[dict[str, Any]]]:
    lang = message.lang
    text = mrkdwn(message.text)
    if message.mention is not None:
        text = f"<@{message.mention.user_id}> {text}"
    blocks: list[dict[str, Any]] = []
    if text:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": cut(text, SECTION_MAX, lang)}})
    for out in message.outputs:
        mark = "✅" if out.ok else "❌"
        body = cut(out.text.replace("```", "'''"), OUTPUT_MAX, lang)
        blocks.append({"type": "section",
                       "text": {"type": "mrkdwn", "text": f"{mark} *{escape(out.host)}*\n```{body}```"}})
    card = message.card
    if card is not None:
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": card.title[:150]}})
        if card.fields:
            blocks.append({"type": "section", "fields": [
                {"type": "mrkdwn", "text": cut(f"*{escape(k)}*\n{escape(v)}", 2000, lang)}
                for k, v in card.fields[:10]]})
        if card.buttons:
            elements: list[dict[str, Any]] = []
            for n, button in enumerate(card.buttons[:25]):
                element: dict[str, Any] = {"type": "button", "action_id": f"{ACTION_PREFIX}{n}",
                                           "text": {"type": "plain_text", "text": button.label[:75]},
                                           "value": button.payload[:2000]}
                if button.style is not ButtonStyle.DEFAULT:
                    element["style"] = button.style.value
                elements.append(element)
            blocks.append({"type": "actions", "block_id": f"chatops_{card.kind.value}", "elements": elements})
        if card.expires_at is not None:
            when = card.expires_at.strftime("%Y-%m-%d %H:%M UTC")
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": (
                f"Expire le {when}" if lang == "fr" else f"Expires {when}")}]})
    fallback = cut(message.text or (card.title if card else ""), SECTION_MAX, lang)
    if message.mention is not None:
        fallback = f"<@{message.mention.user_id}> {fallback}"
    return fallback, blocks
