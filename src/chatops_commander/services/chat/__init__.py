"""The conversation engine: one application service handles a chat turn (REST and WebSocket alike).

The names below are loaded on first use (PEP 562), so that importing a light module of this package
(`services.chat.ports`, which the action pipeline needs) does not import the engine, which itself
imports the pipeline: no import cycle, whatever is imported first.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chatops_commander.services.chat.engine import ChatService
    from chatops_commander.services.chat.hub import ChatHub
    from chatops_commander.services.chat.turn import TurnReply

_HOMES = {"ChatService": "engine", "ChatHub": "hub", "TurnReply": "turn"}

__all__ = ["ChatHub", "ChatService", "TurnReply"]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
