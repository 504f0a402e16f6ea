"""The seed's three dialogues (chatops-commander-design.md, Scénarios 1–3) driven through the web chat in a real
browser at 1440×900 (the morning check also at 390×844): the morning check on localhost in French and in English
("Besoin de détails ?", yes → the details, no → a polite close); the deploy of a localhost runbook (the pre-check
question with its three choices as buttons, the approval card approved by an admin in a second browser, the
steps' results); and, when the sshd test fleet is available, the site-down incident (nginx stopped under
supervisord, diagnosis, "1", confirm, restarted)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.browser.conftest import (
    ADMIN_EMAIL,
    OPERATOR_EMAIL,
    PASSWORD,
    LiveServer,
    shot,
    watch,
)
from tests.browser.test_chat_cards import facts
from tests.browser.test_chat_outputs import SIZES, expect

pytestmark = pytest.mark.browser

UI = {"fr": {"send": "Envoyer", "input": "Votre demande", "new": "Nouvelle conversation", "approve": "Approuver",
              "approved": "Approuvée", "locale": "fr-FR"},
      "en": {"send": "Send", "input": "Your request", "new": "New conversation", "approve": "Approve",
             "approved": "Approved", "locale": "en-US"}}


def login(page: Any, base: str, email: str) -> None:
    """As tests/browser/test_chat_cards.py's, by the form's fields rather than their (translated) labels."""
    page.goto(f"{base}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-box button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    page.wait_for_load_state("load")  # leaving earlier would cancel the dashboard's own requests
    page.goto(f"{base}/chat")
    expect()(page.locator("[data-chat][data-ready='true']")).to_be_attached()


def turn(page: Any, lang: str, text: str) -> str:
    """Send `text`; the assistant's reply once it is shown and the composer is usable again."""
    ex = expect()
    send = page.get_by_role("button", name=UI[lang]["send"], exact=True)
    ex(send).to_be_enabled()
    before = page.locator(".msg-assistant").count()
    box = page.get_by_label(UI[lang]["input"])
    box.fill(text)
    box.press("Enter")
    ex(page.locator(".msg-assistant")).not_to_have_count(before)
    ex(send).to_be_enabled()
    got: str = page.locator(".msg-assistant").last.locator(".msg-body").first.inner_text()
    return got.strip()


MORNING = {
    "fr": ("Bonjour, tout va bien ?", ["Bonjour !", "État de votre infrastructure :", "1/1 serveurs opérationnels",
                                       "Aucune alerte ouverte", "Besoin de détails ?"],
           "oui", "Détails par serveur :", "• localhost : joignable",
           "Non merci, c'est tout", "Parfait ! Je reste disponible si besoin"),
    "en": ("Hello, is everything ok?", ["Hello!", "State of your infrastructure:", "1/1 servers up",
                                        "No open alert", "Need details?"],
           "yes", "Details per server:", "• localhost: reachable",
           "No thanks, that's all", "Great! I'm here if you need me"),
}


@pytest.mark.parametrize(("lang", "theme", "size"), [("fr", "dark", "desktop"), ("en", "light", "desktop"),
                                                     ("fr", "light", "phone")])
def test_scenario_1_the_morning_check_asks_if_details_are_needed_gives_them_then_closes_politely(
        runbook_server: LiveServer, browser: Any, lang: str, theme: str, size: str) -> None:
    hello, state_lines, yes, details_head, details_line, bye, polite = MORNING[lang]
    ex = expect()
    ctx = browser.new_context(viewport=SIZES[size], locale=UI[lang]["locale"], is_mobile=size == "phone",
                              has_touch=size == "phone")
    ctx.add_cookies([{"name": "cc_theme", "value": theme, "url": runbook_server.base},
                     {"name": "cc_lang", "value": lang, "url": runbook_server.base}])  # the accounts' language is en
    try:
        page = ctx.new_page()
        w = watch(page)
        login(page, runbook_server.base, ADMIN_EMAIL)
        page.get_by_role("button", name=UI[lang]["new"]).click()
        state = turn(page, lang, hello)
        for line in state_lines:
            assert line in state, (line, state)
        assert "()" not in state, state  # no "all critical services running ()" when none is watched
        assert state.index(state_lines[-1]) > state.index(state_lines[1]), state  # the question ends the report
        shot(page, f"chat-seed-morning-{lang}-{size}-{theme}")
        details = turn(page, lang, yes)
        assert details.startswith(details_head) and details_line in details, details
        closing = turn(page, lang, bye)
        assert closing.startswith(polite), closing
        ex(page.locator("html")).to_have_attribute("data-theme", theme)
        ex(page.locator(".msg-user")).to_have_count(3)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= SIZES[size]["width"] + 1, f"horizontal scroll: {width}px"
        w.assert_clean()
    finally:
        ctx.close()


DEPLOY_CHOICES = ["1. Sauvegarder la base puis déployer", "2. Déployer v2.5.0 sans sauvegarde (risqué)",
                  "3. Annuler"]


def test_scenario_3_the_deploy_asks_its_pre_check_question_with_three_buttons_then_an_admin_approves(
        runbook_server: LiveServer, browser: Any) -> None:
    ex = expect()
    op_ctx = browser.new_context(viewport=SIZES["desktop"], locale="fr-FR")
    admin_ctx = browser.new_context(viewport=SIZES["desktop"], locale="fr-FR")
    op_ctx.add_cookies([{"name": "cc_theme", "value": "dark", "url": runbook_server.base},
                        {"name": "cc_lang", "value": "fr", "url": runbook_server.base}])
    admin_ctx.add_cookies([{"name": "cc_theme", "value": "light", "url": runbook_server.base},
                           {"name": "cc_lang", "value": "fr", "url": runbook_server.base}])
    try:
        op = op_ctx.new_page()
        w_op = watch(op)
        login(op, runbook_server.base, OPERATOR_EMAIL)
        op.get_by_role("button", name=UI["fr"]["new"]).click()
        question = turn(op, "fr", "Déploie la v2.5.0 en production")
        assert "Déploiement de shop v2.5.0 en production" in question, question
        assert "Pré-vérifications :" in question and "Voulez-vous :" in question, question
        choices = op.locator(".msg-assistant").last.locator("button")
        ex(choices).to_have_text(DEPLOY_CHOICES)
        shot(op, "chat-seed-deploy-precheck-desktop-dark")
        choices.first.click()  # back up, then deploy
        mine = op.locator(".card-approval").last
        ex(mine.locator(".steps-list li")).to_have_text(["Pré-vérifications", "Sauvegarde de la base",
                                                          "Récupération de la version", "Tests de fumée"])
        seen = facts(mine)
        assert seen["Version"] == "v2.5.0" and seen["Environnement"] == "production", seen
        assert seen["Serveurs"] == "localhost" and seen["Demandé par"] == OPERATOR_EMAIL, seen
        assert mine.get_by_role("button", name=UI["fr"]["approve"]).count() == 0  # not one's own request

        admin = admin_ctx.new_page()
        w_admin = watch(admin)
        login(admin, runbook_server.base, ADMIN_EMAIL)
        card = admin.locator(".card-approval").last
        ex(card.locator(".steps-list li")).to_have_count(4)
        card.get_by_role("button", name=UI["fr"]["approve"]).click()
        ex(admin.locator(".card-approval").last.locator(".approval-state")).to_contain_text(UI["fr"]["approved"])

        # the requester's card turns approved by itself, and each step reports below it, then the outcome
        ex(op.locator(".card-approval").last.locator(".approval-state")).to_contain_text(UI["fr"]["approved"])
        done = op.locator(".msg-assistant", has_text="Déploiement réussi").last
        ex(done).to_be_visible()
        text = done.inner_text()
        for step in ("Étape 1/4 : Pré-vérifications", "Étape 2/4 : Sauvegarde de la base",
                     "Étape 3/4 : Récupération de la version", "Étape 4/4 : Tests de fumée", "Version : v2.5.0"):
            assert step in text, (step, text)
        shot(op, "chat-seed-deploy-done-desktop-dark")
        w_op.assert_clean()
        w_admin.assert_clean()
    finally:
        op_ctx.close()
        admin_ctx.close()


def _until(check: Any, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not true after {timeout:g} s")
        time.sleep(0.05)  # polling a process outside the browser, with a deadline


@pytest.mark.fleet
def test_scenario_2_site_down_diagnosis_then_1_then_confirm_restarts_nginx(fleet_server: LiveServer, fleet: Any,
                                                                            browser: Any) -> None:
    ex = expect()
    fleet.supervisorctl("web-01", "stop", "nginx")
    _until(lambda: fleet.http_get("web-01") is None, "nginx of web-01 stopped")
    ctx = browser.new_context(viewport=SIZES["desktop"], locale="fr-FR")
    ctx.add_cookies([{"name": "cc_theme", "value": "dark", "url": fleet_server.base},
                     {"name": "cc_lang", "value": "fr", "url": fleet_server.base}])
    try:
        page = ctx.new_page()
        w = watch(page)
        login(page, fleet_server.base, ADMIN_EMAIL)
        page.get_by_role("button", name=UI["fr"]["new"]).click()
        diag = turn(page, "fr", "Le site est down, qu'est-ce qui se passe ?")
        assert re.search(r"nginx sur web-01 :\s*ARRÊTÉ", diag), diag  # the ❌ is drawn as the UI's icon
        assert re.search(r"nginx sur web-02 :\s*actif", diag), diag
        assert "Cause probable : nginx est arrêté sur web-01" in diag, diag
        choices = page.locator(".msg-assistant").last.locator("button")
        ex(choices.first).to_have_text("1. Redémarrer nginx sur web-01")
        shot(page, "chat-seed-incident-diagnosis-desktop-dark")
        choices.first.click()
        card = page.locator(".card-action:not(.card-approval)").last
        ex(card).to_contain_text("Redémarrer nginx sur web-01")
        ex(card).to_contain_text("(web-02 prend le relais)")  # the seed's "Risque : FAIBLE (web-02 prend le relais)"
        assert fleet.http_get("web-01") is None  # nothing ran before the confirmation
        card.get_by_role("button", name="Confirmer").click()
        done = page.locator(".msg-assistant", has_text="Tests de santé").last
        ex(done).to_contain_text("PASSED")
        ex(done).to_contain_text("J'ai redémarré nginx")
        _until(lambda: "hello from web-01" in (fleet.http_get("web-01") or ""), "web-01 answering again")
        shot(page, "chat-seed-incident-restarted-desktop-dark")
        w.assert_clean()
    finally:
        ctx.close()
        fleet.supervisorctl("web-01", "start", "nginx")
