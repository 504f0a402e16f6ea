"""The words of history questions and health ages, over open-ended inputs: a time window is read or refused
with a clear message (never another error); an age reads the same way in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.domain.chat import wording
from chatops_commander.services.chat.history import TimeWindowUnknown, matches_action, window

NOW = datetime(2026, 11, 30, 17, 45, tzinfo=UTC)


@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(allow_nan=False)))
def test_any_time_window_is_read_or_refused_with_what_is_accepted(text: str | int | float) -> None:
    refusal: TimeWindowUnknown | None = None
    try:
        found = window(text, NOW)
    except TimeWindowUnknown as exc:
        refusal = exc
    if refusal is not None:
        assert "30m, 2h, 3d, today or yesterday" in refusal.localized("en")
        assert "aujourd'hui ou hier" in refusal.localized("fr")
        return
    assert found.since is None or found.since.tzinfo is not None
    assert found.until is None or (found.since is not None and found.since < found.until)


@pytest.mark.parametrize(("said", "since", "until"), [
    ("today", datetime(2026, 11, 30, tzinfo=UTC), None),
    ("hier", datetime(2026, 11, 29, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC)),
    ("90m", NOW - timedelta(minutes=90), None),
    ("2h", NOW - timedelta(hours=2), None),
    ("3 j", NOW - timedelta(days=3), None),
    ("1h30m", NOW - timedelta(minutes=90), None),
    (3600, NOW - timedelta(hours=1), None),
    ("2026-11-30T08:00", datetime(2026, 11, 30, 8, tzinfo=UTC), None),
])
def test_time_windows_people_say(said: str | int, since: datetime, until: datetime | None) -> None:
    found = window(said, NOW)
    assert (found.since, found.until) == (since, until)


def test_an_action_is_matched_by_id_prefix_or_verb() -> None:
    assert matches_action("service.restart", "restart") and matches_action("container.restart", "restart")
    assert matches_action("service.restart", "service.") and matches_action("app.deploy", "deploy")
    assert not matches_action("service.restart", "start") and not matches_action(None, "restart")


@given(st.floats(min_value=0, max_value=10 * 86400, allow_nan=False))
def test_an_age_reads_the_same_in_english_and_french(seconds: float) -> None:
    en, fr = wording.age(seconds, "en"), wording.age(seconds, "fr")
    if seconds < 5:
        assert (en, fr) == ("just now", "à l'instant")
    else:
        assert en.endswith(" ago") and fr.startswith("il y a ")
        assert en.split()[0] == fr.split()[3]  # the same number ("il y a 5 s")


def test_a_stale_sample_shows_no_figure_as_current() -> None:
    stale = wording.HostFigures("db-01", 7200, fresh=False, cpu_percent=97.0)
    assert wording.host_figures(stale, "en") == "   - db-01: no recent figures (last sample 2 h ago, stale)"
    assert wording.host_figures(stale, "fr") == ("   - db-01 : pas de mesure récente (dernière il y a 2 h, "
                                                 "périmée)")
    fresh = wording.HostFigures("db-01", 125, fresh=True, cpu_percent=12.4, memory_percent=40.0)
    assert wording.host_figures(fresh, "en") == "   - db-01: CPU 12 %, memory 40 % (2 min ago)"
    assert wording.host_figures(fresh, "fr") == "   - db-01 : CPU 12 %, mémoire 40 % (il y a 2 min)"


def test_until_bounds_the_window_the_parser_gives_for_yesterday() -> None:
    found = window("48h", NOW, "24h")
    assert found.since == NOW - timedelta(hours=48) and found.until == NOW - timedelta(hours=24)
    assert window("1h", NOW, None).until is None
    assert window("1h", NOW, "2h").until is None  # an end before the start is ignored, never an empty window
