"""The conversation engine: one application service handles a chat turn (REST and WebSocket alike)."""

from chatops_commander.services.chat.engine import ChatService, TurnReply
from chatops_commander.services.chat.hub import ChatHub

__all__ = ["ChatHub", "ChatService", "TurnReply"]
