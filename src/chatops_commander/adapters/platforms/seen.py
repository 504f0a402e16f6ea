"""Deliveries a platform may repeat (Slack retries an event it thinks went unanswered, Teams may send an activity
again): each one is handled once, by its id."""

from __future__ import annotations

from collections import OrderedDict


class SeenIds:
    """The ids of the latest `keep` deliveries handled (the oldest are forgotten first)."""

    def __init__(self, keep: int = 1000) -> None:
        self._keep = keep
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, delivery_id: str | None) -> bool:
        """Whether `delivery_id` was not handled yet (and, from now on, it is); one without an id always is."""
        if not delivery_id:
            return True
        if delivery_id in self._ids:
            return False
        self._ids[delivery_id] = None
        while len(self._ids) > self._keep:
            self._ids.popitem(last=False)
        return True
