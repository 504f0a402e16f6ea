"""History questions and the age of health figures, on the real storage (SQLite; PostgreSQL in CI) with the
real chat service: `history.list` is a query handler of the pipeline, answered from the `commands` rows with
who may see what; fleet health says its states were checked in this turn and how old each sample is.
No sshd needed: the history touches no host, the fleet check runs on `localhost` (the local executor)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from chatops_commander import bootstrap
from chatops_commander.config import Settings
from chatops_commander.domain.chat.approvals import Approval
from chatops_commander.domain.chat.records import CommandRecord
from chatops_commander.domain.errors import DomainError
from chatops_commander.domain.monitoring.samples import Disk, HostMetrics, Memory, Sample
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.authorization import ServerPermission
from chatops_commander.domain.servers import Server
from chatops_commander.services import servers as server_service
from chatops_commander.services import users as user_service
from chatops_commander.services.actions import ActionRequest, Door
from chatops_commander.services.chat import ChatService
from chatops_commander.services.principal import AuthMethod, Principal
from tests.conftest import make_settings
from tests.e2e.conftest import CHEAP_ARGON2, TEST_CLI, add_user

NOW = datetime.now(UTC)
TODAY = NOW.replace(hour=0, minute=0, second=0, microsecond=0)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:  # no sshd fleet: the chat package's default needs one
    return make_settings(tmp_path, database_url, **CHEAP_ARGON2)


async def person(container: bootstrap.Container, email: str, role: Role, *, reads: tuple[str, ...] = (),
                 lang: str = "en") -> Principal:
    user = await add_user(container, email, role)
    assert user.id is not None
    for name in reads:
        await user_service.set_permission(container.uow, TEST_CLI, user.id, name,
                                          ServerPermission(can_read=True, can_execute=False))
    return Principal(user_id=user.id, email=email, role=role, auth_method=AuthMethod.PASSWORD, language=lang)


async def ask(chat: ChatService, who: Principal, params: Mapping[str, Any], *, lang: str = "en",
              targets: tuple[str, ...] = ()) -> tuple[str, dict[str, Any]]:
    conv = await chat.create_conversation(who)
    assert conv.id is not None
    request = ActionRequest(who, "history.list", targets, dict(params), Door.REST, text="history")
    reply = await chat.submit_from_door(who, conv.id, request, said="history?", lang=lang)
    assert reply.message is not None
    return reply.message.content, dict(reply.message.metadata)


async def history_world(container: bootstrap.Container) -> dict[str, Principal]:
    async with container.uow() as uow:
        web1 = await uow.servers.add(Server("web-01", "web-01", "192.0.2.11", tags=("web",), services=("nginx",)))
        web2 = await uow.servers.add(Server("web-02", "web-02", "192.0.2.12", tags=("web",), services=("nginx",)))
        await uow.commit()
    people = {
        "admin": await person(container, "boss@example.com", Role.ADMIN),
        "alice": await person(container, "alice@example.com", Role.OPERATOR, reads=("web-01", "web-02")),
        "bob": await person(container, "bob@example.com", Role.OPERATOR, reads=("web-01", "web-02")),
        "vic": await person(container, "vic@example.com", Role.VIEWER, reads=("web-01",), lang="fr"),
    }

    def row(who: str, action: str, server: Server | None, at: datetime, outcome: str, *,
            service: str | None = "nginx", approved_by: str | None = None) -> CommandRecord:
        p = people[who]
        intent: dict[str, Any] = {"action": action, "service": service, "parameters": {}}
        if approved_by:
            intent["approved_by"] = approved_by
        return CommandRecord(f"systemctl {action.split('.')[-1]} {service or ''}".strip(), action, p.email,
                             user_id=p.user_id, server_id=server.id if server else None,
                             server_name=server.name if server else None, parsed_intent=intent, outcome=outcome,
                             risk_level="medium", confirmed=True, executed_at=at, duration_ms=900,
                             state="succeeded" if outcome == "ok" else "failed", door="web")

    async with container.uow() as uow:
        for record in (
            row("alice", "service.restart", web1, max(TODAY, NOW - timedelta(minutes=50)), "ok"),
            row("bob", "service.restart", web2, max(TODAY, NOW - timedelta(minutes=40)), "failed",
                approved_by="boss@example.com"),
            row("alice", "service.status", web1, TODAY - timedelta(hours=3), "ok"),
            row("alice", "service.restart", web1, TODAY - timedelta(days=3), "ok"),
            row("vic", "service.restart", None, max(TODAY, NOW - timedelta(minutes=30)), "refused:viewer"),
        ):
            await uow.commands.add(record)
        await uow.commit()
    return people


async def test_who_restarted_nginx_today_names_who_what_where_when_and_the_outcome(
    container: bootstrap.Container,
) -> None:
    people = await history_world(container)
    chat = bootstrap.build_chat_service(container)
    text, meta = await ask(chat, people["admin"], {"action": "restart", "service": "nginx", "since": "today"})
    assert text.startswith("3 command(s) (action restart, service nginx, today), newest first:"), text
    assert "vic@example.com: Restart nginx → ⛔ refused" in text
    assert "bob@example.com: Restart nginx on web-02 (approved by boss@example.com) → ❌ failed" in text
    assert "alice@example.com: Restart nginx on web-01 → ✅ succeeded" in text
    assert " UTC — " in text and "service.status" not in text  # when; and only restarts
    assert [h["who"] for h in meta["history"]] == ["vic@example.com", "bob@example.com", "alice@example.com"]
    assert meta["filters"] == {"action": "restart", "service": "nginx", "host": None, "since": "today",
                               "user": None}


async def test_a_viewer_sees_only_the_servers_they_may_read_and_is_answered_in_french(
    container: bootstrap.Container,
) -> None:
    people = await history_world(container)
    chat = bootstrap.build_chat_service(container)
    text, meta = await ask(chat, people["vic"], {"action": "service.restart", "since": "24h"}, lang="fr")
    assert text.startswith("2 commande(s) (action service.restart, depuis 24h), la plus récente d'abord :"), text
    assert "web-02" not in text and "bob@example.com" not in text  # a hidden server: neither shown nor counted
    assert "alice@example.com : Redémarrer nginx sur web-01 → ✅ réussi" in text
    assert "vic@example.com : Redémarrer nginx → ⛔ refusé" in text  # their own refusal, on no server
    assert meta["count"] == 2


async def test_what_ran_on_a_host_yesterday_and_ones_own_commands(container: bootstrap.Container) -> None:
    people = await history_world(container)
    chat = bootstrap.build_chat_service(container)
    text, _ = await ask(chat, people["bob"], {"host": "web-01", "since": "yesterday"}, lang="fr")
    assert text.startswith("1 commande(s) (sur web-01, hier)"), text
    assert "alice@example.com : service.status sur web-01 → ✅ réussi" in text
    text, meta = await ask(chat, people["alice"], {"user": "me", "since": "7d"})
    assert [(h["action"], h["server"]) for h in meta["history"]] == [
        ("service.restart", "web-01"), ("service.status", "web-01"), ("service.restart", "web-01")], text
    text, _ = await ask(chat, people["alice"], {"user": "bob", "action": "deploy"})
    assert text == "I found no command (action deploy, by bob) among those you may see."


async def test_a_time_window_it_cannot_read_is_a_clear_refusal_in_both_languages(
    container: bootstrap.Container,
) -> None:
    people = await history_world(container)
    chat = bootstrap.build_chat_service(container)
    with pytest.raises(DomainError) as caught:
        await ask(chat, people["admin"], {"since": "last blue moon"})
    assert caught.value.localized("en").startswith("I don't understand the time window 'last blue moon': say")
    assert caught.value.localized("fr").startswith("Je ne comprends pas la période 'last blue moon' : dites")


async def test_approvals_decided_in_the_window_come_from_the_audit_trail_with_who_decided_and_why(
    container: bootstrap.Container,
) -> None:
    people = await history_world(container)
    chat = bootstrap.build_chat_service(container)
    alice = people["alice"]
    conv = await chat.create_conversation(alice)
    async with container.uow() as uow:
        approval = Approval.request(requester_id=str(alice.user_id), requester=alice.email,
                                    conversation_id=str(conv.id), action="service.stop", targets=["web-02"],
                                    service="nginx", parameters={}, risk=Risk.HIGH, now=datetime.now(UTC))
        await uow.approvals.add(approval)
        await uow.commit()
    await chat.decide_approval(people["admin"], approval.id, approve=False, reason="not during the sale",
                               door=Door.SLACK)

    text, meta = await ask(chat, people["admin"], {"since": "1h"})
    assert ("boss@example.com rejected alice@example.com's request: Stop nginx on web-02 "
            "(reason: not during the sale)") in text, text
    [decision] = [h for h in meta["history"] if h["kind"] == "decision"]
    assert (decision["outcome"], decision["door"], decision["servers"]) == ("rejected", "slack", ["web-02"])
    text, _ = await ask(chat, alice, {"user": "me", "since": "today"}, lang="fr")
    assert "boss@example.com a rejeté la demande de alice@example.com : Arrêter nginx sur web-02" in text, text
    text, _ = await ask(chat, people["vic"], {"since": "1h"}, lang="fr")  # may not read web-02
    assert "a rejeté" not in text and "web-02" not in text, text


def metrics(cpu: float) -> HostMetrics:
    return HostMetrics(cpu_percent=cpu, memory=Memory(total_kb=1000, used_kb=400, swap_total_kb=0, swap_used_kb=0),
                       disks=(Disk("/", "/dev/sda1", total_kb=1000, used_kb=780, available_kb=220),))


async def sample(container: bootstrap.Container, age: timedelta, cpu: float) -> UUID:
    await server_service.ensure_localhost(container.uow, ssh_user=bootstrap.os_user())  # also on PostgreSQL
    async with container.uow() as uow:
        localhost = await uow.servers.get_by_name("localhost")
        assert localhost is not None and localhost.id is not None
        await uow.samples.add(Sample(localhost.id, datetime.now(UTC) - age, metrics(cpu)))
        await uow.commit()
    return localhost.id


async def test_fleet_health_says_its_checks_are_fresh_and_how_old_each_sample_is(
    container: bootstrap.Container,
) -> None:
    admin = await person(container, "boss@example.com", Role.ADMIN, lang="fr")
    chat = bootstrap.build_chat_service(container)
    await sample(container, timedelta(seconds=20), 12.0)
    conv = await chat.create_conversation(admin)
    assert conv.id is not None
    reply = await chat.handle_message(admin, conv.id, "Bonjour, tout va bien ?")
    assert reply.message is not None
    text, meta = reply.message.content, reply.message.metadata
    assert "✅ 1/1 serveurs opérationnels (vérifié à l'instant)" in text, text
    assert "📊 Dernières mesures de la supervision :" in text
    assert "   - localhost : CPU 12 %, mémoire 40 %, disque 78 % (il y a 2" in text, text  # 20 s (slow CI: 2x s)
    [figure] = meta["figures"]
    assert figure["fresh"] is True and figure["cpu_percent"] == 12.0 and 15 <= figure["age_s"] <= 60


async def test_a_sample_older_than_the_collection_interval_is_said_to_be_stale_not_shown_as_current(
    container: bootstrap.Container,
) -> None:
    admin = await person(container, "boss@example.com", Role.ADMIN)
    chat = bootstrap.build_chat_service(container)
    await sample(container, timedelta(hours=2), 97.0)
    conv = await chat.create_conversation(admin)
    assert conv.id is not None
    reply = await chat.handle_message(admin, conv.id, "is everything ok?")
    assert reply.message is not None
    text = reply.message.content
    assert "   - localhost: no recent figures (last sample 2 h ago, stale)" in text, text
    assert "97 %" not in text and "servers up (checked just now)" in text


async def test_history_questions_typed_in_the_chat_are_answered_from_the_history(
    container: bootstrap.Container,
) -> None:
    """The parser's reading (action, service, host, since/until, user) reaches the history handler end to end."""
    people = await history_world(container)
    chat = bootstrap.build_chat_service(container)
    conv = await chat.create_conversation(people["admin"])
    assert conv.id is not None
    reply = await chat.handle_message(people["admin"], conv.id, "who restarted nginx today?")
    assert reply.message is not None
    text = reply.message.content
    assert "bob@example.com: Restart nginx on web-02" in text and "alice@example.com: Restart nginx on web-01" in text
    assert "service.status" not in text, text
    reply = await chat.handle_message(people["admin"], conv.id, "qu'est-ce qui a été lancé sur web-01 hier ?")
    assert reply.message is not None
    meta = dict(reply.message.metadata)
    assert meta["filters"]["host"] == "web-01", meta
    assert meta["history"] and {h["server"] for h in meta["history"]} == {"web-01"}, meta
