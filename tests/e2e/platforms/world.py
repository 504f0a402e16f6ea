"""The chat every platform test talks to: three fake servers (web-01, web-02, db-master), the seed's shop runbook
without its backup step (the pre-check question is covered by the seed scenarios: a deploy goes to approval).

web-01 and web-02 serve the site over HTTP through nginx (the diagnosis' and the restart's HTTP check, answered by
the shipped `FakeHttp`); a restart is verified like in production, with a short settle window."""

from __future__ import annotations

from chatops_commander import bootstrap, bootstrap_platforms
from chatops_commander.domain.chat.runbooks import parse_runbook
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.services import users as user_service
from chatops_commander.services.chat import ChatService
from chatops_commander.services.execution import FanOut
from chatops_commander.services.fakes import FakeFleet, FakeHost, FakeHttp, InMemoryRunbooks
from chatops_commander.services.platforms.contract import Platform
from chatops_commander.services.platforms.records import ChatIdentity
from chatops_commander.services.verification import Verifier, VerifyPolicy
from chatops_commander.skills.catalog import catalog_specs
from chatops_commander.skills.registry import Registry, builtin_skills
from tests.e2e.conftest import TEST_CLI, add_user
from tests.unit.pipeline.test_seed_scenarios import RUNBOOK

NGINX_CRASH = (
    "2026/11/23 08:56:59 [notice] 41#41: start worker processes",
    "2026/11/23 08:57:01 [alert] 41#41: worker process 42 exited on signal 11 (core dumped)",
    "2026/11/23 08:57:02 [notice] 41#41: using the epoll event method")


async def fleet_and_chat(container: bootstrap.Container) -> tuple[FakeFleet, ChatService]:
    fleet = FakeFleet()
    http = FakeHttp(fleet)
    health_urls: dict[str, str] = {}
    for name, services, tags in (("web-01", {"nginx": True}, ("web", "production")),
                                 ("web-02", {"nginx": True}, ("web", "production")),
                                 ("db-master", {"postgresql": True}, ("db",))):
        async with container.uow() as uow:
            await uow.servers.add(Server(name, name, "192.0.2.1", tags=tags, services=tuple(services)))
            await uow.commit()
        fleet.add(FakeHost(name, services=dict(services)))
        if "nginx" in services:
            health_urls[name] = http.serve(f"http://{name}.example/health", name, "nginx")
    registry = Registry(builtin_skills())
    runbooks = InMemoryRunbooks()
    runbooks.books.append(parse_runbook({**RUNBOOK, "steps": [s for s in RUNBOOK["steps"] if s["kind"] != "backup"]}))
    fanout = FanOut(fleet, registry, verifier=Verifier(VerifyPolicy(interval_s=0.01)))  # type: ignore[arg-type]
    chat = ChatService(container.uow, fanout, catalog_specs(registry),  # type: ignore[arg-type]
                       clock=container.security, hub=container.chat_hub, runbooks=runbooks, http=http,
                       health_urls=health_urls)
    return fleet, chat


def nginx_crashed(fleet: FakeFleet, host: str = "web-01") -> None:
    """The seed's incident: nginx died on `host` (its error log says so); the other web server still serves."""
    fleet.hosts[host].services["nginx"] = False
    fleet.hosts[host].log_lines = NGINX_CRASH


async def link_person(container: bootstrap.Container, fleet: FakeFleet, role: Role, email: str, *,
                      platform: Platform, chat_user: str, workspace: str, display_name: str,
                      execute: bool = True) -> None:
    """An account with `role`, allowed to read (and to run, unless `execute` is false) on every server of `fleet`,
    linked to `chat_user` of `platform`."""
    user = await add_user(container, email, role)
    assert user.id is not None
    for name in fleet.hosts:
        await user_service.set_permission(container.uow, TEST_CLI, user.id, name,
                                          ServerPermission(can_read=True, can_execute=execute))
    await bootstrap_platforms.platform_store(container).link(
        ChatIdentity(platform, chat_user, user.id, workspace, display_name))


def restarts(fleet: FakeFleet, host: str, service: str = "nginx") -> int:
    """How many times `service` was restarted on `host`."""
    return sum(line == f"supervisorctl restart {service}" for line in fleet.sent(host))
