"""Numbered options stay what was offered: picking one that offers nothing new ("2": the logs) leaves the list,
so a later "1" is still the first option offered, not "nothing is waiting"."""

from __future__ import annotations

from chatops_commander.domain.roles import Role
from tests.unit.pipeline.test_seed_scenarios import fleet
from tests.unit.pipeline.world import events_of, text_of


async def test_picking_the_logs_then_one_still_picks_the_first_offered_option() -> None:
    w = fleet()
    w.fleet.hosts["web-01"].services["nginx"] = False
    w.fleet.hosts["web-01"].log_lines = ("2026/11/23 08:57:01 [alert] worker process exited on signal 11",)
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01", "web-02"], lang="en")
    conv = await w.conversation(op)
    text = text_of(await w.say(op, conv, "The site is down, what's going on?"))
    assert "1. Restart nginx on web-01" in text and "2. Show the full logs of nginx on web-01" in text, text

    logs = await w.say(op, conv, "2")
    assert "worker process exited on signal 11" in str(events_of(logs, "result")[0]["data"])

    card_turn = await w.say(op, conv, "1")
    [card] = events_of(card_turn, "confirmation_required")
    assert (card["action"], card["targets"], card["service"]) == ("service.restart", ["web-01"], "nginx")


async def test_closing_the_dialogue_clears_the_offered_options() -> None:
    w = fleet()
    w.fleet.hosts["web-01"].services["nginx"] = False
    op = w.user(Role.ADMIN, "admin@example.com", lang="en")
    conv = await w.conversation(op)
    await w.say(op, conv, "The site is down, what's going on?")
    bye = text_of(await w.say(op, conv, "No thanks, that's all"))
    assert "1." not in bye
    after = text_of(await w.say(op, conv, "1"))
    assert "no action waiting" in after or "nothing" in after.lower(), after
