"""Sessions, 2FA, API tokens, RBAC and bad input through the real API (SQLite and PostgreSQL).

Every refusal: the right status, an English/French message, an audit event, nothing changed."""

from __future__ import annotations

import io
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import structlog
from sqlalchemy import text

from chatops_commander import bootstrap
from chatops_commander.adapters.security.totp import code_at
from chatops_commander.config import Settings
from chatops_commander.domain.errors import PermissionDenied
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission, Role
from chatops_commander.domain.security.audit_events import AuditAction, AuditEvent, AuditOutcome
from chatops_commander.domain.servers import Server
from chatops_commander.domain.users import User
from chatops_commander.entrypoints.logging import configure_logging
from chatops_commander.services import access, audit, auth
from chatops_commander.services import servers as server_service
from tests.conftest import TEST_SECRET, make_settings
from tests.e2e.conftest import (
    ADMIN_EMAIL,
    CHEAP_ARGON2,
    PASSWORD,
    TEST_CLI,
    add_user,
    bearer,
    client_for,
    login,
)

DEADLINE_S = 30.0
SERVER = {"name": "web-01", "hostname": "web-01.example.com", "ip_address": "10.0.0.11", "ssh_user": "deploy"}


async def events(container: bootstrap.Container, action: AuditAction | None = None) -> list[AuditEvent]:
    found = await audit.recent(container.uow, limit=1000)
    return [e for e in found if action is None or e.action is action]


def problem(response: httpx.Response, status: int, *fragments: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    for fragment in fragments:
        assert fragment in body["detail"], body
    return body


class TestLogin:
    async def test_login_returns_bearer_tokens_and_strict_http_only_cookies(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient,
    ) -> None:
        response = await anon_api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD})
        assert response.status_code == 200
        body = response.json()
        assert body["token_type"] == "bearer" and body["refresh_token"].startswith("cc_rt_")
        assert 0 < body["expires_in"] <= 15 * 60
        cookies = {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}
        for name in ("cc_access", "cc_refresh"):
            assert "HttpOnly" in cookies[name] and "SameSite=strict" in cookies[name]
            assert "Secure" not in cookies[name]  # plain-HTTP localhost: no public URL set
        assert "HttpOnly" not in cookies["cc_csrf"]
        me = await anon_api.get("/api/v1/auth/me", headers=bearer(body["access_token"]))
        assert me.json()["email"] == ADMIN_EMAIL and me.json()["auth_method"] == "password"
        assert [e.actor for e in await events(container, AuditAction.LOGIN_SUCCEEDED)] == [ADMIN_EMAIL]

    async def test_cookies_are_secure_behind_a_public_url(self, tmp_path: Path, database_url: str) -> None:
        settings = make_settings(tmp_path, database_url, public_url="https://chatops.example.com", **CHEAP_ARGON2)
        container = await bootstrap.build(settings)
        try:
            await add_user(container, ADMIN_EMAIL, Role.ADMIN)
            async with client_for(container) as client:
                response = await client.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD})
            assert all("Secure" in c for c in response.headers.get_list("set-cookie"))
            assert response.headers["strict-transport-security"].startswith("max-age=")
        finally:
            await container.aclose()

    @pytest.mark.parametrize(("email", "password"), [(ADMIN_EMAIL, "wrong-password-123"),
                                                     ("nobody@example.com", PASSWORD)])
    async def test_wrong_credentials_are_one_bilingual_401_and_audited(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient, email: str, password: str,
    ) -> None:
        response = await anon_api.post("/api/v1/auth/login", json={"email": email, "password": password})
        problem(response, 401, "Wrong e-mail or password.")
        assert response.headers["www-authenticate"] == "Bearer"
        french = await anon_api.post("/api/v1/auth/login", json={"email": email, "password": password},
                                     headers={"Accept-Language": "fr"})
        problem(french, 401, "E-mail ou mot de passe incorrect.")
        failed = await events(container, AuditAction.LOGIN_FAILED)
        assert len(failed) == 2 and failed[0].actor == email and failed[0].source_ip == "203.0.113.7"
        assert failed[0].outcome is AuditOutcome.FAILURE
        assert "set-cookie" not in response.headers

    async def test_after_five_failures_each_attempt_waits_and_the_right_password_works_once_the_wait_is_over(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient,
    ) -> None:
        for _ in range(5):
            problem(await anon_api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": "guess-guess"}),
                    401)
        response = await anon_api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD},
                                       headers={"Accept-Language": "fr"})
        problem(response, 429, "Trop de tentatives de connexion")
        assert 0 < int(response.headers["retry-after"]) <= 2  # the first wait is short: 1 s
        assert "access_token" not in response.text
        assert len(await events(container, AuditAction.RATE_LIMITED)) == 1
        assert not await events(container, AuditAction.LOGIN_SUCCEEDED)
        deadline = time.monotonic() + DEADLINE_S  # refused attempts during the wait are not failures
        while (answer := await anon_api.post("/api/v1/auth/login", json={
                "email": ADMIN_EMAIL, "password": PASSWORD})).status_code == 429 and time.monotonic() < deadline:
            assert int(answer.headers["retry-after"]) <= 2
        assert answer.status_code == 200, answer.text
        assert len(await events(container, AuditAction.LOGIN_FAILED)) == 5

    async def test_the_waits_grow_with_each_further_failure_and_are_capped(
        self, container: bootstrap.Container, admin: Any,
    ) -> None:
        policy = container.security.login_policy.pair
        waits = [policy.delay_after(n) for n in range(1, 30)]
        assert waits[:4] == [0, 0, 0, 0] and waits[4:8] == [1, 2, 4, 8]
        assert max(waits) == policy.max_s == 15 * 60 and waits == sorted(waits)

    async def test_successful_logins_are_never_counted(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient,
    ) -> None:
        for _ in range(12):  # the old per-address limit refused the 6th login in 15 minutes
            await login(anon_api, ADMIN_EMAIL)

    async def test_someone_guessing_an_admin_password_elsewhere_keeps_the_admin_out_a_minute_at_most(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient,
    ) -> None:
        for n in range(30):  # from 30 addresses: the per-account counter, not any pair's, slows them
            async with client_for(container, ip=f"198.51.100.{n + 1}") as attacker:
                answer = await attacker.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": "nope-nope"})
            assert answer.status_code in (401, 429)
            if answer.status_code == 429:
                assert int(answer.headers["retry-after"]) <= 60
        response = await anon_api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD})
        assert response.status_code in (200, 429)
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) <= 60

    async def test_one_address_trying_many_accounts_is_slowed_per_address(
        self, container: bootstrap.Container, anon_api: httpx.AsyncClient,
    ) -> None:
        for n in range(30):
            await anon_api.post("/api/v1/auth/login", json={"email": f"u{n}@example.com", "password": "x" * 12})
        response = await anon_api.post("/api/v1/auth/login", json={"email": "u99@example.com", "password": "x" * 12})
        problem(response, 429, "Too many failed login attempts")
        async with client_for(container, ip="198.51.100.9") as elsewhere:
            other = await elsewhere.post("/api/v1/auth/login", json={"email": "u99@example.com", "password": "x" * 12})
        assert other.status_code == 401

    async def test_x_forwarded_for_is_believed_only_from_a_trusted_proxy(
        self, tmp_path: Path, database_url: str,
    ) -> None:
        proxy = "10.1.2.3"
        settings = make_settings(tmp_path, database_url, **CHEAP_ARGON2, trusted_proxies=f"{proxy}/32")
        container = await bootstrap.build(settings)
        try:
            await add_user(container, ADMIN_EMAIL, Role.ADMIN)
            spoofed = {"X-Forwarded-For": "192.0.2.66"}
            async with client_for(container, ip="203.0.113.50") as direct, \
                    client_for(container, ip=proxy) as behind_proxy:
                problem(await direct.post("/api/v1/auth/login", headers=spoofed,
                                          json={"email": ADMIN_EMAIL, "password": "wrong-wrong"}), 401)
                for _ in range(5):  # one client behind the proxy guesses
                    await behind_proxy.post("/api/v1/auth/login", headers={"X-Forwarded-For": "192.0.2.7, " + proxy},
                                            json={"email": ADMIN_EMAIL, "password": "wrong-wrong"})
                guesser = await behind_proxy.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL,
                                                  "password": PASSWORD}, headers={"X-Forwarded-For": "192.0.2.7"})
                colleague = await behind_proxy.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL,
                                                    "password": PASSWORD}, headers={"X-Forwarded-For": "192.0.2.8"})
            assert guesser.status_code == 429 and colleague.status_code == 200, colleague.text
            failed = await events(container, AuditAction.LOGIN_FAILED)
            assert failed[0].source_ip == "203.0.113.50"  # a direct client's header is ignored
            assert {e.source_ip for e in failed[1:]} == {"192.0.2.7"}
        finally:
            await container.aclose()

    async def test_login_rehashes_a_password_hashed_with_old_parameters(
        self, container: bootstrap.Container, tmp_path: Path, database_url: str,
    ) -> None:
        await add_user(container, "old@example.com", Role.VIEWER)
        async with container.uow() as uow:
            before = (await uow.users.get_by_email("old@example.com"))
        assert before is not None and "m=8192,t=1" in before.password_hash
        stronger = await bootstrap.build(make_settings(tmp_path, database_url, password_time_cost=2,
                                                       password_memory_kib=16384, password_parallelism=1))
        try:
            await auth.login(stronger.uow, stronger.security, email="old@example.com", password=PASSWORD, totp=None,
                             info=auth.RequestInfo(source_ip="127.0.0.1"))
            async with stronger.uow() as uow:
                after = await uow.users.get_by_email("old@example.com")
            assert after is not None and "m=16384,t=2" in after.password_hash
        finally:
            await stronger.aclose()


class TestTokens:
    async def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_whole_family(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient,
    ) -> None:
        first = await login(anon_api, ADMIN_EMAIL)
        anon_api.cookies.clear()
        second = (await anon_api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})).json()
        assert second["refresh_token"] != first["refresh_token"]
        anon_api.cookies.clear()
        replay = await anon_api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]},
                                     headers={"Accept-Language": "fr"})
        problem(replay, 401, "déjà servi")
        after = await anon_api.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
        problem(after, 401, "revoked")
        problem(await anon_api.get("/api/v1/auth/me", headers=bearer(second["access_token"])), 401)
        reuse = await events(container, AuditAction.REFRESH_TOKEN_REUSE_DETECTED)
        assert len(reuse) == 1 and reuse[0].actor == ADMIN_EMAIL and reuse[0].outcome is AuditOutcome.DENIED

    async def test_refresh_with_the_cookie_needs_the_csrf_header(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient,
    ) -> None:
        await login(anon_api, ADMIN_EMAIL)  # the client keeps the cookies, like a browser
        problem(await anon_api.post("/api/v1/auth/refresh"), 403, "CSRF")
        csrf = anon_api.cookies["cc_csrf"]
        refreshed = await anon_api.post("/api/v1/auth/refresh", headers={"X-CSRF-Token": csrf})
        assert refreshed.status_code == 200, refreshed.text

    async def test_cookie_sessions_need_the_csrf_header_for_changes_only(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient,
    ) -> None:
        await login(anon_api, ADMIN_EMAIL)
        before = (await anon_api.get("/api/v1/servers")).json()["total"]
        problem(await anon_api.post("/api/v1/servers", json=SERVER), 403, "CSRF")
        problem(await anon_api.post("/api/v1/servers", json=SERVER, headers={"X-CSRF-Token": "forged"}), 403)
        assert (await anon_api.get("/api/v1/servers")).json()["total"] == before
        ok = await anon_api.post("/api/v1/servers", json=SERVER, headers={"X-CSRF-Token": anon_api.cookies["cc_csrf"]})
        assert ok.status_code == 201
        assert any(e.details.get("reason") == "csrf" for e in await events(container, AuditAction.AUTHORIZATION_DENIED))

    async def test_the_csrf_token_is_bound_to_the_session_not_chosen_by_the_client(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient,
    ) -> None:
        await login(anon_api, ADMIN_EMAIL)
        mine = anon_api.cookies["cc_csrf"]
        async with client_for(container) as other:
            await login(other, ADMIN_EMAIL)
            theirs = other.cookies["cc_csrf"]
        assert theirs != mine
        anon_api.cookies.delete("cc_csrf")
        anon_api.cookies.set("cc_csrf", "attacker-chosen")  # a cookie + header pair the attacker planted
        problem(await anon_api.post("/api/v1/servers", json=SERVER, headers={"X-CSRF-Token": "attacker-chosen"}),
                403, "CSRF")
        anon_api.cookies.delete("cc_csrf")
        anon_api.cookies.set("cc_csrf", theirs)  # another session's valid token
        problem(await anon_api.post("/api/v1/servers", json=SERVER, headers={"X-CSRF-Token": theirs}), 403)
        anon_api.cookies.delete("cc_csrf")
        anon_api.cookies.set("cc_csrf", mine)
        ok = await anon_api.post("/api/v1/servers", json=SERVER, headers={"X-CSRF-Token": mine})
        assert ok.status_code == 201, ok.text
        refreshed = await anon_api.post("/api/v1/auth/refresh", headers={"X-CSRF-Token": mine})
        assert refreshed.status_code == 200, refreshed.text
        assert refreshed.cookies["cc_csrf"] == mine  # the same login keeps its token across refreshes

    @pytest.mark.parametrize("forgery", ["expired", "alg_none", "other_key", "tampered", "garbage"])
    async def test_forged_or_expired_access_tokens_are_401_and_audited(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient, forgery: str,
    ) -> None:
        good = (await login(anon_api, ADMIN_EMAIL))["access_token"]
        anon_api.cookies.clear()
        claims = jwt.decode(good, options={"verify_signature": False})
        header = jwt.get_unverified_header(good)
        token = {
            "expired": lambda: container.jwt_codec.issue(subject=str(admin.id), role=Role.ADMIN,
                                                         now=datetime.now(UTC) - timedelta(hours=1)),
            "alg_none": lambda: jwt.encode(claims, None, algorithm="none", headers={"kid": header["kid"]}),
            "other_key": lambda: jwt.encode(claims, "another-key-" + "z" * 40, algorithm="HS256",
                                            headers={"kid": header["kid"]}),
            "tampered": lambda: good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"),
            "garbage": lambda: "not.a.jwt",
        }[forgery]()
        before = (await anon_api.get("/api/v1/servers", headers=bearer(good))).json()["total"]
        response = await anon_api.post("/api/v1/servers", json=SERVER, headers=bearer(token))
        problem(response, 401)
        assert (await anon_api.get("/api/v1/servers", headers=bearer(good))).json()["total"] == before
        denied = await events(container, AuditAction.AUTHORIZATION_DENIED)
        assert len(denied) == 1 and denied[0].details["reason"].startswith("token_")

    async def test_logout_ends_the_access_token_at_once_and_logout_all_ends_every_session(
        self, container: bootstrap.Container, admin: Any, anon_api: httpx.AsyncClient,
    ) -> None:
        a, b = await login(anon_api, ADMIN_EMAIL), await login(anon_api, ADMIN_EMAIL)
        anon_api.cookies.clear()
        assert (await anon_api.post("/api/v1/auth/logout", headers=bearer(a["access_token"]))).status_code == 204
        problem(await anon_api.get("/api/v1/auth/me", headers=bearer(a["access_token"])), 401, "log in again")
        assert (await anon_api.get("/api/v1/auth/me", headers=bearer(b["access_token"]))).status_code == 200
        c = await login(anon_api, ADMIN_EMAIL)
        anon_api.cookies.clear()
        assert (await anon_api.post("/api/v1/auth/logout-all", headers=bearer(c["access_token"]))).status_code == 204
        for tokens in (b, c):
            problem(await anon_api.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])), 401)
            problem(await anon_api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)

    @pytest.mark.parametrize("change", ["password", "role", "disable", "own_password"])
    async def test_password_role_or_disable_revokes_existing_sessions(
        self, container: bootstrap.Container, api: httpx.AsyncClient, anon_api: httpx.AsyncClient, change: str,
    ) -> None:
        user = await add_user(container, "op@example.com", Role.OPERATOR)
        tokens = await login(anon_api, user.email)
        anon_api.cookies.clear()
        response = {
            "password": lambda: api.post(f"/api/v1/users/{user.id}/password", json={"password": "Fresh-Pass-Word-99"}),
            "role": lambda: api.patch(f"/api/v1/users/{user.id}", json={"role": "viewer"}),
            "disable": lambda: api.post(f"/api/v1/users/{user.id}/disable"),
            "own_password": lambda: anon_api.post("/api/v1/auth/password", headers=bearer(tokens["access_token"]),
                                                  json={"current_password": PASSWORD,
                                                        "new_password": "Fresh-Pass-Word-99"}),
        }[change]
        assert (await response()).status_code in (200, 204)
        problem(await anon_api.get("/api/v1/auth/me", headers=bearer(tokens["access_token"])), 401)
        problem(await anon_api.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)


class TestTwoFactor:
    @pytest.fixture
    def settings(self, tmp_path: Path, database_url: str) -> Settings:
        return make_settings(tmp_path, database_url, **CHEAP_ARGON2, login_free_failures=50)

    async def test_enrol_confirm_login_with_totp_and_recovery_code_then_disable(
        self, container: bootstrap.Container, admin: Any, api: httpx.AsyncClient, anon_api: httpx.AsyncClient,
    ) -> None:
        enrolled = (await api.post("/api/v1/auth/2fa/enroll")).json()
        assert enrolled["otpauth_uri"].startswith("otpauth://totp/") and enrolled["qr_svg"].startswith("<svg")
        secret = enrolled["otpauth_uri"].split("secret=")[1].split("&")[0]
        problem(await api.post("/api/v1/auth/2fa/confirm", json={"code": "000000"}), 401, "Wrong authentication code")
        codes = (await api.post("/api/v1/auth/2fa/confirm",
                                json={"code": code_at(secret, datetime.now(UTC))})).json()["recovery_codes"]
        assert len(codes) == 10 and len(set(codes)) == 10
        async with container.uow() as uow:
            stored = await uow.users.get_by_email(ADMIN_EMAIL)
        assert stored is not None and stored.totp_secret and secret not in stored.totp_secret
        assert not set(codes) & set(stored.recovery_codes)  # hashed
        no_code = await anon_api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD})
        problem(no_code, 401, "two-factor code is required")
        wrong = await anon_api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD,
                                                                "totp": "123456"}, headers={"Accept-Language": "fr"})
        problem(wrong, 401)
        assert await events(container, AuditAction.TWO_FACTOR_FAILED)
        with_recovery = await login(anon_api, ADMIN_EMAIL, totp=codes[0])
        anon_api.cookies.clear()
        problem(await anon_api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": PASSWORD,
                                                                "totp": codes[0]}), 401, "recovery code")
        assert await events(container, AuditAction.RECOVERY_CODE_USED)
        headers = bearer(with_recovery["access_token"])
        problem(await anon_api.post("/api/v1/auth/2fa/disable", headers=headers,
                                    json={"password": "wrong-password-1", "code": codes[1]}), 401)
        ok = await anon_api.post("/api/v1/auth/2fa/disable", headers=headers,
                                 json={"password": PASSWORD, "code": codes[1]})
        assert ok.status_code == 204
        assert (await anon_api.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL,
                                                                "password": PASSWORD})).status_code == 200

    async def test_turning_2fa_on_ends_the_accounts_other_sessions_and_keeps_this_one(
        self, container: bootstrap.Container, admin: Any, api: httpx.AsyncClient, anon_api: httpx.AsyncClient,
    ) -> None:
        elsewhere = await login(anon_api, ADMIN_EMAIL)  # e.g. a stolen session on another machine
        anon_api.cookies.clear()
        secret = (await api.post("/api/v1/auth/2fa/enroll")).json()["otpauth_uri"].split("secret=")[1].split("&")[0]
        confirmed = await api.post("/api/v1/auth/2fa/confirm", json={"code": code_at(secret, datetime.now(UTC))})
        assert confirmed.status_code == 200, confirmed.text
        problem(await anon_api.get("/api/v1/auth/me", headers=bearer(elsewhere["access_token"])), 401)
        problem(await anon_api.post("/api/v1/auth/refresh", json={"refresh_token": elsewhere["refresh_token"]}), 401)
        assert (await api.get("/api/v1/auth/me")).status_code == 200
        enrolled = await events(container, AuditAction.TWO_FACTOR_ENROLLED)
        assert enrolled[0].details["other_sessions_ended"] >= 1

    async def test_an_admin_resets_the_2fa_of_a_user_who_lost_their_authenticator(
        self, container: bootstrap.Container, api: httpx.AsyncClient, anon_api: httpx.AsyncClient,
        as_role: Callable[..., Any],
    ) -> None:
        user, viewer = await as_role(Role.VIEWER, "lost-phone@example.com")
        secret = (await viewer.post("/api/v1/auth/2fa/enroll")).json()["otpauth_uri"].split("secret=")[1].split("&")[0]
        assert (await viewer.post("/api/v1/auth/2fa/confirm",
                                  json={"code": code_at(secret, datetime.now(UTC))})).status_code == 200
        problem(await anon_api.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}), 401,
                "two-factor code is required")

        token = (await api.post("/api/v1/tokens", json={"name": "robot",
                                                         "scopes": ["read", "execute"]})).json()["token"]
        problem(await anon_api.post(f"/api/v1/users/{user.id}/2fa/reset", headers=bearer(token)), 403)
        me = (await api.get("/api/v1/auth/me")).json()
        problem(await api.post(f"/api/v1/users/{me['id']}/2fa/reset"), 409, "your own account")

        reset = await api.post(f"/api/v1/users/{user.id}/2fa/reset")
        assert reset.status_code == 200 and reset.json()["totp_enabled"] is False
        problem(await viewer.get("/api/v1/auth/me"), 401)  # their sessions were revoked
        async with container.uow() as uow:
            stored = await uow.users.get_by_email(user.email)
        assert stored is not None and stored.totp_secret is None and stored.recovery_codes == ()
        assert await login(anon_api, user.email)  # password only, then they may enrol again
        [event] = await events(container, AuditAction.TWO_FACTOR_RESET)
        assert event.target == user.email

    async def test_a_user_sets_their_language_and_only_en_or_fr(
        self, container: bootstrap.Container, api: httpx.AsyncClient,
    ) -> None:
        assert (await api.get("/api/v1/auth/me")).json()["language"] == "en"
        changed = await api.patch("/api/v1/auth/me", json={"language": "fr"})
        assert changed.status_code == 200 and changed.json()["language"] == "fr"
        assert (await api.get("/api/v1/auth/me")).json()["language"] == "fr"
        problem(await api.patch("/api/v1/auth/me", json={"language": "de"}), 422)
        problem(await api.patch("/api/v1/auth/me", json={"language": "fr", "role": "admin"}), 422)
        assert (await api.patch("/api/v1/auth/me", json={"language": "fr"})).status_code == 200  # no change
        [event] = await events(container, AuditAction.USER_LANGUAGE_CHANGED)  # audited once, as a change
        assert event.target == ADMIN_EMAIL and (event.details["from"], event.details["to"]) == ("en", "fr")

    async def test_a_logged_in_page_follows_the_accounts_language_unless_this_browser_switched(
        self, container: bootstrap.Container, admin: User,
    ) -> None:
        async with client_for(container) as browser:
            await login(browser, admin.email)  # the session cookie
            unchosen = await browser.get("/dashboard", headers={"Accept-Language": "fr"})
            assert unchosen.status_code == 200 and '<html lang="fr"' in unchosen.text  # nobody chose: the browser's
            saved = await browser.patch("/api/v1/auth/me", json={"language": "en"},
                                        headers={"X-CSRF-Token": browser.cookies["cc_csrf"]})
            assert saved.status_code == 200, saved.text  # English chosen on purpose: it beats a French browser
            await login(browser, admin.email)  # a new session carries the choice
            english = await browser.get("/dashboard", headers={"Accept-Language": "fr"})
            assert '<html lang="en"' in english.text
            saved = await browser.patch("/api/v1/auth/me", json={"language": "fr"},
                                        headers={"X-CSRF-Token": browser.cookies["cc_csrf"]})
            assert saved.status_code == 200, saved.text
            french = await browser.get("/dashboard", headers={"Accept-Language": "en"})
            assert '<html lang="fr"' in french.text and "Tableau de bord" in french.text
            browser.cookies.set("cc_lang", "en", domain="testserver.local")  # this browser's own switch wins
            assert '<html lang="en"' in (await browser.get("/dashboard", headers={"Accept-Language": "fr"})).text
        async with client_for(container) as anonymous:  # not logged in: the browser's language
            login_page = await anonymous.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
            assert '<html lang="fr"' in login_page.text

    async def test_a_disabled_user_enabled_again_logs_in_with_the_same_password(
        self, container: bootstrap.Container, api: httpx.AsyncClient, anon_api: httpx.AsyncClient,
        as_role: Callable[..., Any],
    ) -> None:
        user, _ = await as_role(Role.OPERATOR, "back@example.com")
        assert (await api.post(f"/api/v1/users/{user.id}/disable")).json()["is_active"] is False
        problem(await anon_api.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}), 401)
        enabled = await api.post(f"/api/v1/users/{user.id}/enable")
        assert enabled.status_code == 200 and enabled.json()["is_active"] is True
        assert await login(anon_api, user.email)
        assert [e.target for e in await events(container, AuditAction.USER_ENABLED)] == [user.email]

    async def test_when_2fa_is_required_an_admin_without_it_can_only_enrol(
        self, container: bootstrap.Container, api: httpx.AsyncClient, as_role: Callable[..., Any],
    ) -> None:
        assert (await api.put("/api/v1/security/settings", json={"require_2fa_for_admins": True})).status_code == 200
        [changed] = await events(container, AuditAction.SECURITY_SETTING_CHANGED)
        assert changed.details["setting"] == "require_2fa_for_admins" and changed.details["value"] is True
        problem(await api.get("/api/v1/servers"), 403, "Two-factor authentication is required")
        assert (await api.get("/api/v1/auth/me")).json()["must_enroll_2fa"] is True
        assert (await api.post("/api/v1/auth/2fa/enroll")).status_code == 200
        _, viewer = await as_role(Role.VIEWER)
        assert (await viewer.get("/api/v1/servers")).status_code == 200  # only admins must enrol


class TestApiTokens:
    async def test_a_scoped_token_is_shown_once_works_records_use_and_cannot_administer(
        self, container: bootstrap.Container, api: httpx.AsyncClient, anon_api: httpx.AsyncClient,
    ) -> None:
        created = await api.post("/api/v1/tokens", json={"name": "ci", "scopes": ["read"], "expires_in_days": 30})
        assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
        token = created.json()["token"]
        assert token.startswith("cc_pat_")
        listed = (await api.get("/api/v1/tokens")).json()
        assert "token" not in listed[0] and listed[0]["last_used_at"] is None
        assert token[:11] == listed[0]["prefix"]
        assert (await anon_api.get("/api/v1/servers", headers=bearer(token))).status_code == 200
        refused = await anon_api.post("/api/v1/servers", json=SERVER, headers=bearer(token))
        problem(refused, 403, "scopes (read)")
        problem(await anon_api.post("/api/v1/tokens", json={"name": "x", "scopes": ["read"]}, headers=bearer(token)),
                403)
        assert (await api.get("/api/v1/tokens")).json()[0]["last_used_at"] is not None
        async with container.uow() as uow:
            stored = await uow.api_tokens.get(uuid.UUID(created.json()["id"]))
        assert stored is not None and token not in stored.token_hash

    async def test_rotation_keeps_the_old_token_for_the_grace_period_then_revocation_ends_it(
        self, container: bootstrap.Container, api: httpx.AsyncClient, anon_api: httpx.AsyncClient,
    ) -> None:
        first = (await api.post("/api/v1/tokens", json={"name": "bot", "scopes": ["read", "execute"]})).json()
        rotated = (await api.post(f"/api/v1/tokens/{first['id']}/rotate", json={"grace_hours": 2})).json()
        assert rotated["token"] != first["token"] and rotated["scopes"] == ["execute", "read"]
        for token in (first["token"], rotated["token"]):
            assert (await anon_api.get("/api/v1/servers", headers=bearer(token))).status_code == 200
        no_grace = (await api.post(f"/api/v1/tokens/{rotated['id']}/rotate", json={"grace_hours": 0})).json()
        problem(await anon_api.get("/api/v1/servers", headers=bearer(rotated["token"])), 401, "grace period")
        assert (await api.delete(f"/api/v1/tokens/{no_grace['id']}")).status_code == 204
        problem(await anon_api.get("/api/v1/servers", headers=bearer(no_grace["token"])), 401, "revoked")
        actions = [e.action for e in await events(container)]
        assert actions.count(AuditAction.TOKEN_ROTATED) == 2 and AuditAction.TOKEN_REVOKED in actions


class TestRbac:
    async def test_a_viewer_calling_admin_routes_is_refused_audited_and_changes_nothing(
        self, container: bootstrap.Container, as_role: Callable[..., Any],
    ) -> None:
        _, viewer = await as_role(Role.VIEWER)
        problem(await viewer.post("/api/v1/servers", json=SERVER, headers={"Accept-Language": "fr"}), 403,
                "demande le rôle admin")
        problem(await viewer.post("/api/v1/users", json={"email": "x@example.com", "name": "x", "role": "admin",
                                                         "password": PASSWORD}), 403, "needs the admin role")
        assert "web-01" not in (await viewer.get("/api/v1/servers")).text
        denied = await events(container, AuditAction.AUTHORIZATION_DENIED)
        assert [e.details["action"] for e in denied] == ["servers.add", "users.create"]
        assert all(e.actor == "viewer@example.com" and e.outcome is AuditOutcome.DENIED for e in denied)

    async def test_an_operator_without_permission_on_a_server_cannot_run_anything_there(
        self, container: bootstrap.Container, api: httpx.AsyncClient, as_role: Callable[..., Any],
    ) -> None:
        operator, _ = await as_role(Role.OPERATOR)
        web = await server_service.add_server(container.uow, TEST_CLI, Server(**SERVER))  # type: ignore[arg-type]
        principal = await auth.authenticate(container.uow, container.security, (await _token(container, operator)),
                                            via_cookie=False, info=auth.RequestInfo(source_ip="10.1.1.1"))
        with pytest.raises(PermissionDenied) as refused:
            await access.authorize_on_servers(container.uow, principal, [web], permission=Permission.EXECUTE,
                                              risk=Risk.MEDIUM, action_id="service.restart")
        # a server they may not even read does not exist for them: never named (the audit, for admins, names it)
        assert "web-01" not in refused.value.message + (refused.value.message_fr or "")
        assert "no such server" in refused.value.message
        assert (await events(container, AuditAction.AUTHORIZATION_DENIED))[-1].target == "web-01"
        granted = await api.put(f"/api/v1/users/{operator.id}/permissions/{web.id}",
                                json={"can_read": True, "can_execute": True})
        assert granted.status_code == 204
        decision = await access.authorize_on_servers(container.uow, principal, [web], permission=Permission.EXECUTE,
                                                     risk=Risk.MEDIUM, action_id="service.restart")
        assert decision.allowed and decision.needs_confirmation
        perms = (await api.get(f"/api/v1/users/{operator.id}/permissions")).json()
        assert perms == [{"server_id": str(web.id), "server_name": "web-01", "can_read": True, "can_execute": True,
                          "can_admin": False}]

    async def test_admin_routes_outside_the_ip_allowlist_are_refused(
        self, tmp_path: Path, database_url: str,
    ) -> None:
        settings = make_settings(tmp_path, database_url, admin_ip_allowlist="10.0.0.0/8", **CHEAP_ARGON2)
        container = await bootstrap.build(settings)
        try:
            await add_user(container, ADMIN_EMAIL, Role.ADMIN)
            async with client_for(container, ip="203.0.113.7") as outside, client_for(container, ip="10.2.3.4") as lan:
                t_out, t_lan = await login(outside, ADMIN_EMAIL), await login(lan, ADMIN_EMAIL)
                outside.cookies.clear()
                lan.cookies.clear()
                problem(await outside.post("/api/v1/servers", json=SERVER, headers=bearer(t_out["access_token"])),
                        403, "network address")
                assert (await outside.get("/api/v1/servers", headers=bearer(t_out["access_token"]))).status_code == 200
                created = await lan.post("/api/v1/servers", json=SERVER, headers=bearer(t_lan["access_token"]))
                assert created.status_code == 201
        finally:
            await container.aclose()


async def _token(container: bootstrap.Container, user: Any) -> str:
    pair = await auth.login(container.uow, container.security, email=user.email, password=PASSWORD, totp=None,
                            info=auth.RequestInfo(source_ip="10.1.1.1"))
    return pair.access_token


class TestSecretsAtRest:
    async def test_an_ssh_key_is_stored_encrypted_never_returned_and_survives_key_rotation(
        self, container: bootstrap.Container, api: httpx.AsyncClient,
    ) -> None:
        key = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA" + uuid.uuid4().hex + "\n" \
              "-----END OPENSSH PRIVATE KEY-----\n"
        server = (await api.post("/api/v1/servers", json=SERVER)).json()
        assert (await api.put(f"/api/v1/servers/{server['id']}/secret",
                              json={"kind": "private_key", "value": key})).status_code == 204
        for response in (await api.get(f"/api/v1/servers/{server['id']}"), await api.get("/api/v1/servers"),
                         await api.get("/api/v1/audit")):
            assert "OPENSSH" not in response.text and key[40:60] not in response.text
        async with container.engine.connect() as conn:
            sealed = (await conn.execute(text("SELECT ssh_secret FROM servers WHERE name = 'web-01'"))).scalar_one()
        assert sealed.startswith("v1:k0:") and "OPENSSH" not in sealed
        report = await bootstrap.rotate_keys(container, TEST_CLI)
        assert report.servers == 1
        async with container.engine.connect() as conn:
            resealed = (await conn.execute(text("SELECT ssh_secret FROM servers WHERE name = 'web-01'"))).scalar_one()
        assert resealed.startswith(f"v1:{report.kid}:")
        assert await server_service.read_server_secret(container.uow, container.security,
                                                       uuid.UUID(server["id"])) == ("private_key", key)
        reloaded = await bootstrap.build(container.settings)  # the new key was persisted under data_dir/secrets
        try:
            assert (await server_service.read_server_secret(reloaded.uow, reloaded.security,
                                                            uuid.UUID(server["id"])))[1] == key
        finally:
            await reloaded.aclose()
        assert (await events(container, AuditAction.KEY_ROTATED))[0].details["servers"] == 1


@pytest.fixture
async def captured_logs(settings: Settings) -> AsyncIterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging(level="debug", json=True, redactor=bootstrap.log_redactor(settings), stream=stream)  # type: ignore[arg-type]
    yield stream
    structlog.reset_defaults()


class TestNoSecretInLogs:
    async def test_planted_password_ssh_key_tokens_and_jwt_secret_never_reach_logs_or_answers(
        self, container: bootstrap.Container, admin: Any, captured_logs: io.StringIO,
    ) -> None:
        planted_password = "Planted-" + uuid.uuid4().hex
        planted_key = "-----BEGIN OPENSSH PRIVATE KEY-----\nPLANTED" + uuid.uuid4().hex + "\n-----END OPENSSH " \
                      "PRIVATE KEY-----\n"
        answers: list[str] = []
        async with client_for(container) as client:
            for password in (planted_password, planted_password + "x"):
                answers.append((await client.post("/api/v1/auth/login",
                                                  json={"email": ADMIN_EMAIL, "password": password})).text)
            client.cookies.clear()
            good = await login(client, ADMIN_EMAIL)
            client.cookies.clear()
            headers = bearer(good["access_token"])
            server = (await client.post("/api/v1/servers", json=SERVER, headers=headers)).json()
            for r in (await client.put(f"/api/v1/servers/{server['id']}/secret", headers=headers,
                                       json={"kind": "private_key", "value": planted_key}),
                      await client.put(f"/api/v1/servers/{server['id']}/secret", headers=headers,
                                       json={"kind": "private_key", "value": "not a key " + planted_password}),
                      await client.get("/api/v1/audit", headers=headers),
                      await client.post("/api/v1/users", headers=headers, json={
                          "email": "p@example.com", "name": "p", "role": "viewer", "password": planted_password}),
                      await client.get("/api/v1/servers", headers=bearer(good["access_token"] + "tampered"))):
                answers.append(r.text)
            structlog.get_logger("test").error("diagnostic", password=planted_password, note=planted_key,
                                               headers={"Authorization": f"Bearer {good['access_token']}"},
                                               refresh=good["refresh_token"])
        output = captured_logs.getvalue()
        assert '"event": "http_request"' in output  # the access log was captured
        logs_and_answers = output + "\n".join(answers)
        for secret in (planted_password, planted_key.splitlines()[1], TEST_SECRET, good["refresh_token"]):
            assert secret not in logs_and_answers
        assert good["access_token"] not in output
        audit_log = (container.settings.data_dir / "audit.log").read_text()
        assert planted_password not in audit_log and planted_key.splitlines()[1] not in audit_log
        assert json.loads(audit_log.splitlines()[0])["hash"]
