"""Permissions by tag through the API: a grant on a tag covers every server carrying it (added later
too), a server's own row wins over its tags, and fleet views count what was left out."""

from __future__ import annotations

import httpx

from chatops_commander import bootstrap
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.domain.users import User
from chatops_commander.services import access
from chatops_commander.services import servers as server_service
from chatops_commander.services import users as user_service
from chatops_commander.services.principal import AuthMethod, Principal
from tests.e2e.conftest import TEST_CLI, add_user, bearer, client_for, login


async def _server(container: bootstrap.Container, name: str, *tags: str) -> Server:
    return await server_service.add_server(container.uow, TEST_CLI, Server(
        name=name, hostname=f"{name}.example.com", ip_address="10.0.0.1", ssh_user="deploy", tags=tags))


async def _names(client: httpx.AsyncClient) -> list[str]:
    answer = await client.get("/api/v1/servers")
    assert answer.status_code == 200, answer.text
    return [s["name"] for s in answer.json()["items"]]


async def test_an_operator_granted_the_web_tag_sees_and_may_run_on_every_web_server(
        container: bootstrap.Container, api: httpx.AsyncClient, admin: User) -> None:
    await _server(container, "web-01", "web")
    await _server(container, "web-02", "web", "eu")
    db = await _server(container, "db-01", "db")
    operator = await add_user(container, "new-oncall@example.com", Role.OPERATOR)
    async with client_for(container) as anonymous:
        session = bearer((await login(anonymous, operator.email))["access_token"])
    async with client_for(container, headers=session) as client:
        assert await _names(client) == []  # a new operator: nothing yet
        granted = await api.put(f"/api/v1/users/{operator.id}/tag-permissions/web",
                                json={"can_read": True, "can_execute": True})
        assert granted.status_code == 204, granted.text
        assert (await api.get(f"/api/v1/users/{operator.id}/tag-permissions")).json() == [
            {"tag": "web", "can_read": True, "can_execute": True, "can_admin": False}]
        assert await _names(client) == ["web-01", "web-02"]
        await _server(container, "web-03", "web")  # registered after the grant: covered too
        assert await _names(client) == ["web-01", "web-02", "web-03"]
        assert (await client.get(f"/api/v1/servers/{db.id}")).status_code == 404  # not readable: not there
        principal = Principal(user_id=operator.id, email=operator.email, role=Role.OPERATOR,
                              auth_method=AuthMethod.PASSWORD)
        everything = await server_service.list_servers(container.uow, TEST_CLI)
        view = await access.fleet_view(container.uow, principal, everything)
        assert [s.name for s in view.servers] == ["web-01", "web-02", "web-03"]
        assert view.left_out == len(everything) - 3 >= 1  # db-01 (and localhost when registered)
        assert operator.id is not None
        async with container.uow() as uow:
            held = await access.permissions_on(uow, operator.id, everything)
        assert all(p.can_execute for p in held.values()) and db.id not in held
        assert (await api.delete(f"/api/v1/users/{operator.id}/tag-permissions/web")).status_code == 204
        assert await _names(client) == []
        assert (await api.delete(f"/api/v1/users/{operator.id}/tag-permissions/web")).status_code == 404


async def test_a_servers_own_row_wins_over_its_tags(container: bootstrap.Container, api: httpx.AsyncClient,
                                                    admin: User) -> None:
    await _server(container, "web-01", "web")
    await _server(container, "web-legacy", "web")
    viewer = await add_user(container, "reader@example.com", Role.VIEWER)
    assert viewer.id is not None
    await user_service.set_tag_permission(container.uow, TEST_CLI, viewer.id, "web", ServerPermission(can_read=True))
    await user_service.set_permission(container.uow, TEST_CLI, viewer.id, "web-legacy", ServerPermission())
    async with client_for(container) as anonymous:
        session = bearer((await login(anonymous, viewer.email))["access_token"])
    async with client_for(container, headers=session) as client:
        assert await _names(client) == ["web-01"]


async def test_a_bad_tag_is_a_clear_422(api: httpx.AsyncClient, admin: User) -> None:
    answer = await api.put(f"/api/v1/users/{admin.id}/tag-permissions/bad%20tag", json={"can_read": True})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_the_users_page_shows_a_users_tag_grants_and_the_known_tags(
        container: bootstrap.Container, admin: User) -> None:
    await _server(container, "web-01", "web", "eu")
    operator = await add_user(container, "tagged@example.com", Role.OPERATOR)
    assert operator.id is not None
    await user_service.set_tag_permission(container.uow, TEST_CLI, operator.id, "web",
                                          ServerPermission(can_read=True, can_execute=True))
    async with client_for(container) as browser:
        await login(browser, admin.email)  # the cc_access cookie
        browser.cookies.set("cc_lang", "fr", domain="testserver.local")  # the language switch
        page = await browser.get(f"/users?selected={operator.id}")
    assert page.status_code == 200
    assert "Permissions par étiquette" in page.text
    assert f"/api/v1/users/{operator.id}/tag-permissions/web" in page.text  # its remove button
    assert '<option value="eu">' in page.text and '<option value="web">' in page.text
