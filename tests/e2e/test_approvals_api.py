"""`GET /api/v1/approvals?status=pending`: what approvers still have to decide (requested and not expired)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from chatops_commander import bootstrap
from chatops_commander.domain.chat.approvals import Approval
from chatops_commander.domain.chat.records import Conversation
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role


async def test_pending_lists_only_open_requests_and_every_request_says_whether_it_expired(
    container: bootstrap.Container, api: httpx.AsyncClient, as_role: Callable[..., Any],
) -> None:
    op, op_client = await as_role(Role.OPERATOR, "op@example.com")
    assert op.id is not None
    now = datetime.now(UTC)
    async with container.uow() as uow:
        conv = await uow.conversations.add(Conversation(op.id))
        fresh = Approval.request(requester_id=str(op.id), requester=op.email, conversation_id=str(conv.id),
                                 action="app.deploy", targets=["web-01"], service=None,
                                 parameters={"version": "v2.5.0"}, risk=Risk.HIGH, now=now)
        stale = Approval.request(requester_id=str(op.id), requester=op.email, conversation_id=str(conv.id),
                                 action="app.deploy", targets=["web-01"], service=None,
                                 parameters={"version": "v2.4.0"}, risk=Risk.HIGH, now=now - timedelta(hours=2))
        await uow.approvals.add(fresh)
        await uow.approvals.add(stale)
        await uow.commit()

    pending = (await api.get("/api/v1/approvals", params={"status": "pending"})).json()
    assert [(a["id"], a["expired"]) for a in pending] == [(fresh.id, False)]
    assert pending[0]["expires_at"].startswith((now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    every = {a["id"]: (a["state"], a["expired"]) for a in (await api.get("/api/v1/approvals")).json()}
    assert every == {fresh.id: ("requested", False), stale.id: ("requested", True)}
    mine = (await op_client.get("/api/v1/approvals", params={"status": "pending"})).json()
    assert [a["id"] for a in mine] == [fresh.id]  # a requester sees their own
    assert (await api.get("/api/v1/approvals", params={"status": "later"})).status_code == 422

    refused = await api.post(f"/api/v1/approvals/{stale.id}/approve", json={})
    assert refused.status_code == 409 and "expired" in refused.json()["detail"]
