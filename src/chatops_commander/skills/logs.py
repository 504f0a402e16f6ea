"""Log filtering shared by `server.logs` and `service.logs` (done on our side: no pattern reaches a shell)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatops_commander.skills.base import Params
from chatops_commander.skills.params import Duration, GrepText, Lines

DEFAULT_LINES = 100
FETCH_WHEN_GREP = 10_000


class LogParams(Params):
    lines: Lines | None = None
    since: Duration | None = None
    grep: GrepText | None = None


def fetch_count(p: LogParams) -> int:
    """How many lines to fetch: all recent ones when filtering, else the lines asked."""
    return FETCH_WHEN_GREP if p.grep else (p.lines or DEFAULT_LINES)


def filter_lines(p: LogParams, stdout: str, *, contains: str | None = None) -> list[str]:
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    if contains:
        lines = [ln for ln in lines if contains in ln]
    if p.grep:
        needle = p.grep.casefold()
        lines = [ln for ln in lines if needle in ln.casefold()]
    return lines[-(p.lines or DEFAULT_LINES) :]


def parse_log(p: Any, stdout: str, exit_code: int | None) -> dict[str, Any]:
    lines = filter_lines(p, stdout)
    return {"lines": lines, "count": len(lines)}


def explain_log(p: Any, data: Mapping[str, Any], lang: str) -> str:
    n = data.get("count", 0)
    what = (
        f" « {p.grep} »"
        if getattr(p, "grep", None) and lang == "fr"
        else (f" '{p.grep}'" if getattr(p, "grep", None) else "")
    )
    if lang == "fr":
        if not n:
            return f"Je n'ai trouvé aucune ligne{' contenant' + what if what else ''}."
        return f"Voici les {n} dernières lignes{' contenant' + what if what else ''}."
    if not n:
        return f"I found no lines{' containing' + what if what else ''}."
    return f"Here are the last {n} lines{' containing' + what if what else ''}."
