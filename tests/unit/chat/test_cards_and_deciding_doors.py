"""Cards say in plain words what was understood (EN/FR, text and metadata); an approval records the door it was
decided from; health replies say their figures were checked in this turn. In-process, on the shipped fakes."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from chatops_commander.domain.actions import ActionSpec, Intent, TargetScope
from chatops_commander.domain.chat.runbooks import parse_runbook
from chatops_commander.domain.execution import CommandPlan
from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.rules import Severity
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission, Role
from chatops_commander.services.actions import ActionRequest, Decided, Door
from chatops_commander.services.principal import AuthMethod
from chatops_commander.skills.base import Skill
from tests.unit.pipeline.test_seed_scenarios import RUNBOOK
from tests.unit.pipeline.world import World, events_of, shop_cache_flush, text_of


def world() -> World:
    w = World(packs=[shop_cache_flush()])
    w.host("web-01", services={"nginx": True}, tags=("web", "production"))
    w.host("web-02", services={"nginx": True}, tags=("web", "production"))
    return w


async def test_a_confirmation_card_says_what_was_understood_in_the_users_language() -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    turn = await w.say(admin, conv, "restart nginx on web-01 and web-02")
    assert events_of(turn, "confirmation_required")
    assert "I understood: restart nginx on web-01 and web-02" in text_of(turn)
    assert turn.message is not None
    assert turn.message.metadata["understood"] == "restart nginx on web-01 and web-02"
    assert turn.message.metadata["understood_i18n"]["fr"] == "redémarrer nginx sur web-01 et web-02"

    fr = w.user(Role.ADMIN, "admine@example.com", lang="fr")
    conv_fr = await w.conversation(fr)
    text = text_of(await w.say(fr, conv_fr, "redémarre nginx sur web-02"))
    assert "J'ai compris : redémarrer nginx sur web-02" in text, text


async def test_an_approval_card_says_what_was_understood_environment_and_version_included() -> None:
    w = world()
    w.add_runbook(parse_runbook(RUNBOOK))
    op = w.user(Role.OPERATOR, "deployer@example.com", execute_on=["web-01", "web-02"])
    conv = await w.conversation(op)
    asked = text_of(await w.say(op, conv, "deploy v2.5.0 to production"))  # the pre-checks ask about a backup
    assert "1. Back up the database, then deploy" in asked, asked
    turn = await w.say(op, conv, "1")
    assert events_of(turn, "approval_required")
    said = "deploy on web-01 and web-02 — environment production, version v2.5.0"
    assert "I understood: " + said in text_of(turn), text_of(turn)
    assert turn.message is not None and turn.message.metadata["understood"] == said
    assert turn.message.metadata["understood_i18n"]["fr"] == (
        "déployer sur web-01 et web-02 — environnement production, version v2.5.0")


async def test_a_pack_actions_card_says_it_by_the_packs_own_summary() -> None:
    w = world()
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    conv = await w.conversation(op)
    turn = await w.say(op, conv, "flush the shop cache on web-01")
    assert "I understood: flush the shop's cache on web-01" in text_of(turn), text_of(turn)


async def ask_flush(w: World) -> str:
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01"])
    conv = await w.conversation(op)
    [card] = events_of(await w.say(op, conv, "flush the shop cache on web-01"), "approval_required")
    return str(card["approval_id"])


async def test_an_approval_decided_from_mcp_records_that_door_in_the_audit_and_the_rows() -> None:
    w = world()
    approval_id = await ask_flush(w)
    admin = w.user(Role.ADMIN, "boss@example.com")
    _, reply = await w.chat.decide_approval(admin, approval_id, approve=True, reason=None, door=Door.MCP)
    assert reply is not None and reply.message is not None
    assert reply.message.metadata["approval"]["door"] == "mcp"
    [event] = w.audit("APPROVAL_APPROVED")
    assert event.details["door"] == "mcp" and event.details["approval_id"] == approval_id
    [row] = w.rows("shop.cache_flush")
    assert row.door == "mcp" and row.parsed_intent is not None and row.parsed_intent["decided_from"] == "mcp"


async def test_without_a_named_door_a_cookie_session_decides_from_web_and_a_bearer_from_rest() -> None:
    w = world()
    first = await ask_flush(w)
    web_admin = w.user(Role.ADMIN, "web@example.com")
    await w.chat.decide_approval(dataclasses.replace(web_admin, auth_method=AuthMethod.COOKIE), first,
                                 approve=False, reason="not now")
    [rejected] = w.audit("APPROVAL_REJECTED")
    assert rejected.details["door"] == "web"

    second = await ask_flush(w)
    rest_admin = w.user(Role.ADMIN, "rest@example.com")
    await w.chat.decide_approval(rest_admin, second, approve=True, reason=None)
    [approved] = w.audit("APPROVAL_APPROVED")
    assert approved.details["door"] == "rest"
    assert [r.door for r in w.rows("shop.cache_flush")] == ["rest"]


async def test_a_status_read_and_a_diagnosis_say_their_figures_were_checked_in_this_turn() -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com", lang="fr")
    conv = await w.conversation(admin)
    status = await w.say(admin, conv, "état de nginx sur web-01")
    assert "Vérifié à l'instant" in text_of(status), text_of(status)
    assert status.message is not None and "checked_at" in status.message.metadata
    diagnosis = text_of(await w.say(admin, conv, "le site est down, qu'est-ce qui se passe ?"))
    assert "🔍 Diagnostic (vérifié à l'instant) :" in diagnosis, diagnosis


async def test_health_checks_after_a_restart_say_they_were_just_run() -> None:
    w = world()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    [card] = events_of(await w.say(admin, conv, "restart nginx on web-01"), "confirmation_required")
    done = text_of(await w.say(admin, conv, "yes", confirmation_id=card["confirmation_id"],
                               action_hash=card["action_hash"]))
    assert "• Health checks: PASSED (checked just now)" in done, done


async def test_the_morning_check_says_how_old_an_open_alerts_figure_is() -> None:
    w = world()
    web = next(s for s in w.store.servers.values() if s.name == "web-02")
    assert web.id is not None
    w.store.alerts[web.id] = Alert("disk_usage", Severity.WARNING, "disk usage on web-02: 78%",
                                   "occupation disque sur web-02 : 78 %", "disk:web-02", server_id=web.id, id=web.id,
                                   created_at=w.clock.now() - timedelta(hours=3),
                                   updated_at=w.clock.now() - timedelta(minutes=2))
    admin = w.user(Role.ADMIN, "morning@example.com", lang="fr")
    conv = await w.conversation(admin)
    text = text_of(await w.say(admin, conv, "Bonjour, tout va bien ?"))
    assert "   - occupation disque sur web-02 : 78 % (il y a 2 min)" in text, text


async def test_a_pack_registers_its_own_query_handler_without_touching_the_engine() -> None:
    stock = ActionSpec(id="shop.stock", intent=Intent.QUERY, risk=Risk.LOW, permission=Permission.READ,
                       summary={"en": "The shop's stock", "fr": "Le stock de la boutique"}, scope=TargetScope.NONE)
    w = World(packs=[Skill(spec=stock, build=lambda params, platform: CommandPlan((("true",),), timeout_s=5))])
    w.host("web-01")
    asked: list[str] = []

    async def answer(decided: Decided) -> tuple[str, dict[str, object]]:
        turn = decided.request.context  # the chat door's turn travels with the request
        asked.append(turn.lang)
        return ("Stock : 12 articles" if turn.lang == "fr" else "Stock: 12 items"), {"stock": 12}

    w.chat.pipeline.handle("shop.stock", answer)
    viewer = w.user(Role.VIEWER, "viewer@example.com", lang="fr")
    conv = await w.conversation(viewer)
    reply = await w.chat.submit_from_door(viewer, conv, ActionRequest(viewer, "shop.stock", (), {}, Door.SLACK),
                                          said="stock ?", lang="fr")
    assert reply.message is not None and reply.message.content == "Stock : 12 articles"
    assert reply.message.metadata["stock"] == 12 and asked == ["fr"]
    assert w.fleet.sent("web-01") == []  # a handler, not a skill on hosts
