"""The door's `Outbound` as a Matrix message: a plain body and an HTML formatted body (no Matrix library here).

Per-host outputs go in `<pre><code>` blocks, each cut at `HOST_OUTPUT_LIMIT` characters and all of them at
`OUTPUTS_LIMIT` (a Matrix event is at most 64 KiB, and the text is sent twice: plain and HTML); a cut says so
in the conversation's language. A card lists its fields and its numbered options, and says how to answer:
by reaction on the card message or by a reply to it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC

from chatops_commander.services.platforms.contract import Card, CardKind, ChatUser, HostOutput, Outbound

HOST_OUTPUT_LIMIT = 4000
OUTPUTS_LIMIT = 16000
KEYCAPS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")

_TEXTS = {
    "en": {
        "cut": "… output cut: {n} more characters (the whole output is in the command history)",
        "hidden": "… {n} more hosts not shown (see the command history)",
        "confirm_help": "React 👍 to confirm or 👎 to cancel on this message, or reply to it with the option's number.",
        "approve_help": "React 👍 to approve or 👎 to reject on this message, or reply to it with the option's number.",
        "choose_help": "React with the option's number (1️⃣, 2️⃣…) on this message, or reply to it with the number.",
        "expires": "Expires at {at} UTC.",
    },
    "fr": {
        "cut": "… sortie coupée : {n} caractères de plus (la sortie complète est dans l'historique des commandes)",
        "hidden": "… {n} hôtes de plus non affichés (voir l'historique des commandes)",
        "confirm_help": "Réagissez 👍 pour confirmer ou 👎 pour annuler sur ce message, ou répondez-y avec le numéro "
                        "de l'option.",
        "approve_help": "Réagissez 👍 pour approuver ou 👎 pour rejeter sur ce message, ou répondez-y avec le numéro "
                        "de l'option.",
        "choose_help": "Réagissez avec le numéro de l'option (1️⃣, 2️⃣…) sur ce message, ou répondez-y avec le numéro.",
        "expires": "Expire à {at} UTC.",
    },
}


def text_for(lang: str, key: str, **values: object) -> str:
    table = _TEXTS["fr"] if lang.lower().startswith("fr") else _TEXTS["en"]
    return table[key].format(**values)


@dataclass(frozen=True)
class Rendered:
    body: str
    html: str
    mentions: tuple[str, ...] = ()


def render(message: Outbound) -> Rendered:
    plain: list[str] = []
    rich: list[str] = []
    mentions: tuple[str, ...] = ()
    if message.mention is not None:
        mentions = (message.mention.user_id,)
        plain.append(_mention_plain(message.mention))
        rich.append(_mention_html(message.mention))
    if message.text:
        plain.append(_markdown_plain(message.text))
        rich.append(_markdown_html(message.text))
    if message.outputs:
        out_plain, out_rich = _outputs(message.outputs, message.lang)
        plain.extend(out_plain)
        rich.extend(out_rich)
    if message.card is not None:
        card_plain, card_rich = _card(message.card, message.lang)
        plain.append(card_plain)
        rich.append(card_rich)
    return Rendered(body="\n\n".join(p for p in plain if p), html="".join(rich), mentions=mentions)


def _mention_plain(user: ChatUser) -> str:
    return f"{user.display_name or user.user_id}:"


def _mention_html(user: ChatUser) -> str:
    name = html.escape(user.display_name or user.user_id)
    return f'<p><a href="https://matrix.to/#/{html.escape(user.user_id)}">{name}</a>:</p>'


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CODE = re.compile(r"`([^`\n]+)`")


def _inline_html(line: str) -> str:
    parts = _CODE.split(line)  # odd indexes are code spans: kept byte for byte, escaped, never bolded
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(f"<code>{html.escape(part)}</code>")
        else:
            out.append(_BOLD.sub(r"<strong>\1</strong>", html.escape(part)))
    return "".join(out)


def _markdown_plain(text: str) -> str:
    return _BOLD.sub(r"\1", text)


def _markdown_html(text: str) -> str:
    blocks: list[str] = []
    items: list[str] = []
    lines: list[str] = []

    def flush() -> None:
        if items:
            blocks.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
            items.clear()
        if lines:
            blocks.append("<p>" + "<br>".join(lines) + "</p>")
            lines.clear()

    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith(("- ", "* ", "• ")):
            if lines:
                flush()
            items.append(_inline_html(stripped[2:]))
        elif not stripped:
            flush()
        else:
            if items:
                flush()
            lines.append(_inline_html(raw))
    flush()
    return "".join(blocks)


def cut(text: str, limit: int, lang: str) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rstrip("\n") + "\n" + text_for(lang, "cut", n=len(text) - limit)


def _outputs(outputs: tuple[HostOutput, ...], lang: str) -> tuple[list[str], list[str]]:
    plain: list[str] = []
    rich: list[str] = []
    budget = OUTPUTS_LIMIT
    for index, output in enumerate(outputs):
        if budget <= 0:
            note = text_for(lang, "hidden", n=len(outputs) - index)
            plain.append(note)
            rich.append(f"<p><em>{html.escape(note)}</em></p>")
            break
        text = cut(output.text, min(HOST_OUTPUT_LIMIT, budget), lang)
        budget -= len(text)
        mark = "✅" if output.ok else "❌"
        plain.append(f"{mark} {output.host}\n```\n{text}\n```")
        rich.append(f"<p>{mark} <strong>{html.escape(output.host)}</strong></p>"
                    f"<pre><code>{html.escape(text)}</code></pre>")
    return plain, rich


def _card(card: Card, lang: str) -> tuple[str, str]:
    plain = [f"**{card.title}**" if card.title else ""]
    rich = [f"<p><strong>{html.escape(card.title)}</strong></p>" if card.title else ""]
    if card.fields:
        plain.extend(f"- {label}: {value}" for label, value in card.fields)
        rich.append("<ul>" + "".join(f"<li><strong>{html.escape(label)}:</strong> {html.escape(value)}</li>"
                                     for label, value in card.fields) + "</ul>")
    if card.buttons:
        plain.extend(f"{KEYCAPS[i] if i < len(KEYCAPS) else f'{i + 1}.'} {b.label}"
                     for i, b in enumerate(card.buttons))
        rich.append("<ol>" + "".join(f"<li>{html.escape(b.label)}</li>" for b in card.buttons) + "</ol>")
        help_key = {CardKind.CONFIRM: "confirm_help", CardKind.APPROVE: "approve_help"}.get(card.kind, "choose_help")
        help_text = text_for(lang, help_key)
        if card.expires_at is not None:
            at = card.expires_at.astimezone(UTC) if card.expires_at.tzinfo else card.expires_at
            help_text += " " + text_for(lang, "expires", at=at.strftime("%H:%M"))
        plain.append(help_text)
        rich.append(f"<p><em>{html.escape(help_text)}</em></p>")
    return "\n".join(p for p in plain if p), "".join(rich)
