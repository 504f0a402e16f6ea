"""History questions (`history.list`): "who restarted nginx today?", "what changed in the last hour?",
"qu'est-ce qui a été lancé sur web-01 hier ?" — answered from the `commands` rows (one per host, written ahead
by the pipeline's journal, with who approved it) as a query handler registered by action id.

Parameters, all optional: `action` (an id, a prefix like `service.`, or a verb like `restart`), `service`,
`host` (or the request's targets), `since` (`30m`, `2h`, `3d`, `today`, `yesterday`, an ISO date), `user`
(an email, a login name, or `me`). Without any, a user gets their own last commands.

Who may see what (the spec's matrix: every role reads the history): admins see every row; others see the
rows on servers they may read (a row on a hidden server is not shown nor counted) and their own rows that
never reached a server (refusals).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.records import CommandQuery, CommandRecord
from chatops_commander.domain.errors import DomainError
from chatops_commander.services import access
from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory
from chatops_commander.services.principal import Principal

SCANNED = 1000  # rows read for one question, newest first
SHOWN = 20
_AGO = re.compile(r"^\s*(\d+)\s*(m|min|h|d|j)\s*$", re.IGNORECASE)
_ME = frozenset({"me", "moi", "myself", "i"})


class TimeWindowUnknown(DomainError):
    code = "time_window_unknown"


@dataclass(frozen=True)
class Window:
    since: datetime | None = None
    until: datetime | None = None
    label: str = ""  # as asked ("today", "1h")


def window(since: object, now: datetime) -> Window:
    """`since` → a time window (UTC days for today / yesterday); TimeWindowUnknown says what is accepted."""
    if since is None or since == "":
        return Window()
    text = str(since).strip().lower()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if text in ("today", "aujourd'hui", "aujourdhui"):
        return Window(midnight, None, text)
    if text in ("yesterday", "hier"):
        return Window(midnight - timedelta(days=1), midnight, text)
    match = _AGO.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        delta = {"m": timedelta(minutes=amount), "min": timedelta(minutes=amount), "h": timedelta(hours=amount),
                 "d": timedelta(days=amount), "j": timedelta(days=amount)}[unit]
        return Window(now - delta, None, text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TimeWindowUnknown(
            f"I don't understand the time window {since!r}: say for example 30m, 2h, 3d, today or yesterday.",
            message_fr=f"Je ne comprends pas la période {since!r} : dites par exemple 30m, 2h, 3d, aujourd'hui "
                       f"ou hier.") from None
    return Window(moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo), None, text)


def _text(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    return str(value).strip() or None if value is not None else None


def matches_action(row: CommandRecord, wanted: str) -> bool:
    action = row.action or ""
    if "." in wanted:
        return action.startswith(wanted)
    return action.split(".")[-1] == wanted or action.startswith(wanted + ".")


def matches_user(row: CommandRecord, wanted: str, principal: Principal) -> bool:
    if wanted.lower() in _ME:
        return row.user_id is not None and row.user_id == principal.user_id
    actor, want = row.actor.lower(), wanted.lower()
    return actor == want or actor.split("@")[0] == want or actor.removeprefix("cli:") == want


def matches_service(row: CommandRecord, wanted: str) -> bool:
    intent = row.parsed_intent or {}
    return intent.get("service") == wanted or wanted in (row.command or "").split()


class HistoryQuestions:
    def __init__(self, uow: ChatUnitOfWorkFactory) -> None:
        self.uow = uow

    async def answer(self, principal: Principal, params: Mapping[str, Any], targets: Sequence[str], lang: str,
                     now: datetime) -> tuple[str, dict[str, Any]]:
        action, service, user = _text(params, "action"), _text(params, "service"), _text(params, "user")
        host = _text(params, "host") or (targets[0] if len(targets) == 1 else None)
        when = window(params.get("since"), now)
        if not any((action, service, user, host, when.since)):
            return await self._own(principal, lang)
        async with self.uow() as uow:
            readable = await access.readable_server_ids(uow, principal)
            rows, _ = await uow.commands.query(CommandQuery(server=host, since=when.since, until=when.until,
                                                            action=action if action and "." in action else None,
                                                            limit=SCANNED))
        seen = [r for r in rows if self._may_see(r, readable, principal)
                and (action is None or matches_action(r, action)) and (service is None or matches_service(r, service))
                and (user is None or matches_user(r, user, principal))
                and (not targets or len(targets) == 1 or r.server_name in targets)]
        asked = wording.HistoryFilters(action=action, service=service, host=host or ", ".join(targets) or None,
                                       since=when.label or None, user=user)
        lines = [wording.HistoryLine(when=r.executed_at, who=r.actor, action=r.action or "", server=r.server_name,
                                     service=(r.parsed_intent or {}).get("service"),
                                     parameters=dict((r.parsed_intent or {}).get("parameters") or {}),
                                     outcome=r.outcome or r.state, door=r.door,
                                     approved_by=(r.parsed_intent or {}).get("approved_by"))
                 for r in seen[:SHOWN] if r.executed_at is not None]
        meta = {"action": "history.list", "filters": asked.to_json(), "count": len(seen),
                "history": [line.to_json() for line in lines]}
        return wording.history_answer(lines, asked, len(seen), lang), meta

    @staticmethod
    def _may_see(row: CommandRecord, readable: set[Any] | None, principal: Principal) -> bool:
        if readable is None:  # admins
            return True
        if row.server_id is None:
            return row.user_id is not None and row.user_id == principal.user_id
        return row.server_id in readable

    async def _own(self, principal: Principal, lang: str) -> tuple[str, dict[str, Any]]:
        if principal.user_id is None:  # an API token of no user: no "own" commands
            return wording.command_history([], lang), {}
        async with self.uow() as uow:
            rows = await uow.commands.list(user_id=principal.user_id, limit=SHOWN)
        shown = [(r.executed_at, r.action, r.server_name, r.outcome or r.state) for r in rows if r.executed_at]
        meta = {"history": [{"action": r.action, "server": r.server_name, "outcome": r.outcome, "state": r.state,
                             "exit_code": r.exit_code} for r in rows]} if rows else {}
        return wording.command_history(shown, lang), meta
