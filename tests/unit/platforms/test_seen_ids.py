"""A delivery the platform repeats (same event or activity id) is handled once; the memory of ids is bounded."""

from __future__ import annotations

from chatops_commander.adapters.platforms.seen import SeenIds


def test_a_repeated_delivery_is_handled_once_and_one_without_an_id_every_time() -> None:
    seen = SeenIds()
    assert seen.first_time("Ev1") and not seen.first_time("Ev1")
    assert seen.first_time("Ev2")
    assert seen.first_time("") and seen.first_time("") and seen.first_time(None)


def test_only_the_latest_ids_are_kept_the_oldest_is_forgotten_first() -> None:
    seen = SeenIds(keep=2)
    assert seen.first_time("a") and seen.first_time("b") and seen.first_time("c")  # "a" is forgotten
    assert not seen.first_time("c") and not seen.first_time("b")
    assert seen.first_time("a")  # handled again: it was no longer remembered
