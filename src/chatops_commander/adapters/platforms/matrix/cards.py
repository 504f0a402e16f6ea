"""Cards the bot posted, and how a reaction or a reply on one of them becomes a press of one of its buttons.

A card is bound to the event id of the message that shows it: a reaction or a reply counts only when it is on
that message. A confirm or choose card belongs to the person it was posted for: anyone else's answer does
nothing. An approval card is for the others: any user's answer is a `ButtonPress` from that user, and the door
decides (an approver must be a different linked account; payloads are single use). Nothing here talks to Matrix.
The bot keeps the cards in the platform store too (`CardStore`): `PostedCards` is only its cache of recent ones.
"""

from __future__ import annotations

import re
from collections import OrderedDict

from chatops_commander.services.platforms.contract import Button, Card, CardKind
from chatops_commander.services.platforms.records import PostedCard

KEPT_CARDS = 1000
POSITIVE = frozenset({"👍", "✅", "✔", "☑", "🆗"})
NEGATIVE = frozenset({"👎", "❌", "✖", "🚫", "⛔"})
_KEYCAPS = {f"{n}\u20e3": n for n in range(10)} | {"🔟": 10}
_YES = frozenset({"yes", "y", "ok", "okay", "confirm", "approve", "go", "oui", "o", "d'accord", "confirmer",
                  "confirme", "approuver", "approuve", "vas-y", "valider", "valide"})
_NO = frozenset({"no", "n", "cancel", "reject", "stop", "non", "annuler", "annule", "rejeter", "rejette", "refuser",
                 "refuse"})
_SKIN_AND_VARIATION = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")


def normalize_key(key: str) -> str:
    """A reaction key without variation selectors or skin tones: '👍🏽' and '👍' are the same answer."""
    return _SKIN_AND_VARIATION.sub("", key.strip())


def _positive(card: Card) -> Button | None:
    """Confirm / approve: the first button of a confirm or approval card (by position, never by colour: a
    high-risk confirmation is drawn as 'danger'). A choice card has no yes."""
    return card.buttons[0] if card.kind is not CardKind.CHOOSE and card.buttons else None


def _negative(card: Card) -> Button | None:
    """Cancel / reject: the second button of a confirm or approval card. A choice card has no no."""
    return card.buttons[1] if card.kind is not CardKind.CHOOSE and len(card.buttons) > 1 else None


def _numbered(card: Card, number: int) -> Button | None:
    return card.buttons[number - 1] if 1 <= number <= len(card.buttons) else None


def button_for_reaction(card: Card, key: str) -> Button | None:
    key = normalize_key(key)
    if key in POSITIVE:
        return _positive(card)
    if key in NEGATIVE:
        return _negative(card)
    if key in _KEYCAPS:
        return _numbered(card, _KEYCAPS[key])
    return None


def button_for_reply(card: Card, text: str) -> Button | None:
    """A reply's text as one of the card's options: its number, yes/no words (EN/FR), an emoji, or a label."""
    answer = text.strip().strip(".!").strip().lower()
    if not answer:
        return None
    if answer.isascii() and answer.isdigit():  # '²' is a digit to str.isdigit, not to int()
        return _numbered(card, int(answer))
    if answer in _YES:
        return _positive(card)
    if answer in _NO:
        return _negative(card)
    labels = [b for b in card.buttons if b.label.strip().lower() == answer]
    if labels:
        return labels[0]
    return button_for_reaction(card, answer)


class PostedCards:
    """The last `KEPT_CARDS` cards posted or looked up, by event id: the bot's cache in front of the store (which
    keeps them across restarts)."""

    def __init__(self, keep: int = KEPT_CARDS) -> None:
        self._cards: OrderedDict[str, PostedCard] = OrderedDict()
        self._keep = keep

    def remember(self, posted: PostedCard) -> None:
        self._cards[posted.message_id] = posted
        while len(self._cards) > self._keep:
            self._cards.popitem(last=False)

    def get(self, event_id: str) -> PostedCard | None:
        return self._cards.get(event_id)

    def answerable_by(self, event_id: str, user_id: str) -> PostedCard | None:
        """The card on that message when this user may answer it, else None."""
        posted = self._cards.get(event_id)
        return posted if posted is not None and posted.answerable_by(user_id) else None
