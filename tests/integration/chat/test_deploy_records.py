"""Deploy runs on `localhost` (the local executor, real commands): the `deployments` record follows the run."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chatops_commander import bootstrap
from chatops_commander.domain.chat.deployments import DeploymentKind, DeploymentState
from chatops_commander.domain.roles import Role
from chatops_commander.services import servers as server_service
from chatops_commander.services import users as user_service
from chatops_commander.services.chat import deploys
from chatops_commander.services.chat.engine import ChatService
from chatops_commander.services.principal import AuthMethod, Principal
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2, PASSWORD

RUNBOOK = """\
application: tool
environments: {production: [localhost]}
steps:
  - {name: Check, kind: precheck, commands: [["true"]]}
  - {name: Switch, kind: rolling, script: 'echo "tool $1"'}
"""


@pytest.fixture
async def chat(tmp_path: Path, database_url: str) -> AsyncIterator[tuple[ChatService, Principal, bootstrap.Container]]:
    container = await bootstrap.build(make_settings(tmp_path, database_url, **CHEAP_ARGON2))
    await server_service.ensure_localhost(container.uow, ssh_user=bootstrap.os_user())  # also on PostgreSQL
    runbooks = tmp_path / "runbooks"
    runbooks.mkdir()
    (runbooks / "tool.yaml").write_text(RUNBOOK)
    admin = await user_service.create_user(container.uow, container.security, Principal.cli("pytest"),
                                           email="lead@example.com", name="lead", role=Role.ADMIN, password=PASSWORD)
    principal = Principal(user_id=admin.id, email=admin.email, role=Role.ADMIN, auth_method=AuthMethod.PASSWORD)
    try:
        yield bootstrap.build_chat_service(container, runbooks_path=runbooks), principal, container
    finally:
        await container.aclose()


async def _deploy(service: ChatService, principal: Principal, text: str) -> str:
    conv = await service.create_conversation(principal)
    assert conv.id is not None
    card = await service.handle_message(principal, conv.id, text)
    assert card.message is not None and "confirmation" in card.message.metadata, card.message.content
    done = await service.handle_message(principal, conv.id, "confirm")
    assert done.message is not None
    return done.message.content


async def test_a_successful_deploy_is_recorded_and_a_crash_mid_run_is_not_left_running(
    chat: tuple[ChatService, Principal, bootstrap.Container], monkeypatch: pytest.MonkeyPatch,
) -> None:
    service, principal, container = chat
    first = await _deploy(service, principal, "deploy v1.0.0 to production")
    assert "✅ Deployment succeeded\nVersion: v1.0.0" in first

    async def crash(self: object, index: int, *_: object) -> object:
        raise RuntimeError("the executor blew up")

    monkeypatch.setattr(deploys._Run, "step", crash)
    with pytest.raises(RuntimeError):
        await _deploy(service, principal, "deploy v1.1.0 to production")
    async with container.uow() as uow:
        history = await uow.deployments.history("tool")
    assert [(d.version, d.kind, d.state, d.failed_step) for d in history] == [
        ("v1.1.0", DeploymentKind.DEPLOY, DeploymentState.FAILED, 1),
        ("v1.0.0", DeploymentKind.DEPLOY, DeploymentState.SUCCEEDED, None)]
    assert history[1].requested_by == "lead@example.com" and history[1].hosts == ("localhost",)
