"""Reading Matrix room events (the client-server JSON) for the bot: who wrote, was the bot mentioned, what it says.

Pure functions over the event dicts of a `/sync` answer, so they are tested without a homeserver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class BotIdentity:
    user_id: str  # @chatops:example.org
    display_name: str = ""

    @property
    def localpart(self) -> str:
        return self.user_id[1:].split(":", 1)[0]

    @property
    def server_name(self) -> str:
        return self.user_id.split(":", 1)[1] if ":" in self.user_id else ""


def relation(content: JSON) -> JSON:
    value = content.get("m.relates_to")
    return value if isinstance(value, dict) else {}


def reply_to(content: JSON) -> str | None:
    """The event id a message replies to (also inside a thread, where clients put it for the fallback)."""
    rel = relation(content)
    if rel.get("rel_type") == "m.thread" and rel.get("is_falling_back"):
        return None
    in_reply = rel.get("m.in_reply_to")
    if isinstance(in_reply, dict) and isinstance(in_reply.get("event_id"), str):
        return str(in_reply["event_id"])
    return None


def thread_root(content: JSON) -> str | None:
    rel = relation(content)
    if rel.get("rel_type") == "m.thread" and isinstance(rel.get("event_id"), str):
        return str(rel["event_id"])
    return None


def is_edit(content: JSON) -> bool:
    return relation(content).get("rel_type") == "m.replace"


def strip_reply_fallback(body: str) -> str:
    """Drop the quoted '> <@user> …' lines clients put before a reply's own text (older spec versions)."""
    lines = body.splitlines()
    if not lines or not lines[0].startswith(">"):
        return body
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    while index < len(lines) and not lines[index].strip():
        index += 1
    return "\n".join(lines[index:])


def mentions_bot(content: JSON, body: str, bot: BotIdentity) -> bool:
    mentions = content.get("m.mentions")
    if isinstance(mentions, dict):
        users = mentions.get("user_ids")
        if isinstance(users, list) and bot.user_id in users:
            return True
    formatted = content.get("formatted_body")
    if isinstance(formatted, str) and f"matrix.to/#/{bot.user_id}" in formatted:
        return True
    return _mention_pattern(bot).search(body) is not None


def _mention_pattern(bot: BotIdentity) -> re.Pattern[str]:
    """The bot's id (or @localpart) anywhere, or its bare name at the start ('chatops: …', 'ChatOps, …')."""
    ids = [re.escape(bot.user_id), re.escape("@" + bot.localpart) + r"(?!:[\w.-])"]
    names = sorted({re.escape(bot.localpart), re.escape(bot.display_name or bot.localpart)}, key=len, reverse=True)
    return re.compile(r"(?<![\w@])(?:" + "|".join(ids) + r")(?!\w)[:,]?|^\s*(?:" + "|".join(names) + r")(?=[:,\s]|$)",
                      re.IGNORECASE)


def without_mention(body: str, bot: BotIdentity) -> str:
    """The message text with the bot's name taken out ('chatops: restart nginx' → 'restart nginx')."""
    text = _mention_pattern(bot).sub("", body, count=1)
    return re.sub(r"\s{2,}", " ", text).strip().lstrip(":,").strip()


def message_text(content: JSON) -> str | None:
    """The text of an `m.room.message` the bot should read, or None (notices, media, edits, empty)."""
    if content.get("msgtype") not in ("m.text", "m.emote") or is_edit(content):
        return None
    body = content.get("body")
    if not isinstance(body, str):
        return None
    text = strip_reply_fallback(body) if reply_to(content) else body
    return text if text.strip() else None


def reaction(content: JSON) -> tuple[str, str] | None:
    """(the event id reacted to, the key) of an `m.reaction`, or None."""
    rel = relation(content)
    if rel.get("rel_type") != "m.annotation":
        return None
    event_id, key = rel.get("event_id"), rel.get("key")
    if isinstance(event_id, str) and isinstance(key, str):
        return event_id, key
    return None
