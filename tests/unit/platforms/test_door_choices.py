"""Numbered-choice buttons (a diagnosis' fixes, a result's next steps) run the option their label shows, or nothing:
a conversation's options change as it goes on, and an older card's button must never run what now has its number.
The card's owner is answered in the card's language."""

from __future__ import annotations

from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.services.platforms.contract import CardKind, ChatUser, Outbound, Platform
from chatops_commander.services.platforms.records import ChannelPolicy
from tests.unit.platforms.world import PlatformWorld, button


async def _web_fleet() -> tuple[PlatformWorld, ChatUser]:
    pw = PlatformWorld()
    pw.w.host("web-02", services={"nginx": True}, tags=("production",))
    op, _ = await pw.linked("U-op", Role.OPERATOR, "op@example.com", execute_on=["web-01", "web-02"])
    return pw, op


def labels(out: list[Outbound]) -> list[str]:
    return [b.label for m in out if m.card is not None for b in m.card.buttons]


async def test_a_choice_button_of_an_older_card_does_not_run_the_option_that_now_has_its_number() -> None:
    pw, op = await _web_fleet()
    morning = await pw.say(op, "is everything ok?")
    assert labels(morning) == ["1. Show disk usage"]
    pw.w.fleet.hosts["web-01"].services["nginx"] = False
    diagnosis = await pw.say(op, "The site is down, what's going on?")
    assert labels(diagnosis)[0] == "1. Restart nginx on web-01"

    sent = len(pw.w.fleet.sent("web-01"))
    [stale] = await pw.press(op, button(morning, "1. Show disk usage"))  # option 1 is now "Restart nginx"
    assert stale.text == "This choice is no longer current: the conversation has moved on since. Ask again if needed."
    assert stale.card is None and len(pw.w.fleet.sent("web-01")) == sent  # no restart card, no disk usage either
    [event] = [e for e in pw.w.audit("CONFIRMATION_EXPIRED") if e.details.get("reason") == "button_stale"]
    assert event.details["door"] == "slack"

    [card] = await pw.press(op, button(diagnosis, "1. Restart nginx on web-01"))  # the current card still works
    assert card.card is not None and card.card.kind is CardKind.CONFIRM and "Restart nginx on web-01?" in card.text


async def test_a_choice_button_still_runs_its_option_while_a_confirmation_is_pending() -> None:
    pw, op = await _web_fleet()
    pw.w.fleet.hosts["web-01"].services["nginx"] = False
    pw.w.fleet.hosts["web-01"].log_lines = ("[alert] worker process 42 exited on signal 11",)
    diagnosis = await pw.say(op, "The site is down, what's going on?")
    await pw.press(op, button(diagnosis, "1. Restart nginx on web-01"))
    [logs] = await pw.press(op, button(diagnosis, "2. Show the full logs of nginx on web-01"))
    [web01] = logs.outputs
    assert web01.host == "web-01" and "worker process 42 exited on signal 11" in web01.text  # the lines themselves
    assert not any("restart" in line for line in pw.w.fleet.sent("web-01"))


async def test_the_cards_owner_pressing_it_again_is_answered_in_the_cards_language() -> None:
    pw, op = await _web_fleet()  # the account's language is English; the conversation is in French
    pw.w.fleet.hosts["web-01"].services["nginx"] = False
    diagnosis = await pw.say(op, "Le site est down, qu'est-ce qui se passe ?")
    fix = button(diagnosis, "1. Redémarrer nginx sur web-01")
    [card] = await pw.press(op, fix)
    assert "Redémarrer nginx sur web-01 ?" in card.text
    assert card.card is not None  # the risk like the text ("MOYEN", not "medium"), with what the diagnosis saw
    assert ("Risque", "MOYEN (web-02 prend le relais)") in card.card.fields, card.card.fields
    [again] = await pw.press(op, fix)
    assert again.text == "Ce bouton a déjà servi : il ne sert qu'une fois." and again.lang == "fr"
    someone = ChatUser(op.platform, "U-someone")
    await pw.linked("U-someone", Role.OPERATOR, "someone@example.com")
    [foreign] = await pw.press(someone, button([card], "Confirmer"))
    assert foreign.text.startswith("This button is for the person who asked")  # the presser's own language


async def test_a_french_refusal_of_the_channel_policy_names_the_risks_in_french() -> None:
    pw, op = await _web_fleet()
    await pw.store.set_policy(ChannelPolicy(Platform.SLACK, "C-ops", (), (), Risk.LOW))
    [refused] = await pw.say(op, "redémarre nginx sur web-01")
    assert "Ce canal ne permet pas un risque moyen (au plus faible)." in refused.text, refused.text
    assert refused.card is None and not any("restart" in line for line in pw.w.fleet.sent("web-01"))
