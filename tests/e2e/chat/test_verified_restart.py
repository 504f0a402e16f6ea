"""Through the chat, on the real fleet: "restart nginx" with nginx's configuration broken (crash loop, port
closed) answers that it failed, with the evidence; it never says "restarted … health checks PASSED"."""

from __future__ import annotations

from uuid import UUID

import pytest

from chatops_commander.domain.roles import Role
from tests.e2e.chat.conftest import ChatWorld, events_of, new_conversation, say

pytestmark = pytest.mark.fleet


async def test_restarting_a_crash_looping_nginx_answers_failed_with_the_evidence(world: ChatWorld) -> None:
    fleet = world.fleet
    _, op = await world.user(Role.OPERATOR, "op@example.com", execute_on=("web-02",))
    conv = await new_conversation(op)
    with fleet.broken_nginx("web-02"):
        card_turn = await say(op, conv, "redémarre nginx sur web-02")
        [card] = events_of(card_turn, "confirmation_required")
        assert card["action"] == "service.restart" and card["targets"] == ["web-02"]
        done = await say(op, conv, "Confirmer")
        reply = done["message"]["content"]
        assert "PASSED" not in reply and "J'ai redémarré nginx" not in reply, reply
        # Seen mid-loop ("redémarre en boucle", "instable : il s'est arrêté puis relancé") or once supervisord
        # gave up ("ne tourne pas 3 s après"): the verdict's words depend on where the three samples fall under
        # load; every one is a failure that names the states seen.
        verdicts = ("nginx redémarre en boucle", "nginx est instable", "nginx ne tourne pas")
        assert "❌ web-02" in reply and any(v in reply for v in verdicts), reply
        # the states seen, or (a crash loop caught by its main pid) the pids seen
        assert "(état : " in reply or "son pid principal a changé" in reply, reply
        assert "this_is_not_nginx" in reply  # the evidence: nginx's own last log lines
        assert fleet.http_get("web-02") is None
        async with world.container.uow() as uow:
            rows = await uow.commands.list(conversation_id=UUID(conv))
        [restart] = [r for r in rows if r.action == "service.restart"]
        assert restart.outcome == "failed" and restart.exit_code == 0
