"""History page helpers: a wrong filter is named with what to do, never silently empty; details read as fields."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.entrypoints.web import history_view, i18n

ACTIONS = ["COMMAND_EXECUTED", "LOGIN_FAILED", "LOGIN_SUCCEEDED"]
OUTCOMES = ["denied", "failure", "success"]


def errors(lang: str = "en", **f: str) -> dict[str, str]:
    filters = {"user": "", "server": "", "action": "", "outcome": "", "from": "", "to": ""} | f
    return history_view.filter_errors(filters, lang, actions=ACTIONS, outcomes=OUTCOMES,
                                      label=lambda key: i18n.translate(lang, key))


def test_valid_filters_have_no_error() -> None:
    assert errors(user="ada", action="LOGIN", outcome="success", **{"from": "2026-11-01", "to": "2026-11-30"}) == {}


def test_a_date_that_is_not_a_date_says_the_expected_form_in_both_languages() -> None:
    assert errors(**{"from": "yesterday"})["from"] == "From must be a date like 2026-11-30 (year-month-day)."
    assert errors("fr", to="31/12/2026")["to"].startswith("Au doit être une date comme 2026-11-30")


def test_a_reversed_range_is_named() -> None:
    assert "after" in errors(**{"from": "2026-12-01", "to": "2026-11-01"})["from"]


def test_an_unknown_action_or_outcome_is_named_with_its_value() -> None:
    found = errors(action="REBOOT_EVERYTHING", outcome="maybe")
    assert "'REBOOT_EVERYTHING'" in found["action"] and "'maybe'" in found["outcome"]


@given(st.dates(), st.dates())
def test_any_two_dates_are_accepted_exactly_when_in_order(a: date, b: date) -> None:
    found = errors(**{"from": a.isoformat(), "to": b.isoformat()})
    assert (found == {}) == (a <= b)


@given(st.text(max_size=40))
def test_any_text_as_a_date_is_either_a_date_or_an_error_never_an_exception(text: str) -> None:
    found = errors(**{"from": text.strip()})
    try:
        date.fromisoformat(text.strip())
        parsed = bool(text.strip())
    except ValueError:
        parsed = False
    assert ("from" in found) == (bool(text.strip()) and not parsed)


def test_details_are_fields_with_readable_values() -> None:
    fields, more = history_view.detail_fields({"sessions_revoked": True, "scopes": ["read", "execute"],
                                               "grace": None, "limits": {"cpu": 2}, "count": 3})
    assert fields == [("Sessions revoked", "✓"), ("Scopes", "read, execute"), ("Grace", "—"),
                      ("Limits", "cpu: 2"), ("Count", "3")]
    assert more == 0


json_values: Any = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                                lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                                            inner, max_size=4),
                                max_leaves=20)


@given(st.dictionaries(st.text(min_size=1, max_size=20), json_values, max_size=20))
def test_any_details_give_short_fields_and_count_the_rest(details: dict[str, Any]) -> None:
    fields, more = history_view.detail_fields(details)
    assert len(fields) + more == len(details)
    assert len(fields) <= history_view.MAX_FIELDS
    assert all(len(value) <= history_view.MAX_VALUE for _, value in fields)


def test_today_is_a_valid_upper_bound() -> None:
    today = date.today()
    assert errors(**{"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}) == {}
