"""Property-based run of the whole OpenAPI schema, authenticated as an admin: bounded, and no
answer may be a 5xx."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from chatops_commander import bootstrap
from chatops_commander.adapters.db import migrate
from chatops_commander.config import Settings
from chatops_commander.domain.roles import Role
from chatops_commander.entrypoints.api.app import create_app
from chatops_commander.services import auth
from chatops_commander.services import users as user_service
from tests.conftest import make_settings
from tests.e2e.conftest import ADMIN_EMAIL, CHEAP_ARGON2, PASSWORD, TEST_CLI

# Bounded: 50 generated cases per operation by default (about 60 operations: a few minutes on two
# cores); set CHATOPS_SCHEMATHESIS_EXAMPLES=200 for a deeper run.
EXAMPLES_PER_OPERATION = int(os.environ.get("CHATOPS_SCHEMATHESIS_EXAMPLES", "50"))
HIGH_LIMITS = {"rate_limit_api": "1000000/minute", "login_free_failures": 1_000_000,
               "login_account_free_failures": 1_000_000, "login_address_free_failures": 1_000_000}


async def _fresh_admin_token(config: Settings, *, create: bool) -> str:
    """Log in as the admin (created first when `create`), resetting what the fuzzer may have
    switched on (2FA required for admins)."""
    container = await bootstrap.build(config)
    try:
        if create:
            await user_service.create_user(container.uow, container.security, TEST_CLI, email=ADMIN_EMAIL,
                                           name="admin", role=Role.ADMIN, password=PASSWORD)
        async with container.uow() as uow:
            await uow.app_settings.put(auth.REQUIRE_2FA_KEY, False, updated_by="pytest")
            await uow.commit()
        pair = await auth.login(container.uow, container.security, email=ADMIN_EMAIL, password=PASSWORD, totp=None,
                                info=auth.RequestInfo(source_ip="127.0.0.1"))
        return pair.access_token
    finally:
        await container.aclose()


@pytest.mark.timeout(2400)
def test_no_operation_answers_with_a_server_error(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}"
    migrate.upgrade(url)
    config = make_settings(tmp_path, url, **CHEAP_ARGON2, **HIGH_LIMITS,
                           alertmanager_token="am-" + "k3Yq9Vb2Lm7Np4Rs8Tw1Yz6Ac0De5Fg")
    token = [asyncio.run(_fresh_admin_token(config, create=True))]
    app = create_app(config)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token[0]}"})
            assert response.status_code < 500, (case.method, case.formatted_path, response.text)
            if response.status_code >= 400 and response.status_code != 405:
                assert response.headers["content-type"][0].startswith("application/problem+json")
            if response.status_code in (401, 403) or "logout" in case.path or "security" in case.path:
                token[0] = asyncio.run(_fresh_admin_token(config, create=False))

        run()
        checked.append(operation.label)
    assert len(checked) >= 25, checked
