"""Cards in the chat, in a real browser: the confirmation card has its buttons and no "[Confirm] [Cancel]" text
above them; the 4-eyes approval card says what is approved (action, version, environment, hosts, requester,
the runbook's steps, risk, expiry) on the approver's side and on the requester's while waiting; a rate-limited
send keeps the draft and says when to retry, and the conversation list never claims to be empty when it could
not be read. README's screenshot (the chat with a card and an output block) is taken here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import (
    ADMIN_EMAIL,
    OPERATOR_EMAIL,
    PASSWORD,
    LiveServer,
    _require_browser,
    _serve,
    copy_readme_shot,
    shot,
    watch,
)
from tests.browser.test_chat_outputs import SIZES, expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def limited_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A tight API rate limit (per user), so that a few turns reach it."""
    _require_browser()
    with _serve(tmp_path_factory.mktemp("chat-limited"), None, env={"CHATOPS_RATE_LIMIT_API": "8/minute"}) as server:
        yield server


def login(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/dashboard$"))
    page.wait_for_load_state("load")  # leaving earlier would cancel the dashboard's own requests
    page.goto(f"{base}/chat")
    expect()(page.locator("[data-chat][data-ready='true']")).to_be_attached()


def ask(page: Any, text: str) -> None:
    expect()(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
    box = page.get_by_label("Your request")
    box.fill(text)
    box.press("Enter")


def facts(card: Any) -> dict[str, str]:
    found: dict[str, str] = card.locator("dl.facts").first.evaluate(
        "dl => Object.fromEntries([...dl.querySelectorAll('div')].map((d) => "
        "[d.querySelector('dt').textContent.trim(), d.querySelector('dd').textContent.trim()]))")
    return found


COUNTDOWN = re.compile(r"^(?:expires in|expire dans) (?:(\d+) h )?(?:(\d+) min )?(\d+) s$")


def seconds_left(card: Any) -> int:
    """The approval card's countdown ("expires in 59 min 58 s"), in seconds."""
    text = card.locator("[data-countdown-shown]").inner_text().strip()
    found = COUNTDOWN.match(text)
    assert found, text
    hours, minutes, seconds = (int(g or 0) for g in found.groups())
    return hours * 3600 + minutes * 60 + seconds


def assert_counts_down(card: Any, *, spoken: str) -> None:
    """Read twice, without a reload: the second reading is lower. The screen reader's text is a polite live region
    with whole minutes only (it changes at most once a minute)."""
    shown = card.locator("[data-countdown-shown]")
    first, first_text = seconds_left(card), shown.inner_text()
    assert 58 * 60 < first <= 60 * 60, first
    expect()(shown).not_to_have_text(first_text)  # polled with a deadline, no sleep
    assert seconds_left(card) < first
    live = card.locator("[data-countdown-spoken]")
    expect()(live).to_have_attribute("aria-live", "polite")
    expect()(live).to_have_text(re.compile(spoken))
    expect()(shown).to_have_attribute("aria-hidden", "true")  # read once, by the live region's text


def ask_for_the_deploy(op: Any, base: str) -> Any:
    """The operator logs in and asks for the seed's deploy; the pre-checks ask first (no backup is known): back up,
    then deploy — the answer is the approval card, returned."""
    login(op, base, OPERATOR_EMAIL)
    op.get_by_role("button", name="New conversation").click()
    ask(op, "deploy v2.5.0 to production")
    op.get_by_role("button", name=re.compile(r"Back up the database, then deploy")).first.click()
    return op.locator(".card-approval").last


def test_an_approval_card_says_what_is_approved_on_both_sides_then_runs(runbook_server: LiveServer,
                                                                          browser: Any) -> None:
    ex = expect()
    op_ctx = browser.new_context(viewport=SIZES["phone"], locale="en-US", is_mobile=True, has_touch=True)
    admin_ctx = browser.new_context(viewport=SIZES["desktop"], locale="en-US")
    admin_ctx.add_cookies([{"name": "cc_theme", "value": "light", "url": runbook_server.base}])
    try:
        op = op_ctx.new_page()
        w_op = watch(op)
        mine = ask_for_the_deploy(op, runbook_server.base)
        ex(op.locator(".conv-list button")).to_have_count(1)  # sent at once after "New conversation": one, not two
        ex(mine.locator(".steps-list li")).to_have_text(["Pre-checks", "Database backup", "Pull the release",
                                                          "Smoke tests"])
        seen = facts(mine)
        assert seen["Version"] == "v2.5.0" and seen["Environment"] == "production", seen
        assert seen["Hosts"] == "localhost" and seen["Requested by"] == OPERATOR_EMAIL, seen
        assert seen["Action"].startswith("Runbook: pre-checks") and "app.deploy" in seen["Action"], seen
        assert seen["Time limit"].startswith("expires in "), seen
        assert_counts_down(mine, spoken=r"^expires in 59 min$")  # the requester's side
        ex(mine.locator(".badge.risk").first).to_be_visible()
        ex(mine.locator(".approval-state")).to_contain_text("Waiting for an admin's decision")
        assert mine.get_by_role("button", name="Approve").count() == 0  # nobody approves their own request
        assert_accessible(op, "#main")
        shot(op, "chat-approval-requester-phone")
        op.reload()  # reopened later: the request is still a card with what it asks, not a bare sentence
        ex(op.locator("[data-chat][data-ready='true']")).to_be_attached()
        ex(op.locator(".card-approval .steps-list li")).to_have_count(4)
        ex(op.locator(".card-approval .approval-state")).to_contain_text("Waiting for an admin's decision")
        ex(op.locator(".card-approval")).to_contain_text("I created request")

        admin = admin_ctx.new_page()
        w_admin = watch(admin)
        login(admin, runbook_server.base, ADMIN_EMAIL)
        card = admin.locator(".card-approval").last
        ex(card.locator(".steps-list li")).to_have_count(4)
        assert facts(card)["Version"] == "v2.5.0" and facts(card)["Requested by"] == OPERATOR_EMAIL
        assert_counts_down(card, spoken=r"^expires in 59 min$")  # the approver's side
        assert_accessible(admin, "#main")
        card.get_by_label("Reason").fill("release train 48")
        card.get_by_role("button", name="Approve").focus()  # reachable and pressed by keyboard
        admin.keyboard.press("Enter")
        ex(admin.locator(".card-approval").last.locator(".approval-state")).to_contain_text("Approved")

        # the requester's card is the same card, now approved, and the deploy's steps report below it
        ex(op.locator(".card-approval").last.locator(".approval-state")).to_contain_text("Approved")
        assert op.locator(".card-approval").count() == 1
        ex(op.locator(".msg-assistant", has_text="approved").last).to_be_visible()
        ex(op.locator(".msg-assistant", has_text="Smoke tests").last).to_be_visible()
        w_op.assert_clean()
        w_admin.assert_clean()
    finally:
        op_ctx.close()
        admin_ctx.close()


def test_an_approval_card_counts_down_to_expired_on_both_sides_and_the_approver_can_no_longer_decide(
        runbook_server: LiveServer, browser: Any) -> None:
    """The browsers' clocks jump an hour ahead (Playwright's clock): the cards expire without a reload."""
    ex = expect()
    op_ctx = browser.new_context(viewport=SIZES["desktop"], locale="en-US")
    admin_ctx = browser.new_context(viewport=SIZES["desktop"], locale="en-US")
    admin_ctx.add_cookies([{"name": "cc_lang", "value": "fr", "url": runbook_server.base}])
    try:
        op = op_ctx.new_page()
        op.clock.install()
        w_op = watch(op)
        mine = ask_for_the_deploy(op, runbook_server.base)
        assert_counts_down(mine, spoken=r"^expires in 59 min$")
        approval_id = mine.get_attribute("data-approval")

        admin = admin_ctx.new_page()
        admin.clock.install()
        w_admin = watch(admin)
        admin.goto(f"{runbook_server.base}/login")
        admin.locator("#email").fill(ADMIN_EMAIL)
        admin.locator("#password").fill(PASSWORD)
        admin.locator("#login-box button[type=submit]").click()
        admin.wait_for_url(re.compile(r".*/dashboard$"))
        admin.wait_for_load_state("load")
        admin.goto(f"{runbook_server.base}/chat")
        ex(admin.locator("[data-chat][data-ready='true']")).to_be_attached()
        card = admin.locator(f".card-approval[data-approval='{approval_id}']")
        ex(card.get_by_role("button", name="Approuver")).to_be_visible()
        assert_counts_down(card, spoken=r"^expire dans 59 min$")  # in the approver's language

        for page in (op, admin):
            page.clock.fast_forward("59:00")
        ex(mine.locator("[data-countdown-spoken]")).to_have_text("expires in less than a minute")
        ex(card.locator("[data-countdown-spoken]")).to_have_text("expire dans moins d'une minute")
        for page in (op, admin):
            page.clock.fast_forward("01:05")
        ex(mine.locator("[data-countdown-shown]")).to_have_text("expired")
        ex(mine.locator("[data-countdown-spoken]")).to_have_text("expired")
        ex(mine.locator(".approval-state")).to_contain_text("Expired: nobody decided in time")
        ex(card.locator("[data-countdown-shown]")).to_have_text("expiré")
        ex(card.locator(".approval-state")).to_contain_text("Expirée : personne n'a décidé à temps")
        ex(card.get_by_role("button", name="Approuver")).to_have_count(0)  # nobody can decide any more
        ex(card.get_by_role("button", name="Rejeter")).to_have_count(0)
        w_op.assert_clean()
        w_admin.assert_clean()
    finally:
        op_ctx.close()
        admin_ctx.close()
    # the server's clock did not jump: the request is still pending there; an admin rejects it (no leftovers)
    with httpx.Client(base_url=runbook_server.base) as api:
        tokens = api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD}).json()
        rejected = api.post(f"/api/v1/approvals/{approval_id}/reject",
                            headers={"Authorization": f"Bearer {tokens['access_token']}"},
                            json={"reason": "the test browsers saw it expire"})
        assert rejected.status_code == 200, rejected.text


@pytest.mark.parametrize(("size", "theme"), [("desktop", "dark"), ("phone", "light")])
def test_a_confirmation_card_has_its_buttons_and_not_their_names_as_text(runbook_server: LiveServer, browser: Any,
                                                                          size: str, theme: str) -> None:
    ex = expect()
    ctx = browser.new_context(viewport=SIZES[size], locale="en-US", is_mobile=size == "phone",
                              has_touch=size == "phone")
    ctx.add_cookies([{"name": "cc_theme", "value": theme, "url": runbook_server.base}])
    try:
        page = ctx.new_page()
        w = watch(page)
        login(page, runbook_server.base, ADMIN_EMAIL)
        page.get_by_role("button", name="New conversation").click()
        ask(page, 'run "df -h /" on localhost')
        output = page.locator(".msg-assistant details.output[data-host='localhost']").last
        ex(output.locator("pre.output-text").first).to_contain_text("Filesystem")
        ask(page, 'run "touch /tmp/chatops-card-test" on localhost')  # not read-only: a card first
        card = page.locator(".card-action:not(.card-approval)").last
        ex(card.get_by_role("button", name="Confirm")).to_be_visible()
        ex(card.get_by_role("button", name="Cancel")).to_be_visible()
        assert "[Confirm]" not in card.inner_text() and "[Cancel]" not in card.inner_text()
        ex(card).to_contain_text("I am waiting for your confirmation")
        seen = facts(card)
        assert seen["Targets"] == "localhost" and seen["Expires"].startswith("Valid until"), seen
        assert page.locator(".msg-assistant", has_text="Critical action").count() == 1  # the card, once
        assert_accessible(page, "#main")
        ex(page.locator("html")).to_have_attribute("data-theme", theme)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= SIZES[size]["width"] + 1, f"horizontal scroll: {width}px"
        output.locator("summary").evaluate("e => e.scrollIntoView({block: 'start'})")
        path = shot(page, f"chat-card-and-output-{size}-{theme}")
        if (size, theme) == ("desktop", "dark"):
            copy_readme_shot(path)  # README: the chat with a card and an output block

        card.get_by_role("button", name="Cancel").focus()  # by keyboard
        page.keyboard.press("Enter")
        ex(page.locator(".msg-assistant").last).to_contain_text("I ran nothing")
        w.assert_clean()
    finally:
        ctx.close()


def test_a_rate_limited_send_keeps_the_draft_and_the_list_never_claims_to_be_empty(limited_server: LiveServer,
                                                                                     browser: Any) -> None:
    ex = expect()
    ctx = browser.new_context(viewport=SIZES["desktop"], locale="en-US")
    try:
        page = ctx.new_page()
        w = watch(page)
        login(page, limited_server.base, OPERATOR_EMAIL)
        page.get_by_role("button", name="New conversation").click()
        refused = page.locator(".msg-error", has_text="try again in")
        draft = ""
        for i in range(12):
            ex(page.get_by_role("button", name="Send", exact=True)).to_be_enabled()
            draft = f"hello number {i}"
            before = page.locator(".msg").count()
            ask(page, draft)
            ex(page.locator(".msg")).not_to_have_count(before)
            page.wait_for_function("() => !document.querySelector('[data-composer] [type=submit]').disabled "
                                   "|| document.querySelector('.msg-error')")
            if refused.count():
                break
        ex(refused.last).to_contain_text(re.compile(r"Your message is kept in the box: send it again in \d+ s\."))
        ex(page.get_by_label("Your request")).to_have_value(draft)
        ex(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()  # until the limit allows it
        ex(page.locator(".conv-list button")).to_have_count(1)
        ex(page.locator("[data-conv-empty]")).to_be_hidden()

        page.reload()  # the list cannot be read now: it says so, and when it will try again
        error = page.locator("[data-conv-error]")
        ex(error).to_contain_text(re.compile(r"I couldn't load your conversations \(.+\)\. I'll try again in \d+ s\."))
        ex(page.locator("[data-conv-empty]")).to_be_hidden()
        assert all("429" in p for p in w.problems), w.problems  # the refusals themselves, nothing else
    finally:
        ctx.close()
