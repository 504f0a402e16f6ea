"""History questions (`history.list`): "who restarted nginx today?", "what changed in the last hour?",
"qu'est-ce qui a été lancé sur web-01 hier ?" — answered from the `commands` rows (one per host, written ahead
by the pipeline's journal, with who approved it) and, for a time window, the approvals decided in it (the audit
trail's APPROVAL_APPROVED / APPROVAL_REJECTED), as a query handler registered by action id.

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
from uuid import UUID

from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.records import CommandQuery, CommandRecord
from chatops_commander.domain.errors import DomainError
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.services import access
from chatops_commander.services.chat.ports import ChatUnitOfWork, ChatUnitOfWorkFactory
from chatops_commander.services.principal import Principal

SCANNED = 1000  # rows read for one question, newest first
AUDIT_SCANNED = 5000  # audit events read in the window (approval decisions)
SHOWN = 20
_PART = re.compile(r"(\d+)\s*(min|d|j|h|m|s)", re.IGNORECASE)  # "90m", "1h30m", "2 d", "3j"
_AGO = re.compile(r"^(?:\s*\d+\s*(?:min|d|j|h|m|s))+\s*$", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "j": 86400}
MAX_WINDOW = timedelta(days=3660)
_ME = frozenset({"me", "moi", "myself", "i"})


class TimeWindowUnknown(DomainError):
    code = "time_window_unknown"


@dataclass(frozen=True)
class Window:
    since: datetime | None = None
    until: datetime | None = None
    label: str = ""  # as asked ("today", "1h")


def window(since: object, now: datetime, until: object = None) -> Window:
    """`since` (and optionally `until`, e.g. the parser's "48h" … "24h" for yesterday) → a time window (UTC days
    for today / yesterday); TimeWindowUnknown says what is accepted."""
    start = _start(since, now)
    if until is None or until == "":
        return start
    end = _start(until, now).since
    if end is None or (start.since is not None and end <= start.since):
        return start
    return Window(start.since, end if start.until is None else min(end, start.until),
                  f"{start.label}…{str(until).strip().lower()}")


def _start(since: object, now: datetime) -> Window:
    if since is None or since == "":
        return Window()
    text = str(since).strip().lower()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if text in ("today", "aujourd'hui", "aujourdhui"):
        return Window(midnight, None, text)
    if text in ("yesterday", "hier"):
        return Window(midnight - timedelta(days=1), midnight, text)
    longest = MAX_WINDOW.total_seconds()
    if isinstance(since, int | float) and not isinstance(since, bool) and since > 0:  # seconds
        seconds = min(float(since), longest)
        return Window(now - timedelta(seconds=seconds), None, f"{int(seconds)}s")
    if _AGO.match(text):
        seconds = min(sum(int(amount) * _UNIT[unit.lower()] for amount, unit in _PART.findall(text)), longest)
        return Window(now - timedelta(seconds=seconds), None, text)
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


def matches_action(action_id: str | None, wanted: str) -> bool:
    """An id or prefix ("service.restart", "service."), or a verb ("restart": service.restart, container.restart)."""
    action = action_id or ""
    if "." in wanted:
        return action.startswith(wanted)
    return action.split(".")[-1] == wanted or action.startswith(wanted + ".")


def matches_user(actor: str, user_id: UUID | None, wanted: str, principal: Principal) -> bool:
    if wanted.lower() in _ME:
        if user_id is not None:
            return user_id == principal.user_id
        return actor.lower() == principal.actor.lower()
    actor, want = actor.lower(), wanted.lower()
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
        when = window(params.get("since"), now, params.get("until"))
        if not any((action, service, user, host, when.since)):
            return await self._own(principal, lang)
        async with self.uow() as uow:
            readable = await access.readable_server_ids(uow, principal)
            rows, _ = await uow.commands.query(CommandQuery(server=host, since=when.since, until=when.until,
                                                            action=action if action and "." in action else None,
                                                            limit=SCANNED))
            decisions = await self._decisions(uow, principal, readable, when) if when.since else []
        hosts = [host] if host else list(targets)
        seen = [r for r in rows if self._may_see(r, readable, principal)
                and (action is None or matches_action(r.action, action))
                and (service is None or matches_service(r, service))
                and (user is None or matches_user(r.actor, r.user_id, user, principal))
                and (not hosts or r.server_name in hosts)]
        lines = [wording.HistoryLine(when=r.executed_at, who=r.actor, action=r.action or "", server=r.server_name,
                                     service=(r.parsed_intent or {}).get("service"),
                                     parameters=dict((r.parsed_intent or {}).get("parameters") or {}),
                                     outcome=r.outcome or r.state, door=r.door,
                                     approved_by=(r.parsed_intent or {}).get("approved_by"))
                 for r in seen if r.executed_at is not None]
        lines += [d for d in decisions
                  if (action is None or matches_action(d.action, action))
                  and (service is None or d.service == service)
                  and (user is None or matches_user(d.who, None, user, principal)
                       or matches_user(d.requester or "", None, user, principal))
                  and (not hosts or bool(set(hosts) & set(d.servers)))]
        lines.sort(key=lambda line: line.when or now, reverse=True)
        asked = wording.HistoryFilters(action=action, service=service, host=", ".join(hosts) or None,
                                       since=when.label or None, user=user)
        meta = {"action": "history.list", "filters": asked.to_json(), "count": len(lines),
                "history": [line.to_json() for line in lines[:SHOWN]]}
        return wording.history_answer(lines[:SHOWN], asked, len(lines), lang), meta

    async def _decisions(self, uow: ChatUnitOfWork, principal: Principal, readable: set[Any] | None,
                         when: Window) -> list[wording.HistoryLine]:
        """Approvals decided in the window, from the audit trail (who approved or rejected whose request, why);
        shown to admins, to the approver and the requester, and to whoever may read every target server."""
        events = await uow.audit.list(since=when.since, limit=AUDIT_SCANNED)
        decided = [e for e in events if e.action in (AuditAction.APPROVAL_APPROVED, AuditAction.APPROVAL_REJECTED)
                   and (when.until is None or e.occurred_at < when.until)]
        if not decided:
            return []
        ids = {s.name: s.id for s in await uow.servers.list()}
        out = []
        for event in decided:
            approval = await uow.approvals.get(str((event.details or {}).get("approval_id") or ""))
            if approval is None:
                continue
            own = principal.user_id is not None and str(principal.user_id) in (approval.requester_id,
                                                                               approval.decided_by_id)
            if readable is not None and not own and not all(ids.get(t) in readable for t in approval.targets):
                continue
            approved = event.action is AuditAction.APPROVAL_APPROVED
            out.append(wording.HistoryLine(
                when=event.occurred_at, who=event.actor, action=approval.action, server=None,
                servers=tuple(approval.targets), service=approval.service, parameters=dict(approval.parameters),
                outcome="approved" if approved else "rejected", door=(event.details or {}).get("door"),
                requester=approval.requester, reason=(event.details or {}).get("reason"), kind="decision"))
        return out

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
