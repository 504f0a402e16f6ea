"""The web UI in a real browser against a real server: login, dashboard, chat, history, admin pages, i18n, XSS."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import (
    ADMIN_EMAIL,
    OPERATOR_EMAIL,
    PASSWORD,
    XSS_NAME,
    LiveServer,
    shot,
    watch,
)

pytestmark = pytest.mark.browser
TIMEOUT_MS = 30_000


def expect() -> Any:
    from playwright.sync_api import expect as pw_expect

    pw_expect.set_options(timeout=TIMEOUT_MS)
    return pw_expect


def login(page: Any, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))


@pytest.fixture
def context(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    try:
        yield ctx
    finally:
        ctx.close()


def xss_fired(page: Any) -> bool:
    return bool(page.evaluate("() => window.__xss !== undefined"))


def test_login_dashboard_chat_history_and_language(live_server: LiveServer, context: Any) -> None:
    ex = expect()
    page = context.new_page()
    w = watch(page)
    base = live_server.base

    page.goto(f"{base}/")
    ex(page).to_have_url(re.compile(r".*/login"))
    ex(page.get_by_role("heading", name="ChatOps Commander")).to_be_visible()
    shot(page, "01-login")
    login(page, base)

    # dashboard: one card per server (localhost, the planted name shown as text, the fleet), the alerts panel
    ex(page.locator(".server-card", has_text="localhost")).to_be_visible()
    ex(page.locator(".server-card .server-name", has_text=XSS_NAME)).to_be_visible()
    ex(page.get_by_role("heading", name=re.compile("Open alerts"))).to_be_visible()
    ex(page.locator(".server-card[data-server='localhost'] svg.spark").first).to_be_visible()
    assert not xss_fired(page)
    dash = shot(page, "02-dashboard")

    # chat: a read-only question answered with a table (and a chart)
    page.get_by_role("link", name="Chat", exact=True).click()
    ex(page).to_have_url(re.compile(r".*/chat$"))
    ex(page.locator("[data-chat][data-ready='true']")).to_be_attached()
    box = page.get_by_label("Your request")
    box.fill("disk")
    ex(page.locator("#suggestions [role=option]").first).to_be_visible()
    box.fill("check disk on localhost")
    box.press("Enter")
    answer = page.locator(".msg-assistant table.data-table").last
    ex(answer).to_be_visible()
    ex(answer.locator("th", has_text="mount")).to_be_visible()
    ex(page.locator(".msg-assistant .chart canvas").last).to_be_visible()
    # ↑ recalls the last request
    box.press("ArrowUp")
    ex(box).to_have_value("check disk on localhost")
    box.fill("")
    chat = shot(page, "03-chat")

    # a message and a command output carrying markup: shown as text, nothing executes
    ex(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
    box.fill('hello <img src=x onerror="window.__xss=2"> <script>window.__xss=3</script> **bold**')
    box.press("Enter")
    ex(page.locator(".msg-user strong", has_text="bold").last).to_be_visible()
    ex(page.locator(".msg-assistant").last).to_be_visible()
    assert page.locator(".msg-user img").count() == 0 and page.locator(".messages script").count() == 0
    assert not xss_fired(page)
    # a command whose output is markup: `echo` is on the read-only allowlist, so it runs at once (risk low,
    # ACTIONS.md) and its output is shown as text
    ex(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()  # the previous turn is answered
    box.fill("""run "echo '<script>window.__xss=4</script><img src=x onerror=window.__xss=5>'" on localhost""")
    box.press("Enter")
    ex(page.locator(".msg-assistant", has_text="window.__xss=4").last).to_be_visible()
    assert page.locator(".card-action", has_text="window.__xss=4").count() == 0  # no card for a low-risk command
    assert page.locator(".messages script").count() == 0 and page.locator(".messages img").count() == 0
    assert not xss_fired(page)

    # history: the commands and audit events, filterable, exportable
    page.get_by_role("link", name="History", exact=True).click()
    ex(page.locator("#history-rows tbody tr").first).to_be_visible()
    ex(page.locator("#history-rows td", has_text="command").first).to_be_visible()
    page.get_by_label("User").fill(ADMIN_EMAIL)
    page.get_by_role("button", name="Filter").click()
    ex(page).to_have_url(re.compile(r".*user=admin%40example\.com.*"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV", exact=True).click()
    assert download.value.suggested_filename.endswith(".csv")
    shot(page, "04-history")

    # servers (the planted name is text), users, settings, onboarding
    page.get_by_role("link", name="Servers", exact=True).click()
    ex(page.locator("[data-testid=servers-table] td", has_text=XSS_NAME)).to_be_visible()
    assert not xss_fired(page)
    localhost_row = page.locator("[data-testid=servers-table] tr", has_text="localhost")
    localhost_row.get_by_role("button", name="Test connection").click()
    ex(localhost_row.locator(".test-result [role=status]")).to_contain_text("localhost answers")
    add = page.locator("form[data-api='/api/v1/servers']")
    add.get_by_label("Name", exact=True).fill("web-99")
    add.get_by_label("Hostname").fill("web-99.example.test")
    add.get_by_label("IP address").fill("192.0.2.99")
    add.get_by_role("button", name="Add", exact=True).click()
    ex(add.get_by_role("status")).to_contain_text("Server added")
    ex(page.locator("[data-testid=servers-table] td", has_text="web-99").first).to_be_visible()
    shot(page, "05-servers")
    page.get_by_role("link", name="Users", exact=True).click()
    ex(page.get_by_role("cell", name=ADMIN_EMAIL, exact=True)).to_be_visible()
    shot(page, "06-users")
    page.goto(f"{base}/welcome")
    ex(page.get_by_role("heading", name="Welcome aboard")).to_be_visible()
    shot(page, "07-welcome")

    # settings: French, then the light theme
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_label("Français").check()
    ex(page.get_by_role("heading", name="Paramètres")).to_be_visible()
    ex(page.locator("html")).to_have_attribute("lang", "fr")
    assert page.request.get(f"{base}/api/v1/auth/me").json()["language"] == "fr"  # the account's, not only a cookie
    page.get_by_label("Clair").check()
    ex(page.locator("html")).to_have_attribute("data-theme", "light")
    shot(page, "08-settings-fr-light")
    page.get_by_role("link", name="Tableau de bord", exact=True).click()
    ex(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    shot(page, "09-dashboard-fr-light")
    page.get_by_role("link", name="Paramètres", exact=True).click()
    page.get_by_label("English").check()  # and back: the account's language is the later tests' (no cookie there)
    ex(page.locator("html")).to_have_attribute("lang", "en")
    assert page.request.get(f"{base}/api/v1/auth/me").json()["language"] == "en"

    assert not xss_fired(page)
    w.assert_clean()
    assert dash.exists() and chat.exists()


@pytest.mark.fleet
@pytest.mark.timeout(1200)  # the fleet fixture may wait for another run to release the fleet
def test_restart_a_service_with_confirmation(fleet_server: LiveServer, context: Any) -> None:
    live_server = fleet_server
    ex = expect()
    page = context.new_page()
    w = watch(page)
    login(page, live_server.base)
    page.goto(f"{live_server.base}/chat")
    ex(page.locator("[data-chat][data-ready='true']")).to_be_attached()
    page.get_by_role("button", name="New conversation").click()
    box = page.get_by_label("Your request")
    box.fill("restart nginx on web-01")
    box.press("Enter")
    card = page.locator(".card-action").last
    ex(card).to_be_visible()
    ex(card.locator(".badge.risk")).to_be_visible()
    shot(page, "10-confirmation")
    card.get_by_role("button", name="Confirm").click()
    ex(page.locator(".progress-list li[data-host='web-01'].progress-ok").last).to_be_visible()
    ex(page.locator(".msg-assistant").last).to_contain_text("web-01")
    shot(page, "11-restarted")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    for host in live_server.fleet_hosts:
        ex(page.locator(f".server-card[data-server='{host}'] svg.spark").first).to_be_visible()
    shot(page, "14-dashboard-fleet")  # README's screenshot is the chat's (tests/browser/test_chat_cards.py)
    page.get_by_role("link", name="History", exact=True).click()
    page.get_by_label("Server").fill("web-01")
    page.get_by_role("button", name="Filter").click()
    ex(page.locator("#history-rows td", has_text="command").first).to_be_visible()
    w.assert_clean()


def test_phone_layout_and_keyboard(live_server: LiveServer, browser: Any) -> None:
    ex = expect()
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = ctx.new_page()
        w = watch(page)
        # keyboard only: tab to the fields and submit
        page.goto(f"{live_server.base}/login")
        ex(page.locator("#email")).to_be_focused()  # autofocus on the first field
        page.keyboard.type(ADMIN_EMAIL)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*/dashboard$"))
        ex(page.locator(".server-card").first).to_be_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"horizontal scroll on a phone: {width}px"
        shot(page, "12-phone-dashboard")
        page.get_by_role("button", name="Menu").click()
        ex(page.get_by_role("link", name="Chat", exact=True)).to_be_visible()
        shot(page, "13-phone-menu")
        w.assert_clean()
    finally:
        ctx.close()


def test_wrong_password_and_security_headers(live_server: LiveServer, context: Any) -> None:
    ex = expect()
    page = context.new_page()
    response = page.goto(f"{live_server.base}/login")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    page.get_by_label("Email").fill(ADMIN_EMAIL)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    ex(page.get_by_role("alert")).to_contain_text("don't match")
    ex(page).to_have_url(re.compile(r".*/login"))


def test_two_factor_enrolment_then_login_with_the_second_step(live_server: LiveServer, context: Any) -> None:
    import pyotp

    ex = expect()
    page = context.new_page()
    w = watch(page)
    base = live_server.base
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(OPERATOR_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("button", name="Set up 2FA").click()
    ex(page.locator("img[data-enroll-qr]")).to_have_attribute("src", re.compile(r"^data:image/svg\+xml;base64,"))
    uri = page.locator("[data-enroll-uri]").inner_text()
    page.get_by_label("Two-factor code").fill(pyotp.parse_uri(uri).now())
    page.get_by_role("button", name="Turn on 2FA").click()
    codes = page.locator("[data-enroll-step] code.secret")
    ex(codes.first).to_be_visible()
    recovery = codes.first.inner_text().strip()
    shot(page, "15-2fa-enrolled")

    page.get_by_role("button", name="Log out").first.click()
    page.wait_for_url(re.compile(r".*/login"))
    page.get_by_label("Email").fill(OPERATOR_EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    step = page.get_by_label("Two-factor code")
    ex(step).to_be_visible()
    shot(page, "16-login-2fa-step")
    step.fill(recovery)  # the TOTP step of enrolment was just used; a recovery code is single-use and valid now
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    ex(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    w.assert_clean()
