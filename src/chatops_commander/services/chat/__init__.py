"""The conversation engine: one application service handles a chat turn (REST and WebSocket alike)."""

from chatops_commander.services.chat.engine import ChatService
from chatops_commander.services.chat.hub import ChatHub
from chatops_commander.services.chat.turn import TurnReply

__all__ = ["ChatHub", "ChatService", "TurnReply"]
