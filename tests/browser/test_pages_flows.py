"""The pages' flows in a real browser against a real server: settings (password with the policy, 2FA, API
tokens), history (readable details, filters that say what is wrong), servers (why a server is in error, trust its
key), the dashboard (services per server, refreshed right after an action), in English and French."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import ADMIN_EMAIL, OPERATOR_EMAIL, PASSWORD, LiveServer, watch
from tests.browser.pages_support import (
    BOX,
    EDGE,
    create_user,
    csrf_headers,
    expect,
    login,
    new_context,
    no_horizontal_scroll,
    pages_server,
)

pytestmark = pytest.mark.browser
__all__ = ["pages_server"]
NEW_PASSWORD = "Quiet-Lantern-Orchard-77"


@pytest.fixture
def admin(pages_server: LiveServer, browser: Any) -> Any:
    ctx = new_context(browser, pages_server.base)
    try:
        page = ctx.new_page()
        login(page, pages_server.base)
        yield page
    finally:
        ctx.close()


def test_password_change_follows_the_policy_and_says_what_is_wrong_in_both_languages(
        pages_server: LiveServer, browser: Any, admin: Any) -> None:
    ex = expect()
    base = pages_server.base
    create_user(admin, base, "pat@example.com", "viewer")
    for lang, mismatch, wrong, short in (("en", "differ", "current password is wrong", "at least 12 characters"),
                                         ("fr", "diffèrent", "mot de passe actuel est incorrect",
                                          "au moins 12 caractères")):
        ctx = new_context(browser, base, lang=lang)
        try:
            page = ctx.new_page()
            w = watch(page)
            login(page, base, "pat@example.com")
            page.goto(f"{base}/settings")
            form = page.locator("[data-testid=password-form]")
            result = form.locator("#password-result")

            def submit(current: str, new: str, repeat: str, form: Any = form) -> None:
                form.locator("#pw-current").fill(current)
                form.locator("#pw-new").fill(new)
                form.locator("#pw-repeat").fill(repeat)
                form.locator("#pw-repeat").press("Enter")  # the keyboard submits

            submit(PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
            ex(result.get_by_role("alert")).to_contain_text(mismatch)
            submit("not-my-password", NEW_PASSWORD, NEW_PASSWORD)
            ex(result.get_by_role("alert")).to_contain_text(wrong)
            submit(PASSWORD, "short", "short")
            ex(result.get_by_role("alert")).to_contain_text(short)
            assert_accessible(page, f"settings password errors {lang}")
            w.problems = [p for p in w.problems if "/settings/password" not in p  # the 422s are the point
                          and "status of 422" not in p]
            w.assert_clean()
        finally:
            ctx.close()

    ctx = new_context(browser, base)
    try:
        page = ctx.new_page()
        login(page, base, "pat@example.com")
        page.goto(f"{base}/settings")
        page.locator("#pw-current").fill(PASSWORD)
        page.locator("#pw-new").fill(NEW_PASSWORD)
        page.locator("#pw-repeat").fill(NEW_PASSWORD)
        page.get_by_role("button", name="Change password").click()
        ex(page.locator("[data-testid=password-changed]")).to_contain_text("log in again")
        page.get_by_role("link", name="Log in").click()
        page.wait_for_url(re.compile(r".*/login"))
        login(page, base, "pat@example.com", NEW_PASSWORD)  # the new one works
    finally:
        ctx.close()
    old = httpx.post(f"{base}/api/v1/auth/login", json={"email": "pat@example.com", "password": PASSWORD})
    assert old.status_code == 401


def test_the_language_switch_saves_the_accounts_language_which_another_browser_follows(
        pages_server: LiveServer, browser: Any, admin: Any) -> None:
    ex = expect()
    base = pages_server.base
    create_user(admin, base, "lea@example.com", "operator")
    ctx = new_context(browser, base, lang="en")
    try:
        page = ctx.new_page()
        w = watch(page)
        login(page, base, "lea@example.com")
        page.goto(f"{base}/settings")
        page.get_by_label("Français").check()  # sets this browser's cookie, saves the account's language, reloads
        ex(page.locator("html")).to_have_attribute("lang", "fr")
        ex(page.get_by_label("Français")).to_be_checked()
        me = page.request.get(f"{base}/api/v1/auth/me")
        assert me.ok and me.json()["language"] == "fr", me.text()
        w.assert_clean()
    finally:
        ctx.close()
    trail = admin.request.get(f"{base}/api/v1/audit?limit=1000").json()
    [changed] = [e for e in trail if e["action"] == "USER_LANGUAGE_CHANGED" and e["target"] == "lea@example.com"]
    assert changed["details"]["from"] == "en" and changed["details"]["to"] == "fr", changed

    other = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")  # no language cookie
    try:
        page = other.new_page()
        w = watch(page)
        login(page, base, "lea@example.com")
        ex(page.locator("html")).to_have_attribute("lang", "fr")  # the account's language, not the browser's
        ex(page.get_by_role("navigation").get_by_role("link", name="Tableau de bord")).to_be_visible()
        page.goto(f"{base}/settings")
        ex(page.get_by_label("Français")).to_be_checked()
        page.get_by_label("English").check()  # and back: the account follows this browser's switch too
        ex(page.locator("html")).to_have_attribute("lang", "en")
        assert page.request.get(f"{base}/api/v1/auth/me").json()["language"] == "en"
        w.assert_clean()
    finally:
        other.close()


def test_api_tokens_are_created_with_scope_and_expiry_shown_once_listed_and_revoked(
        pages_server: LiveServer, admin: Any) -> None:
    ex = expect()
    base = pages_server.base
    page = admin
    page.goto(f"{base}/settings")
    form = page.locator("[data-testid=token-form]")
    form.get_by_label("Name").fill("ci-bot")
    form.get_by_label(re.compile("Expires in")).fill("ninety")
    form.get_by_role("button", name="Create token").click()
    ex(page.locator("#token-result").get_by_role("alert")).to_contain_text("whole number of days")
    form.get_by_label("execute — read and run actions").check()
    form.get_by_label(re.compile("Expires in")).fill("30")
    form.get_by_role("button", name="Create token").click()
    secret_box = page.locator("[data-testid=token-secret]")
    ex(secret_box).to_be_visible()
    secret = secret_box.inner_text().strip()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    assert page.evaluate("() => navigator.clipboard.readText()") == secret
    row = page.locator("[data-testid=token-list] tr[data-token='ci-bot']")
    ex(row).to_contain_text("execute, read")
    ex(row).to_contain_text("active")
    assert httpx.get(f"{base}/api/v1/servers", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    page.reload()
    ex(page.locator("[data-testid=token-list] tr[data-token='ci-bot']")).to_be_visible()
    assert secret not in page.content()  # shown once
    page.locator("[data-testid=token-list] tr[data-token='ci-bot']").get_by_role("button", name="Revoke").click()
    ex(page.locator("[data-testid=token-list] tr[data-token='ci-bot']")).to_contain_text("revoked")
    assert httpx.get(f"{base}/api/v1/servers", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_an_operator_is_told_tokens_are_for_admins_and_gets_the_403_page_in_french(
        pages_server: LiveServer, browser: Any) -> None:
    ex = expect()
    base = pages_server.base
    ctx = new_context(browser, base, lang="fr")
    try:
        page = ctx.new_page()
        login(page, base, OPERATOR_EMAIL)
        page.goto(f"{base}/settings")
        ex(page.get_by_text("Les jetons d'API sont réservés aux admins")).to_be_visible()
        response = page.goto(f"{base}/users")
        assert response is not None and response.status == 403
        assert "text/html" in response.headers["content-type"]
        ex(page.get_by_role("heading", name=re.compile("Accès refusé"))).to_be_visible()
        ex(page.get_by_text("Cette page est réservée aux admins")).to_be_visible()
        response = page.goto(f"{base}/history/export.csv")  # the audit trail's export: admins only
        assert response is not None and response.status == 403
        ex(page.locator("[data-testid=error-403]")).to_be_visible()
        page.get_by_role("link", name="Retour au tableau de bord").click()
        page.wait_for_url(re.compile(r".*/dashboard$"))
        response = page.goto(f"{base}/nulle-part")
        assert response is not None and response.status == 404
        ex(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    finally:
        ctx.close()
    api = httpx.get(f"{base}/api/v1/nowhere", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.headers["content-type"].startswith("application/problem+json")


def test_two_factor_is_turned_on_then_off_from_settings(pages_server: LiveServer, browser: Any, admin: Any) -> None:
    import pyotp

    ex = expect()
    base = pages_server.base
    create_user(admin, base, "tfa@example.com", "operator")
    ctx = new_context(browser, base)
    try:
        page = ctx.new_page()
        login(page, base, "tfa@example.com")
        page.goto(f"{base}/settings")
        page.get_by_role("button", name="Set up 2FA").click()
        secret = page.locator("[data-testid=enroll-secret]")
        ex(secret).to_have_text(re.compile(r"^[A-Z2-7]{16,}$"))  # the key to type when the QR code can't be scanned
        page.get_by_label("Two-factor code").fill(pyotp.TOTP(secret.inner_text()).now())
        page.get_by_role("button", name="Turn on 2FA").click()
        codes = page.locator("[data-enroll-step] code.secret")
        ex(codes.first).to_be_visible()
        recovery = codes.nth(1).inner_text().strip()
        page.reload()
        ex(page.get_by_text("2FA is on for your account.")).to_be_visible()
        page.locator("#d-pass").fill(PASSWORD)
        page.locator("#d-code").fill("000000")
        page.get_by_role("button", name="Turn off 2FA").click()
        ex(page.locator("[data-testid=twofa-disable] [role=alert]")).to_be_visible()
        assert "/settings" in page.url  # a wrong code is said here, it does not end the session
        page.locator("#d-code").fill(recovery)
        page.get_by_role("button", name="Turn off 2FA").click()
        ex(page.get_by_role("button", name="Set up 2FA")).to_be_visible()
    finally:
        ctx.close()


def test_history_shows_details_as_fields_and_says_what_is_wrong_with_a_filter(
        pages_server: LiveServer, browser: Any, admin: Any) -> None:
    ex = expect()
    base = pages_server.base
    page = admin
    page.goto(f"{base}/history")
    ex(page.locator("#history-rows tbody tr").first).to_be_visible()
    details = page.locator("#history-rows td.details")
    ex(details.locator("dl.detail-fields dt").first).to_be_visible()
    assert not any(text.strip().startswith("{") for text in details.all_inner_texts()), "raw JSON in details"
    # the filter bar fits on one line at 1440 px
    boxes = page.evaluate("() => Array.from(document.querySelectorAll('form.filters .field'))"
                          ".map(f => { const r = f.getBoundingClientRect(); return [r.top, r.bottom]; })")
    assert max(top for top, _ in boxes) < min(bottom for _, bottom in boxes), f"filter bar wraps: {boxes}"
    form_overflow = page.evaluate("() => { const f = document.querySelector('form.filters'); "
                                  "return f.scrollWidth - f.clientWidth; }")
    assert form_overflow <= 0
    # invalid filters: said, nothing silently empty
    response = page.goto(f"{base}/history?from=yesterday")
    assert response is not None and response.status == 422
    ex(page.get_by_role("alert")).to_contain_text("From must be a date like 2026-11-30")
    ex(page.locator("#f-from")).to_have_attribute("aria-invalid", "true")
    page.goto(f"{base}/history?from=2026-12-01&to=2026-11-01")
    ex(page.get_by_role("alert")).to_contain_text("“From” is after “To”")
    page.goto(f"{base}/history?outcome=maybe")
    ex(page.get_by_role("alert")).to_contain_text("Outcome 'maybe' is not one I know")
    assert_accessible(page, "history with a wrong filter")
    # a filter that matches nothing says so
    page.goto(f"{base}/history?user=nobody-at-all")
    ex(page.locator("#history-rows")).to_contain_text("Nothing matches these filters")
    ctx = new_context(browser, base, lang="fr")
    try:
        fr = ctx.new_page()
        login(fr, base)
        fr.goto(f"{base}/history?to=31/12/2026")
        ex(fr.get_by_role("alert")).to_contain_text("Au doit être une date comme 2026-11-30")
    finally:
        ctx.close()


def test_history_rows_are_readable_on_a_phone(pages_server: LiveServer, browser: Any) -> None:
    ex = expect()
    base = pages_server.base
    ctx = new_context(browser, base, size="phone")
    try:
        page = ctx.new_page()
        login(page, base)
        page.goto(f"{base}/history")
        row = page.locator("#history-rows tbody tr").first
        ex(row).to_be_visible()
        no_horizontal_scroll(page)
        box = row.bounding_box()
        assert box is not None and box["width"] <= 390
        label = page.evaluate("() => getComputedStyle(document.querySelector('#history-rows td[data-label]'), "
                              "'::before').content")
        assert "When" in label
    finally:
        ctx.close()


def test_a_server_in_error_says_why_and_an_admin_can_trust_its_key(pages_server: LiveServer, browser: Any,
                                                                     admin: Any) -> None:
    ex = expect()
    base = pages_server.base
    users = admin.request.get(f"{base}/api/v1/users").json()
    operator = next(u for u in (users["items"] if isinstance(users, dict) else users) if u["email"] == OPERATOR_EMAIL)
    servers = admin.request.get(f"{base}/api/v1/servers").json()
    edge = next(s for s in (servers["items"] if isinstance(servers, dict) else servers) if s["name"] == EDGE)
    granted = admin.request.put(f"{base}/api/v1/users/{operator['id']}/permissions/{edge['id']}",
                                headers=csrf_headers(admin), data={"can_read": True})
    assert granted.ok, granted.text()
    ctx = new_context(browser, base)
    try:
        viewer_page = ctx.new_page()
        login(viewer_page, base, OPERATOR_EMAIL)
        viewer_page.goto(f"{base}/servers")
        reason = viewer_page.locator(f"[data-testid='reason-{EDGE}']")
        ex(reason).to_be_visible()
        ex(reason).not_to_be_empty()
        assert reason.get_by_role("button").count() == 0  # no admin action for an operator
    finally:
        ctx.close()

    page = admin
    page.goto(f"{base}/servers")
    reason = page.locator(f"[data-testid='reason-{EDGE}']")
    ex(reason.get_by_role("alert")).to_contain_text("Host key not trusted")
    text = reason.get_by_role("alert").inner_text()
    fingerprint = re.search(r"SHA256:[A-Za-z0-9+/=]+", text)
    assert fingerprint, text
    trust = reason.get_by_role("button", name="Trust this key")
    trust.focus()
    page.keyboard.press("Enter")  # reachable and usable by keyboard
    ex(reason.get_by_role("status")).to_contain_text(f"Host key {fingerprint.group(0)} trusted for {EDGE}")
    page.reload()
    ex(page.locator(f"[data-testid=servers-table] tr[data-server='{EDGE}'] .fingerprint")).to_contain_text(
        fingerprint.group(0))


def test_server_actions_are_reachable_on_a_phone(pages_server: LiveServer, browser: Any) -> None:
    ex = expect()
    base = pages_server.base
    ctx = new_context(browser, base, size="phone")
    try:
        page = ctx.new_page()
        login(page, base)
        page.goto(f"{base}/servers")
        row = page.locator(f"[data-testid=servers-table] tr[data-server='{BOX}']")
        button = row.get_by_role("button", name="Test connection")
        button.scroll_into_view_if_needed()
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        button.tap()
        ex(row.locator(".test-result [role=status]")).to_contain_text(f"{BOX} answers")
        no_horizontal_scroll(page)
    finally:
        ctx.close()


def test_dashboard_shows_service_states_and_refreshes_right_after_an_action(pages_server: LiveServer,
                                                                            admin: Any) -> None:
    ex = expect()
    base = pages_server.base
    page = admin
    page.goto(f"{base}/dashboard")
    service = page.locator(f"[data-testid=services-panel] [data-server='{BOX}'] [data-service='chatops-none']")
    ex(service).to_be_visible()
    ex(service).to_have_attribute("data-state", re.compile("stopped|failed|unknown"))
    ex(page.locator("body[data-fleet-live='true']")).to_be_attached()  # listening before the action
    assert page.evaluate("() => document.body.dataset.fleetEvents") is None
    chat = page.context.new_page()  # the action, from the chat in another tab
    chat.goto(f"{base}/chat")
    ex(chat.locator("[data-chat][data-ready='true']")).to_be_attached()
    box = chat.get_by_label("Your request")
    box.fill(f"check disk on {BOX}")
    box.press("Enter")
    ex(chat.locator(".msg-assistant table.data-table").last).to_be_visible()
    # the dashboard heard of it at once (well before its 15 s poll) and says so
    ex(page.locator("[data-fleet-updated]")).to_contain_text(f"Updated after your action. ({BOX})", timeout=10_000)
    assert page.evaluate("() => document.body.dataset.fleetEvents") == "1"
    chat.close()


def test_a_dashboard_opened_right_after_an_action_shows_figures_collected_after_it(pages_server: LiveServer,
                                                                                  admin: Any) -> None:
    from datetime import datetime

    base = pages_server.base
    page = admin
    headers = csrf_headers(page)
    conversation = page.request.post(f"{base}/api/v1/conversations", headers=headers, data={}).json()
    turn = page.request.post(f"{base}/api/v1/conversations/{conversation['id']}/messages", headers=headers,
                             data={"text": f"check disk on {BOX}"})
    assert turn.ok, turn.text()
    acted = datetime.fromisoformat(turn.json()["message"]["created_at"])
    page.goto(f"{base}/dashboard")
    servers = page.request.get(f"{base}/api/v1/servers").json()
    box = next(s for s in (servers["items"] if isinstance(servers, dict) else servers) if s["name"] == BOX)
    assert datetime.fromisoformat(box["last_check"]) >= acted


def test_settings_forms_need_the_session_csrf_token_and_change_nothing_without_it(pages_server: LiveServer,
                                                                                  admin: Any) -> None:
    base = pages_server.base
    page = admin
    for path, form in (("/settings/password", {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD}),
                       ("/settings/tokens", {"name": "sneaky", "scope": "execute", "days": "30"})):
        refused = page.request.post(f"{base}{path}", form=form, headers={"HX-Request": "true"})
        assert refused.status == 403 and "CSRF" in refused.text(), (path, refused.status)
    page.goto(f"{base}/settings")
    assert page.locator("[data-testid=token-list] tr[data-token='sneaky']").count() == 0
    assert httpx.post(f"{base}/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD}).status_code == 200
