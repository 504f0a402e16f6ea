"""An event sink: the chat hub, keeping every event published to each user (what their WebSockets would get)."""

from __future__ import annotations

from typing import Any

from chatops_commander.services.chat.hub import ChatHub


class RecordingHub(ChatHub):
    def __init__(self) -> None:
        super().__init__()
        self.published: list[tuple[str, dict[str, Any]]] = []

    def publish(self, user_id: str, event: dict[str, Any], **kwargs: Any) -> None:
        self.published.append((user_id, event))
        super().publish(user_id, event, **kwargs)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for _, e in self.published if e.get("type") == kind]
