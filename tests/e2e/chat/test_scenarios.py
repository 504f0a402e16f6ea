"""Acceptance: the seed's scenarios through the API on real sshd hosts with real nginx under supervisord."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from chatops_commander.domain.monitoring.samples import HostMetrics, Sample, ServiceState
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.services import audit
from tests.e2e.chat.conftest import ChatWorld, events_of, new_conversation, say

pytestmark = pytest.mark.fleet


def wait_for(check, what: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} not true after {timeout:g} s")


async def _audit_actions(world: ChatWorld) -> list[tuple[str, str, dict[str, object]]]:
    return [(e.action.value, e.actor, dict(e.details)) for e in await audit.events(world.container.uow)]


async def test_scenario_2_site_down_diagnosis_choose_confirm_restart(world: ChatWorld) -> None:
    fleet = world.fleet
    fleet.supervisorctl("web-01", "stop", "nginx")
    wait_for(lambda: fleet.http_get("web-01") is None, "nginx of web-01 stopped")
    try:
        _, op = await world.user(Role.OPERATOR, "op@example.com", execute_on=("web-01", "web-02"))
        conv = await new_conversation(op)
        diag = await say(op, conv, "Le site est down, qu'est-ce qui se passe ?")
        text = diag["message"]["content"]
        assert "• nginx sur web-01 : ❌ ARRÊTÉ (stopped, depuis " in text, text  # supervisord's stop time
        assert ", heure du serveur)" in text
        assert "nginx sur web-02 : ✅ actif" in text
        web01_url = f"http://127.0.0.1:{fleet.hosts['web-01'].http_port}/"
        web02_url = f"http://127.0.0.1:{fleet.hosts['web-02'].http_port}/"
        assert f"• HTTP web-01 ({web01_url}) : ❌" in text  # the site check, from here, now
        assert f"• HTTP web-02 ({web02_url}) : ✅ 200" in text
        assert "Cause probable : nginx est arrêté sur web-01" in text
        assert "1. Redémarrer nginx sur web-01" in text
        assert diag["message"]["lang"] == "fr"
        assert diag["message"]["metadata"]["diagnosis"]["culprit"] == {"host": "web-01", "service": "nginx"}

        card_turn = await say(op, conv, "1")
        [card] = events_of(card_turn, "confirmation_required")
        assert card["action"] == "service.restart" and card["targets"] == ["web-01"] and card["risk"] == "medium"
        assert card_turn["message"]["content"].startswith("⚠️ Action critique\nRedémarrer nginx sur web-01 ?")
        assert fleet.http_get("web-01") is None  # nothing ran before the confirmation

        done = await say(op, conv, "Confirmer")
        reply = done["message"]["content"]
        assert "✅" in reply and "Tests de santé : PASSED" in reply, reply
        assert "web-01 : ✅ J'ai redémarré nginx. Vérifié à l'instant : nginx tourne" in reply  # verified after
        assert "• Site accessible : ✅ (web-01)" in reply
        assert "🎉" not in reply
        assert [p["host"] for p in events_of(done, "progress")] == ["web-01"]
        assert "RUNNING" in fleet.supervisorctl("web-01", "status", "nginx")
        assert "hello from web-01" in (fleet.http_get("web-01") or "")

        async with world.container.uow() as uow:
            rows = await uow.commands.list(conversation_id=UUID(conv))
        restart = [r for r in rows if r.action == "service.restart"]
        assert len(restart) == 1 and restart[0].confirmed and restart[0].exit_code == 0
        assert restart[0].server_name == "web-01" and restart[0].risk_level == "medium"
        assert "supervisorctl restart nginx" in restart[0].command and restart[0].duration_ms is not None
        executed = [d for a, actor, d in await _audit_actions(world)
                    if a == AuditAction.COMMAND_EXECUTED and d.get("action") == "service.restart"]
        assert executed and executed[-1]["serverName"] == "web-01" and executed[-1]["success"] is True
        scraped = (await op.get("/metrics")).text
        assert 'chatops_commands_total{action="service.restart",outcome="ok"} 1.0' in scraped
    finally:
        fleet.supervisorctl("web-01", "start", "nginx")


async def test_scenario_1_a_host_that_accepts_but_never_answers_is_told_from_the_monitorings_last_state(
    world: ChatWorld,
) -> None:
    held: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # TCP accepted; not one byte of SSH banner, ever

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        async with world.container.uow() as uow:
            mute = await uow.servers.add(world.fleet.server("web-02", name="web-mute", hostname="web-mute", port=port,
                                                            id=None, tags=("web",)))
            assert mute.id is not None
            await uow.samples.add(Sample(mute.id, datetime.now(UTC) - timedelta(seconds=40),
                                         HostMetrics(services={"nginx": ServiceState.RUNNING})))
            await uow.commit()
        _, admin = await world.user(Role.ADMIN, "early@example.com")
        conv = await new_conversation(admin)
        turn = await say(admin, conv, "Good morning, is everything ok?")
        text = turn["message"]["content"]
        assert "⚠️ 3/4 servers up (checked just now)" in text, text
        assert "   - web-mute: no answer within 5 s (I did not wait longer)\n" in text
        assert re.search(r"\n     last known state \(monitoring, [45]\d s ago\): nginx running\n", text), text
        # The turn's 5 s budget gave up on the mute host: `timed_out`. Had the turn waited for SSH instead, the
        # 10 s connect timeout (before the check's own 15 s) would have ended it as `unreachable`. (The turn's
        # duration with mute hosts is measured in bench/morning_check.py, not asserted here.)
        [mute_host] = [h for h in turn["message"]["metadata"]["hosts"] if h["name"] == "web-mute"]
        assert mute_host["reachable"] is False and mute_host["timed_out_s"] == 5, mute_host
        assert mute_host["stored_services"] == {"nginx": True} and 40 <= mute_host["stored_age_s"] < 60, mute_host
        checked = {e["host"]: e["status"] for e in events_of(turn, "progress") if e["action"] == "fleet.health"}
        assert checked["web-mute"] == "timed_out" and list(checked.values()).count("ok") == 3, checked
    finally:
        for w in held:
            w.close()
        listener.close()
        await listener.wait_closed()


async def test_scenario_4_viewer_refused_politely_and_confirmation_replay_or_theft_refused(world: ChatWorld) -> None:
    _, viewer = await world.user(Role.VIEWER, "viewer@example.com")
    conv = await new_conversation(viewer)
    turn = await say(viewer, conv, "redémarre nginx sur web-02")
    assert turn["message"]["content"].startswith("Je ne peux pas faire cela pour vous"), turn["message"]["content"]
    assert "Je n'ai rien exécuté" in turn["message"]["content"]
    assert events_of(turn, "error") and not events_of(turn, "confirmation_required")

    op_user, op = await world.user(Role.OPERATOR, "op4@example.com", execute_on=("web-02",))
    _, other = await world.user(Role.OPERATOR, "other@example.com", execute_on=("web-02",))
    conv_op = await new_conversation(op)
    card_turn = await say(op, conv_op, "reload nginx on web-02")
    [card] = events_of(card_turn, "confirmation_required")
    first = await say(op, conv_op, "yes", confirmation_id=card["confirmation_id"], action_hash=card["action_hash"])
    assert events_of(first, "result") and events_of(first, "result")[0]["ok"] is True
    replay = await say(op, conv_op, "yes", confirmation_id=card["confirmation_id"])
    assert "already used" in replay["message"]["content"] and not events_of(replay, "result")

    card2 = events_of(await say(op, conv_op, "reload nginx on web-02"), "confirmation_required")[0]
    conv_other = await new_conversation(other)
    stolen = await say(other, conv_other, "yes", confirmation_id=card2["confirmation_id"])
    assert "belongs to someone else" in stolen["message"]["content"] and not events_of(stolen, "result")
    forged = await say(op, conv_op, "yes", confirmation_id=card2["confirmation_id"], action_hash="0" * 64)
    assert "does not match" in forged["message"]["content"]

    actions = await _audit_actions(world)
    names = [a for a, _, _ in actions]
    assert AuditAction.AUTHORIZATION_DENIED in names and AuditAction.COMMAND_REFUSED in names
    assert any(a == AuditAction.CONFIRMATION_REPLAYED and actor == "op4@example.com" for a, actor, _ in actions)
    assert any(a == AuditAction.CONFIRMATION_FORGED and actor == "other@example.com" for a, actor, _ in actions)
    async with world.container.uow() as uow:
        refused = [r for r in await uow.commands.list(limit=100) if (r.outcome or "").startswith("refused")]
    assert {r.actor for r in refused} >= {"viewer@example.com", "op4@example.com", "other@example.com"}
    assert op_user.id is not None
