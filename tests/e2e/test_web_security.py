"""The web UI's own doors: refused form posts answer 403 (a fragment htmx swaps in), and the 2FA step of
the login page carries a short-lived signed ticket, never the password."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx

from chatops_commander import bootstrap
from chatops_commander.adapters.security.totp import code_at
from chatops_commander.domain.roles import Role
from chatops_commander.domain.users import User
from tests.e2e.conftest import ADMIN_EMAIL, PASSWORD, add_user, client_for, login

HTMX = {"HX-Request": "true"}


async def test_a_refused_web_post_is_a_403_fragment(container: bootstrap.Container) -> None:
    viewer = await add_user(container, "viewer@example.com", Role.VIEWER)
    async with client_for(container) as browser:
        await login(browser, viewer.email)
        csrf = {**HTMX, "X-CSRF-Token": browser.cookies["cc_csrf"]}
        refused = await browser.post("/servers/import", data={"inventory": "[web]\nweb-01 ansible_host=10.0.0.1\n"},
                                     headers={**csrf, "Accept-Language": "fr"})
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("text/html") and "admin" in refused.text
        no_csrf = await browser.post("/servers/import", data={"inventory": "x"}, headers=HTMX)
        assert no_csrf.status_code == 403 and "CSRF" in no_csrf.text
        missing = await browser.post("/servers/00000000-0000-0000-0000-000000000000/test", headers=csrf)
        assert missing.status_code in (403, 404)
    assert "403|404|409|413|422|429" in (await _page(container, viewer)).text  # htmx swaps these fragments


async def _page(container: bootstrap.Container, user: User) -> httpx.Response:
    async with client_for(container) as browser:
        await login(browser, user.email)
        return await browser.get("/dashboard")


async def test_the_web_2fa_step_carries_a_signed_ticket_not_the_password(
        container: bootstrap.Container, admin: User, api: httpx.AsyncClient) -> None:
    secret = (await api.post("/api/v1/auth/2fa/enroll")).json()["otpauth_uri"].split("secret=")[1].split("&")[0]
    assert (await api.post("/api/v1/auth/2fa/confirm",
                           json={"code": code_at(secret, datetime.now(UTC))})).status_code == 200
    async with client_for(container) as browser:
        step = await browser.post("/login", data={"email": ADMIN_EMAIL, "password": PASSWORD}, headers=HTMX)
        assert step.status_code == 200 and 'name="totp"' in step.text
        assert PASSWORD not in step.text and 'name="password"' not in step.text
        ticket = re.search(r'name="ticket" value="([^"]+)"', step.text)
        assert ticket is not None
        forged = ticket.group(1)[:-4] + ("0000" if not ticket.group(1).endswith("0000") else "1111")
        refused = await browser.post("/login", data={"email": ADMIN_EMAIL, "ticket": forged, "totp": "123456"},
                                     headers=HTMX)
        assert "expired" in refused.text and "cc_access" not in browser.cookies
        wrong = await browser.post("/login", data={"email": ADMIN_EMAIL, "ticket": ticket.group(1), "totp": "000000"},
                                   headers=HTMX)
        assert 'name="ticket"' in wrong.text  # ask the code again, same ticket
        done = await browser.post("/login", data={"email": ADMIN_EMAIL, "ticket": ticket.group(1),
                                                  "totp": code_at(secret, datetime.now(UTC) + timedelta(seconds=30))},
                                  headers=HTMX)  # the next window's code: the enrolment used this one
        assert done.status_code == 204 and done.headers["hx-redirect"] == "/dashboard"
        assert (await browser.get("/api/v1/auth/me")).status_code == 200
    async with client_for(container) as other:  # a ticket is for this e-mail only
        other_user = await add_user(container, "second@example.com", Role.ADMIN)
        stolen = await other.post("/login", data={"email": other_user.email, "ticket": ticket.group(1),
                                                  "totp": "123456"}, headers=HTMX)
        assert "expired" in stolen.text


async def test_an_address_holding_a_nul_character_is_a_wrong_login_on_every_database(
    container: bootstrap.Container,
) -> None:
    """PostgreSQL refuses U+0000 in a query: the web form (which no API schema guards) answers "wrong e-mail or
    password" like for any unknown address, never a 500, and the attempt is audited."""
    async with client_for(container) as browser:
        page = await browser.post("/login", data={"email": "admin\x00@example.com", "password": PASSWORD},
                                  headers=HTMX)
        assert page.status_code in (200, 401, 403), page.text
        assert "cc_access" not in browser.cookies
    async with client_for(container) as api:
        answer = await api.post("/api/v1/auth/login", json={"email": "a\x00@b", "password": "x"})
        assert answer.status_code == 422, answer.text  # the schema says no U+0000
