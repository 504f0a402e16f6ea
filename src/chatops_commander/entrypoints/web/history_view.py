"""History page helpers: filters checked before anything is read (a wrong one says what is wrong), and an
audit event's details as readable fields rather than raw JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from chatops_commander.entrypoints.web import pages_text

MAX_VALUE = 240  # characters of one detail shown in the table (the export keeps everything)
MAX_FIELDS = 8


def filter_errors(f: Mapping[str, str], lang: str, *, actions: Iterable[str], outcomes: Iterable[str],
                  label: Any) -> dict[str, str]:
    """Field name → what is wrong with it, in `lang` (empty: the filters can be applied)."""
    errors: dict[str, str] = {}
    days: dict[str, date] = {}
    for key, label_key in (("from", "hist.from"), ("to", "hist.to")):
        value = f.get(key, "")
        if not value:
            continue
        try:
            days[key] = date.fromisoformat(value)
        except ValueError:
            errors[key] = pages_text.text(lang, "hist.bad_date", field=label(label_key))
    if "from" in days and "to" in days and days["from"] > days["to"]:
        errors["from"] = pages_text.text(lang, "hist.bad_range")
    action = f.get("action", "")
    if action and not any(a.startswith(action) for a in actions):
        errors["action"] = pages_text.text(lang, "hist.bad_choice", field=label("hist.action"), value=action)
    outcome = f.get("outcome", "")
    if outcome and outcome not in set(outcomes):
        errors["outcome"] = pages_text.text(lang, "hist.bad_choice", field=label("hist.outcome"), value=outcome)
    return errors


def _humanize(key: str) -> str:
    text = key.replace("_", " ").replace(".", " · ").strip()
    return text[:1].upper() + text[1:] if text else key


def _value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_value(v) for v in value) if value else "—"
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items()) if value else "—"
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def detail_fields(details: Mapping[str, Any], *, skip: Iterable[str] = ()) -> tuple[list[tuple[str, str]], int]:
    """(label, text) pairs, short enough for a table cell, and how many more fields were left out."""
    skipped = set(skip)
    fields: list[tuple[str, str]] = []
    for key, value in details.items():
        if key in skipped:
            continue
        text = _value(value)
        if len(text) > MAX_VALUE:
            text = text[: MAX_VALUE - 1] + "…"
        fields.append((_humanize(str(key)), text))
    return fields[:MAX_FIELDS], max(0, len(fields) - MAX_FIELDS)
