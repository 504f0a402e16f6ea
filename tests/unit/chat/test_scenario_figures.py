"""The pure parts of the seed's dialogues: since when a service is down, the log excerpt a diagnosis shows,
the newest backup of a listing, sizes — on open-ended inputs (Hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chatops_commander.domain.chat import wording
from chatops_commander.domain.chat.diagnosis import ServiceCheck, down_since, relevant_lines
from chatops_commander.domain.chat.runbooks import FoundFile, RecentFile, newest_file

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_service_down_since_the_first_stopped_sample_after_the_last_running_one() -> None:
    seen = [(NOW - timedelta(minutes=m), up) for m, up in ((10, True), (6, True), (3, False), (1, False))]
    assert down_since(seen, NOW) == (180.0, False)


def test_a_service_down_in_every_sample_is_down_for_at_least_the_window() -> None:
    seen = [(NOW - timedelta(minutes=m), False) for m in (30, 20, 10)]
    assert down_since(seen, NOW) == (1800.0, True)


def test_no_figure_when_the_newest_sample_saw_it_running_or_there_is_none() -> None:
    assert down_since([(NOW - timedelta(minutes=1), True)], NOW) is None
    assert down_since([], NOW) is None
    assert down_since([(NOW, None)], NOW) is None  # unknown states say nothing


@given(st.lists(st.tuples(st.integers(min_value=0, max_value=86_400), st.one_of(st.none(), st.booleans())),
                max_size=40))
def test_down_since_is_never_negative_nor_older_than_the_oldest_sample(raw: list[tuple[int, bool | None]]) -> None:
    seen = [(NOW - timedelta(seconds=s), up) for s, up in raw]
    found = down_since(seen, NOW)
    known = [(at, up) for at, up in seen if up is not None]
    if found is None:
        assert not known or max(known)[1] is True
        return
    seconds, at_least = found
    assert 0 <= seconds <= max(s for s, up in raw if up is not None)
    assert at_least == all(up is False for _, up in known)


def test_the_since_words_in_both_languages() -> None:
    check = ServiceCheck("nginx", False, "stopped", down_for_s=180)
    assert check.since("fr") == ", depuis 3 min" and check.since("en") == ", for 3 min"
    assert ServiceCheck("nginx", False, "stopped", down_for_s=7200, down_at_least=True).since("en") == (
        ", for at least 2 h 00")
    told = ServiceCheck("nginx", False, "stopped", since_text="Nov 23 09:00 AM")
    assert told.since("en") == ", since Nov 23 09:00 AM, server time"
    assert told.since("fr") == ", depuis Nov 23 09:00 AM, heure du serveur"
    assert ServiceCheck("nginx", False, "stopped").since("en") == ""


def test_the_log_excerpt_keeps_the_lines_that_say_something_went_wrong() -> None:
    lines = ["[notice] start worker processes", "[alert] worker process 42 exited on signal 11", "[notice] reopen"]
    assert relevant_lines(lines) == ("[alert] worker process 42 exited on signal 11",)
    assert relevant_lines(["a", "b", "c", "d"]) == ()
    assert relevant_lines(["a", "b", "c", "d"], fallback=True) == ("b", "c", "d")


@given(st.lists(st.text(max_size=80), max_size=50), st.booleans())
def test_the_log_excerpt_is_at_most_three_stripped_lines_of_the_input(lines: list[str], fallback: bool) -> None:
    kept = relevant_lines(lines, fallback=fallback)
    assert len(kept) <= 3
    assert all(line and line == line.strip() and line in {x.strip() for x in lines} for line in kept)


def test_the_newest_backup_of_a_listing() -> None:
    listing = ("1732000000.5 152043520 /backups/prod-db-2026-11-20.sql\n"
               "1732100000.0 153092096 /backups/prod-db 2026-11-21.sql\n"  # a space in the name is kept
               "garbage\n")
    assert newest_file(listing) == FoundFile("/backups/prod-db 2026-11-21.sql", 153092096, 1732100000.0)
    assert newest_file("") is None and newest_file("x y z\n") is None
    assert RecentFile("backups", "shop-*.sql").listing_argv() == (
        "find", "backups", "-maxdepth", "1", "-type", "f", "-name", "shop-*.sql", "-printf", "%T@ %s %p\\n")


@given(st.text(max_size=400))
def test_any_listing_gives_a_file_or_none_never_an_error(listing: str) -> None:
    found = newest_file(listing)
    assert found is None or found.path in listing


def test_sizes_as_the_seed_writes_them() -> None:
    assert [wording.size(n) for n in (19, 12_288, 152_043_520, 3_435_973_837)] == [
        "19 B", "12 KB", "145 MB", "3.2 GB"]


@given(st.integers(min_value=0, max_value=2**50))
def test_any_size_is_a_number_and_a_unit(n: int) -> None:
    number, unit = wording.size(n).split(" ")
    assert unit in ("B", "KB", "MB", "GB") and float(number) >= 0


def test_the_morning_check_of_hosts_without_a_watched_service_says_so_instead_of_all_running_in_empty_brackets(
) -> None:
    hosts = [wording.HostHealth("localhost", True, {})]
    en = wording.fleet_health(hosts, [], [], greet=True, lang="en")
    fr = wording.fleet_health(hosts, [], [], greet=True, lang="fr")
    assert "No service watched on these servers" in en and "All critical services running" not in en, en
    assert "Aucun service surveillé sur ces serveurs" in fr and "()" not in fr, fr
    watched = wording.fleet_health([wording.HostHealth("web-01", True, {"nginx": True})], [], [], greet=False,
                                   lang="en")
    assert "✅ All critical services running (nginx)" in watched
