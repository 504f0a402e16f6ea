"""`GET /api/v1/commands`: the command history, everyone's for admins, one's own for the others."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from chatops_commander import bootstrap
from chatops_commander.domain.chat.records import CommandRecord
from chatops_commander.domain.roles import Role
from chatops_commander.domain.users import User
from tests.e2e.conftest import client_for, login

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


async def seed(container: bootstrap.Container, op: User, other: User) -> None:
    rows = [
        (op, "service.restart", "web-01", "ok", 0),
        (op, "service.status", "web-02", "ok", 1),
        (op, "server.disk", "db-master", "failed", 2),
        (op, "service.restart", "web-01", "refused:replayed", 3),
        (other, "service.restart", "web-02", "ok", 4),
    ]
    async with container.uow() as uow:
        for user, action, server, outcome, minute in rows:
            await uow.commands.add(CommandRecord(
                command=f"{action} on {server}", action=action, actor=user.email, user_id=user.id,
                server_name=server, parsed_intent={"action": action}, output="done", exit_code=0,
                outcome=outcome, risk_level="low", executed_at=T0 + timedelta(minutes=minute)))
        await uow.commit()


async def test_operators_see_their_own_commands_and_admins_see_everyones(
    container: bootstrap.Container, api: httpx.AsyncClient, as_role: Callable[..., Any],
) -> None:
    op_user, op = await as_role(Role.OPERATOR, "op@example.com")
    other_user, other = await as_role(Role.OPERATOR, "other@example.com")
    await seed(container, op_user, other_user)

    mine = (await op.get("/api/v1/commands")).json()
    assert mine["total"] == 4 and {c["actor"] for c in mine["items"]} == {"op@example.com"}
    assert [c["executed_at"][:16] for c in mine["items"]][:2] == ["2026-11-20T08:03", "2026-11-20T08:02"]
    assert mine["items"][0]["intent"] == {"action": "service.restart"} and mine["items"][0]["output"] == "done"
    forced = (await op.get("/api/v1/commands", params={"user_id": str(other_user.id)})).json()
    assert forced["total"] == 4 and {c["actor"] for c in forced["items"]} == {"op@example.com"}

    everyone = (await api.get("/api/v1/commands")).json()
    assert everyone["total"] == 5
    theirs = (await api.get("/api/v1/commands", params={"user_id": str(other_user.id)})).json()
    assert [c["actor"] for c in theirs["items"]] == ["other@example.com"]

    def total(**params: str) -> Any:
        return op.get("/api/v1/commands", params=params)

    assert (await total(action="service.")).json()["total"] == 3
    assert (await total(action="service.restart", server="web-01")).json()["total"] == 2
    assert (await total(outcome="refused")).json()["items"][0]["outcome"] == "refused:replayed"
    assert (await total(outcome="failed")).json()["items"][0]["server"] == "db-master"
    window = (await total(since="2026-11-20T08:01:00Z", until="2026-11-20T08:03:00Z")).json()
    assert [c["action"] for c in window["items"]] == ["server.disk", "service.status"]
    page = (await op.get("/api/v1/commands", params={"offset": 3, "limit": 2})).json()
    assert page["total"] == 4 and len(page["items"]) == 1
    naive = await op.get("/api/v1/commands", params={"since": "2026-11-20T08:01:00"})
    assert naive.status_code == 422 and "time zone" in naive.text
    assert (await other.get("/api/v1/commands")).json()["total"] == 1


async def test_the_history_page_shows_a_non_admin_their_own_commands(
    container: bootstrap.Container, as_role: Callable[..., Any],
) -> None:
    op_user, _ = await as_role(Role.OPERATOR, "pager@example.com")
    other_user, _ = await as_role(Role.VIEWER, "someone@example.com")
    await seed(container, op_user, other_user)
    async with client_for(container) as browser:
        await login(browser, "pager@example.com")  # sets the session cookie
        browser.cookies.set("cc_lang", "fr", domain="testserver.local")  # the language switch
        page = await browser.get("/history")
    assert page.status_code == 200
    html = page.text
    assert "Vos commandes" in html and 'data-testid="my-commands-count">4 / 4<' in html
    assert "server.disk on db-master" in html and "someone@example.com" not in html
    assert "refused:replayed" in html
