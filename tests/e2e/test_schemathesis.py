"""The whole OpenAPI schema under schemathesis with every check it has (`--checks all`), as an admin, an
operator, a viewer and with read / execute API tokens, on SQLite and PostgreSQL: no 5xx, every status,
content type, header and body the schema declares, nothing the schema forbids accepted, nothing it allows
refused (issue 14).

The one tolerance: a few fields carry a document whose content the schema can only describe (a new
password's policy, a pasted inventory, a PEM key); their refusal is a 422 `validation_failed` naming that
field, and the check accepts exactly that (see `CONTENT_RULES`, ADR 0013).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections import Counter
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import schemathesis
from schemathesis.checks import positive_data_acceptance
from schemathesis.engine import events, from_schema

from chatops_commander import bootstrap
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.services import api_tokens, auth
from chatops_commander.services import users as user_service
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2, PASSWORD, TEST_CLI

# Bounded: about 2 min per credential on two loaded cores for the admin (every phase: examples, coverage,
# fuzzing, stateful), less for the others (fuzzing and stateful); CHATOPS_SCHEMATHESIS_EXAMPLES=100 for a
# deeper run.
EXAMPLES = int(os.environ.get("CHATOPS_SCHEMATHESIS_EXAMPLES", "6"))
HIGH_LIMITS = {"rate_limit_api": "1000000/minute", "rate_limit_commands": "1000000/minute",
               "login_free_failures": 1_000_000, "login_account_free_failures": 1_000_000,
               "login_address_free_failures": 1_000_000}
CREDENTIALS = ("admin", "operator", "viewer", "read-token", "execute-token")
ROLES = {"admin": Role.ADMIN, "operator": Role.OPERATOR, "viewer": Role.VIEWER}
# (operation, field): a 422 `validation_failed` on that field is the document's content rule, not a schema gap.
CONTENT_RULES = {
    ("POST", "/api/v1/users", "password"), ("POST", "/api/v1/users/{user_id}/password", "password"),
    ("POST", "/api/v1/auth/password", "new_password"), ("POST", "/api/v1/servers/import", "inventory"),
    ("PUT", "/api/v1/servers/{server_id}/secret", "value"), ("POST", "/api/v1/servers/import", "*"),
    ("GET", "/api/v1/monitoring/servers/{server_id}/series", "start"),  # start after end: a relation between two
    ("GET", "/api/v1/monitoring/servers/{server_id}/series", "end"),  # parameters, which a schema cannot state
}
T = TypeVar("T")


@schemathesis.check
def positive_data_accepted_but_content_rules(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis' `positive_data_acceptance`, except a declared content rule's own refusal."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except Exception:
        if _content_rule_refusal(case, response):
            return None
        raise


def _content_rule_refusal(case: Any, response: Any) -> bool:
    if response.status_code != 422:
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    fields = {e.get("field") for e in body.get("errors") or []}
    key = (case.operation.method.upper(), case.operation.path)
    return (str(body.get("type", "")).endswith("/validation_failed") and bool(fields)
            and all((*key, f) in CONTENT_RULES or (*key, "*") in CONTENT_RULES for f in fields))


class Credentials:
    """The credential under test, restored (user active, its role, password, no 2FA) whenever the fuzzer ends
    it: a logout, a disabled account, a revoked token. A loop of its own keeps one container for that."""

    def __init__(self, config: Settings, who: str) -> None:
        self.config, self.who = config, who
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.container = self._call(bootstrap.build(config))
        self.value = self._call(self._issue())
        self.issued = 1

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    def refresh(self) -> None:
        self.value = self._call(self._issue())
        self.issued += 1

    def close(self) -> None:
        self._call(self.container.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    async def _issue(self) -> str:
        c = self.container
        role = ROLES.get(self.who, Role.ADMIN)
        email = f"{role.value}@example.com"
        async with c.uow() as uow:
            user = await uow.users.get_by_email(email)
            await uow.app_settings.put(auth.REQUIRE_2FA_KEY, False, updated_by="pytest")
            await uow.commit()
        if user is None:
            user = await user_service.create_user(c.uow, c.security, TEST_CLI, email=email, name=role.value,
                                                  role=role, password=PASSWORD)
        assert user.id is not None
        if not user.is_active:
            await user_service.enable_user(c.uow, TEST_CLI, user.id)
        if user.role is not role:
            await user_service.set_role(c.uow, c.security, TEST_CLI, user.id, role)
        if user.totp_enabled:
            await user_service.reset_two_factor(c.uow, c.security, TEST_CLI, user.id)
        info = auth.RequestInfo(source_ip="127.0.0.1")
        try:
            pair = await auth.login(c.uow, c.security, email=email, password=PASSWORD, totp=None, info=info)
        except Exception:  # the fuzzer set another password
            await user_service.reset_password(c.uow, c.security, TEST_CLI, user.id, PASSWORD)
            pair = await auth.login(c.uow, c.security, email=email, password=PASSWORD, totp=None, info=info)
        if not self.who.endswith("-token"):
            return pair.access_token
        principal = await auth.authenticate(c.uow, c.security, pair.access_token, via_cookie=False, info=info)
        name = f"schemathesis {getattr(self, 'issued', 0)}"
        _, secret = await api_tokens.create_token(c.uow, c.security, principal, name=name,
                                                  scopes=[self.who.removesuffix("-token")])
        return secret


@pytest.fixture
def app_config(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url, **CHEAP_ARGON2, **HIGH_LIMITS,
                         alertmanager_token="am-" + "k3Yq9Vb2Lm7Np4Rs8Tw1Yz6Ac0De5Fg")


@pytest.fixture
def credentials(app_config: Settings, request: pytest.FixtureRequest) -> Iterator[Credentials]:
    creds = Credentials(app_config, request.param)
    try:
        yield creds
    finally:
        creds.close()


def failures_of(schema: Any) -> tuple[list[str], list[str], int]:
    """Run the engine as `schemathesis run --checks all` does: (failures, errors, scenarios run)."""
    found: list[str] = []
    errors: list[str] = []
    scenarios = 0
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            scenarios += 1
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status.name == "FAILURE" and check.failure_info is not None:
                        interaction = event.recorder.interactions.get(case_id)
                        answer = getattr(interaction, "response", None)
                        body = answer.content[:300].decode("utf-8", "replace") if answer is not None else ""
                        found.append(f"{event.label} [{check.name}] {check.failure_info.failure.title}\n"
                                     f"  {check.failure_info.code_sample}\n  → {body}")
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(str(getattr(event, "info", event))[:1000])
    return found, errors, scenarios


@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize("credentials", CREDENTIALS, indirect=True)
def test_the_api_answers_exactly_what_its_schema_declares(app_config: Settings, credentials: Credentials) -> None:
    app = create_app(app_config)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    config = schema.config
    config.checks.update(included_check_names=["all"], excluded_check_names=["positive_data_acceptance"],
                         max_response_time=30.0)  # the first chat turn builds the parser, on loaded cores
    rejection = config.checks.negative_data_rejection  # an oversized body is refused at the edge, as 413
    rejection.expected_statuses = [*rejection.expected_statuses, "413"]
    config.generation.update(max_examples=EXAMPLES if credentials.who == "admin" else max(2, EXAMPLES // 2))
    config.update(request_timeout=60)  # a chat turn on a loaded machine; no answer may take longer
    if credentials.who != "admin":  # the deterministic coverage phase once, as the admin
        config.phases.update(phases=["fuzzing", "stateful"])

    @schema.auth(refresh_interval=None)
    class Bearer:
        def get(self, case: Any, ctx: Any) -> str:
            return credentials.value

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

    statuses: Counter[int] = Counter()

    @schema.hook
    def after_call(ctx: Any, case: Any, response: Any) -> None:
        statuses[response.status_code // 100 * 100] += 1
        ended = response.status_code == 401 or (response.status_code == 403 and credentials.who == "admin")
        if ended or "logout" in case.path:
            credentials.refresh()

    found, errors, scenarios = failures_of(schema)
    assert not errors, "\n".join(errors)
    assert not found, f"{len(found)} finding(s) as {credentials.who}:\n" + "\n".join(found[:30])
    assert scenarios >= 25, scenarios
    # The credential worked: this was not a run of 401s (a read token is refused most writes: fewer 2xx).
    assert statuses[200] >= 10, statuses
