"""The seed's scenario 2 through Slack, in French: "le site est down, qu'est-ce qui se passe ?" → the diagnosis
(since when nginx is down, its log lines, the HTTP check) with the numbered fixes as Block Kit buttons → the fix's
button (after a look at the logs, from the same card) → the confirmation card → Confirm → nginx restarted on the
fake fleet and verified running."""

from __future__ import annotations

from chatops_commander.domain.roles import Role
from tests.e2e.platforms.slack.conftest import SlackWorld
from tests.e2e.platforms.slack.fake_slack import click, mention
from tests.e2e.platforms.world import nginx_crashed, restarts

RESTART = "1. Redémarrer nginx sur web-01"
LOGS = "2. Voir les logs complets de nginx sur web-01"


async def test_the_site_is_down_diagnosis_offers_numbered_fix_buttons_and_the_chosen_fix_runs_verified(
        world: SlackWorld) -> None:
    nginx_crashed(world.fleet)
    await world.linked("U-op", Role.OPERATOR, "op@example.com")
    asked = mention("U-op", "Le site est down, qu'est-ce qui se passe ?")
    await world.slack.push("events_api", asked)
    [diagnosis] = await world.slack.wait_posts(1)
    text = diagnosis.all_text
    assert "• nginx sur web-01 : ❌ ARRÊTÉ (stopped, depuis " in text, text
    assert "• nginx sur web-02 : ✅ actif" in text
    assert "• HTTP web-01 (http://web-01.example/health) : ❌ connection refused" in text
    assert "• HTTP web-02 (http://web-02.example/health) : ✅ 200" in text
    assert "Cause probable : nginx est arrêté sur web-01 (web-02 prend le relais)." in text
    assert "worker process 42 exited on signal 11 (core dumped)" in text
    assert list(diagnosis.buttons()) == [RESTART, LOGS, "3. Vérifier nginx sur tous les serveurs"]
    assert "Que voulez-vous faire ?" in text and diagnosis.thread_ts == asked["event"]["ts"]
    assert restarts(world.fleet, "web-01") == 0

    await world.slack.push("interactive", click("U-op", diagnosis, LOGS))  # a look at the logs first
    [_, logs] = await world.slack.wait_posts(2)
    assert "worker process 42 exited on signal 11 (core dumped)" in logs.all_text.split("```")[1], logs.all_text
    assert logs.thread_ts == diagnosis.thread_ts

    await world.slack.push("interactive", click("U-op", diagnosis, RESTART))  # then the fix, from the same card
    [*_, card] = await world.slack.wait_posts(3)
    assert card.text.startswith("⚠️ Action critique\nRedémarrer nginx sur web-01 ?"), card.text
    assert list(card.buttons()) == ["Confirmer", "Annuler"] and card.thread_ts == diagnosis.thread_ts
    assert "service.restart" in card.all_text and restarts(world.fleet, "web-01") == 0  # nothing ran before the confirm

    await world.slack.push("interactive", click("U-op", card, "Confirmer"))
    [*_, done] = await world.slack.wait_posts(4)
    assert "web-01 : ✅ J'ai redémarré nginx. Vérifié à l'instant : nginx tourne" in done.all_text, done.all_text
    assert "• Site accessible : ✅ (web-01)" in done.all_text
    assert world.fleet.hosts["web-01"].services["nginx"] is True
    assert restarts(world.fleet, "web-01") == 1 and restarts(world.fleet, "web-02") == 0


async def test_a_fix_button_of_the_diagnosis_works_once_and_only_for_the_person_who_asked(world: SlackWorld) -> None:
    nginx_crashed(world.fleet)
    await world.linked("U-op", Role.OPERATOR, "op@example.com")
    await world.linked("U-other", Role.ADMIN, "other@example.com")
    await world.slack.push("events_api", mention("U-op", "Le site est down, qu'est-ce qui se passe ?"))
    [diagnosis] = await world.slack.wait_posts(1)
    await world.slack.push("interactive", click("U-other", diagnosis, RESTART))
    [_, foreign] = await world.slack.wait_posts(2)
    assert "not for you" in foreign.text and not foreign.buttons()
    await world.slack.push("interactive", click("U-op", diagnosis, RESTART))
    [*_, card] = await world.slack.wait_posts(3)
    assert list(card.buttons()) == ["Confirmer", "Annuler"]
    await world.slack.push("interactive", click("U-op", diagnosis, RESTART))
    [*_, replay] = await world.slack.wait_posts(4)
    assert "Ce bouton a déjà servi" in replay.text and not replay.buttons()  # the card's language
    assert restarts(world.fleet, "web-01") == 0
