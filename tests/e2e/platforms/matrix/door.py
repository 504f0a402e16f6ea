"""A small door for the Matrix tests: echoes, shows cards, records presses (payloads single use, like the real door)."""

from __future__ import annotations

from collections.abc import Sequence

from chatops_commander.services.platforms.contract import (
    Button,
    ButtonPress,
    ButtonStyle,
    Card,
    CardKind,
    HostOutput,
    Inbound,
    Outbound,
)


class EchoDoor:
    def __init__(self) -> None:
        self.messages: list[Inbound] = []
        self.presses: list[ButtonPress] = []
        self._used: set[str] = set()
        self._cards = 0

    async def on_message(self, message: Inbound) -> Sequence[Outbound]:
        self.messages.append(message)
        command = message.text.strip().lower()
        place = message.place
        self._cards += 1
        n = self._cards
        if command == "card":
            card = Card(CardKind.CONFIRM, "Restart nginx on web-01?", fields=(("Hosts", "web-01"), ("Risk", "medium")),
                        buttons=(Button("Confirm", f"confirm:{n}", ButtonStyle.PRIMARY),
                                 Button("Cancel", f"cancel:{n}", ButtonStyle.DANGER)))
            return [Outbound(place, f"Card {n} for **{message.user.user_id}**", card=card)]
        if command == "choose":
            card = Card(CardKind.CHOOSE, "Which fix?", buttons=tuple(
                Button(label, f"fix{i}:{n}") for i, label in enumerate(("Restart", "Clear cache", "Roll back"), 1)))
            return [Outbound(place, f"Card {n}: choose", card=card)]
        if command == "approve":
            card = Card(CardKind.APPROVE, "Deploy v2.5.0 to production", fields=(("Requester", message.user.user_id),),
                        buttons=(Button("Approve", f"approve:{n}", ButtonStyle.PRIMARY),
                                 Button("Reject", f"reject:{n}", ButtonStyle.DANGER)))
            return [Outbound(place, f"Card {n}: approval needed", card=card)]
        if command == "private":
            return [Outbound(place, "your one-time link: https://chatops.example/link/s3cret", to=message.user)]
        if command == "big":
            return [Outbound(place, "Disk usage", lang="fr", outputs=(HostOutput("web-01", "x" * 10_000),))]
        return [Outbound(place, f"echo: {message.text}")]

    async def on_button(self, press: ButtonPress) -> Sequence[Outbound]:
        self.presses.append(press)
        if press.payload in self._used:
            return [Outbound(press.place, f"already used: {press.payload}")]
        self._used.add(press.payload)
        return [Outbound(press.place, f"pressed {press.payload} by {press.user.user_id}")]
