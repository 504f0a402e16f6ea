"""The seed's scenarios 1-3 ("Scénarios d'usage détaillés") in-process: the real chat engine, pipeline, catalog
and offline parser on the shipped fakes. The same scenarios run on real sshd hosts in tests/e2e/chat."""

from __future__ import annotations

import copy
import time
from datetime import timedelta

from chatops_commander.domain.chat.runbooks import parse_runbook
from chatops_commander.domain.execution import CommandPlan
from chatops_commander.domain.monitoring.alerts import Alert
from chatops_commander.domain.monitoring.rules import Severity
from chatops_commander.domain.monitoring.samples import Disk, HostMetrics, Memory, Sample, ServiceState
from chatops_commander.domain.roles import Role
from chatops_commander.domain.servers import Server
from chatops_commander.services.principal import Principal
from tests.unit.pipeline.world import World, events_of, text_of


def fleet() -> World:
    w = World()
    w.host("web-01", services={"nginx": True}, tags=("web", "production"))
    w.host("web-02", services={"nginx": True}, tags=("web", "production"))
    w.host("db-master", services={"postgresql": True}, tags=("db",))
    return w


async def test_scenario_1_morning_check_reports_hosts_services_and_the_disk_alert() -> None:
    w = fleet()
    db = next(s for s in w.store.servers.values() if s.name == "db-master")
    w.store.alerts[db.id] = Alert("disk_usage", Severity.WARNING, "disk usage on db-master: 78%",  # type: ignore[index]
                                  "occupation disque sur db-master : 78 %", "disk:db-master", server_id=db.id,
                                  id=db.id)
    admin = w.user(Role.ADMIN, "morning@example.com")
    conv = await w.conversation(admin)
    text = text_of(await w.say(admin, conv, "Bonjour, tout va bien ?"))
    assert text.startswith("Bonjour ! 👋\nÉtat de votre infrastructure :"), text
    assert "✅ 3/3 serveurs opérationnels" in text
    assert "✅ Tous les services critiques actifs (nginx, postgresql)" in text
    assert "⚠️ 1 alerte ouverte :" in text and "occupation disque sur db-master : 78 %" in text
    bye = text_of(await w.say(admin, conv, "Non merci, c'est tout"))
    assert bye == "Parfait ! Je reste disponible si besoin 🚀"
    assert all(host.services == dict.fromkeys(host.services, True) for host in w.fleet.hosts.values())
    # the next morning, the same conversation: the question is understood again ("bien" is no typo of "been")
    again = text_of(await w.say(admin, conv, "Bonjour, tout va bien ?"))
    assert again.startswith("Bonjour ! 👋\nÉtat de votre infrastructure :"), again


def sample(w: World, name: str, seconds_ago: float, *, services: dict[str, ServiceState],
           disk_percent: int = 40) -> None:
    """A sample the collector stored `seconds_ago` for server `name`."""
    server = next(s for s in w.store.servers.values() if s.name == name)
    metrics = HostMetrics(cpu_percent=12.0, memory=Memory(8_000_000, 3_200_000, 0, 0),
                          disks=(Disk("/", "/dev/sda1", 100_000, disk_percent * 1000, 100_000 - disk_percent * 1000),),
                          services=dict(services))
    w.store.samples.append(Sample(server.id, w.clock.now() - timedelta(seconds=seconds_ago), metrics))


async def test_scenario_1_yes_to_need_details_gives_the_details_in_french_and_in_english() -> None:
    w = fleet()
    db = next(s for s in w.store.servers.values() if s.name == "db-master")
    w.store.alerts[db.id] = Alert("disk_usage", Severity.WARNING, "disk usage on db-master: 78%",  # type: ignore[index]
                                  "occupation disque sur db-master : 78 %", "disk:db-master", server_id=db.id,
                                  id=db.id)
    sample(w, "db-master", 20, services={"postgresql": ServiceState.RUNNING}, disk_percent=78)
    admin = w.user(Role.ADMIN, "morning@example.com")
    conv = await w.conversation(admin)
    assert text_of(await w.say(admin, conv, "Bonjour, tout va bien ?")).endswith(
        "Besoin de détails ?\n1. Voir l'occupation des disques")
    sent = len(w.fleet.sent("web-01"))
    details = text_of(await w.say(admin, conv, "oui"))
    assert details.startswith("Détails par serveur :\n"), details
    assert "• db-master : joignable, postgresql ✅ actif (vérifié à l'instant)" in details
    assert "  📊 CPU 12 %, mémoire 40 %, disque 78 % (il y a 20 s)" in details
    assert "• web-01 : joignable, nginx ✅ actif (vérifié à l'instant)" in details
    assert "Alertes ouvertes :\n• occupation disque sur db-master : 78 %" in details
    assert details.endswith("Suite possible :\n1. Voir l'occupation des disques")
    assert len(w.fleet.sent("web-01")) == sent  # the details are what the check found: nothing re-run

    english = await w.conversation(admin)
    await w.say(admin, english, "Hello, is everything ok?")
    details = text_of(await w.say(admin, english, "yes"))
    assert details.startswith("Details per server:\n• db-master: reachable, postgresql ✅ running"), details
    assert "Open alerts:\n• disk usage on db-master: 78%" in details
    assert text_of(await w.say(admin, english, "No thanks, that's all")) == "Great! I'm here if you need me 🚀"


async def test_scenario_1_every_way_of_saying_yes_or_no_to_need_details() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "morning@example.com")
    for question, yes, no, details, bye in (
        ("Hello, is everything ok?", ("yes", "yes please", "sure", "yep", "ok"),
         ("no", "nope", "no thanks", "no, that's all", "No thanks, that's all!", "that's all thanks"),
         "Details per server:", "Great! I'm here if you need me 🚀"),
        ("Bonjour, tout va bien ?", ("oui", "ouais", "oui merci", "oui stp"),
         ("non", "non merci", "Non merci, c'est tout", "ça ira merci", "c'est tout"),
         "Détails par serveur :", "Parfait ! Je reste disponible si besoin 🚀"),
    ):
        for answer, expected in [*((a, details) for a in yes), *((a, bye) for a in no)]:
            conv = await w.conversation(admin)
            await w.say(admin, conv, question)
            got = text_of(await w.say(admin, conv, answer))
            assert got.splitlines()[0] == expected, (answer, got)


async def test_scenario_1_a_host_that_accepts_but_never_answers_does_not_hold_up_the_morning_check() -> None:
    w = fleet()
    w.live_check_s = 0.3
    w.fleet.hosts["web-02"].hangs = True  # TCP accepted, SSH never answers
    sample(w, "web-02", 40, services={"nginx": ServiceState.RUNNING})
    admin = w.user(Role.ADMIN, "morning@example.com")
    conv = await w.conversation(admin)
    started = time.monotonic()
    turn = await w.say(admin, conv, "Good morning, is everything ok?")
    assert time.monotonic() - started < 5 * w.live_check_s  # waited for the deadline, not for an SSH timeout
    text = text_of(turn)
    assert "⚠️ 2/3 servers up (checked just now)" in text, text
    assert ("   - web-02: no answer within 0.3 s (I did not wait longer)\n"
            "     last known state (monitoring, 40 s ago): nginx running") in text
    assert "   - web-02: CPU 12 %, memory 40 %, disk 40 % (40 s ago)" not in text  # 40 s > the 30 s interval
    assert "   - web-02: no recent figures (last sample 40 s ago, stale)" in text
    assert [e["status"] for e in events_of(turn, "progress") if e["host"] == "web-02"] == ["timed_out"]
    [meta] = [h for h in turn.message.metadata["hosts"] if h["name"] == "web-02"]  # type: ignore[union-attr]
    assert meta["timed_out_s"] == 0.3 and meta["stored_services"] == {"nginx": True} and meta["stored_age_s"] == 40
    fr = await w.conversation(admin)
    text = text_of(await w.say(admin, fr, "Bonjour, tout va bien ?"))
    assert ("   - web-02 : pas de réponse en 0,3 s (je n'ai pas attendu plus)\n"
            "     dernier état connu (supervision, il y a 40 s) : nginx actif") in text, text


async def test_scenario_2_site_down_diagnosis_choose_confirm_restart() -> None:
    w = fleet()
    w.site("web-01", "nginx")
    w.site("web-02", "nginx")
    w.fleet.hosts["web-01"].services["nginx"] = False
    w.fleet.hosts["web-01"].log_lines = (
        "2026/11/23 08:56:59 [notice] 41#41: start worker processes",
        "2026/11/23 08:57:01 [alert] 41#41: worker process 42 exited on signal 11 (core dumped)",
        "2026/11/23 08:57:02 [notice] 41#41: using the epoll event method")
    for ago, state in ((300, ServiceState.RUNNING), (240, ServiceState.RUNNING), (180, ServiceState.STOPPED),
                       (120, ServiceState.STOPPED), (60, ServiceState.STOPPED)):
        sample(w, "web-01", ago, services={"nginx": state})
    op = w.user(Role.OPERATOR, "op@example.com", execute_on=["web-01", "web-02"], lang="fr")
    conv = await w.conversation(op)
    diag = await w.say(op, conv, "Le site est down, qu'est-ce qui se passe ?")
    text = text_of(diag)
    assert "• nginx sur web-01 : ❌ ARRÊTÉ (stopped, depuis 3 min)" in text, text  # the samples saw it go down
    assert "• nginx sur web-02 : ✅ actif" in text
    assert "• HTTP web-01 (http://web-01.example/health) : ❌ connection refused" in text
    assert "• HTTP web-02 (http://web-02.example/health) : ✅ 200 (12 ms)" in text
    assert ("Cause probable : nginx est arrêté sur web-01 (web-02 prend le relais).\n"
            "Logs récents (nginx sur web-01) :\n"
            "   [2026/11/23 08:57:01 [alert] 41#41: worker process 42 exited on signal 11 (core dumped)]\n") in text
    assert text.endswith("Actions possibles :\n1. Redémarrer nginx sur web-01\n"
                         "2. Voir les logs complets de nginx sur web-01\n3. Vérifier nginx sur tous les serveurs\n\n"
                         "Répondez par un numéro.")
    assert diag.message is not None
    [web01] = [s for c in diag.message.metadata["diagnosis"]["checks"] for s in c["services"] if c["host"] == "web-01"]
    assert web01["down_for_s"] == 180 and web01["down_at_least"] is False

    card_turn = await w.say(op, conv, "1")
    [card] = events_of(card_turn, "confirmation_required")
    assert card["action"] == "service.restart" and card["targets"] == ["web-01"] and card["risk"] == "medium"
    assert text_of(card_turn).startswith("⚠️ Action critique\nRedémarrer nginx sur web-01 ?")
    # the diagnosis saw web-02 serve: the card says so in its risk line, as the seed's does
    assert "\nRisque : MOYEN (web-02 prend le relais)\n" in text_of(card_turn), text_of(card_turn)
    assert card["risk_note"] == "web-02 prend le relais"
    assert card_turn.message is not None
    assert card_turn.message.metadata["confirmation"]["risk_note_i18n"] == {"en": "web-02 takes over",
                                                                             "fr": "web-02 prend le relais"}
    assert not any("restart" in line for line in w.fleet.sent("web-01"))  # nothing ran before the "yes"

    done = text_of(await w.say(op, conv, "Confirmer"))
    assert "web-01 : ✅ J'ai redémarré nginx. Vérifié à l'instant : nginx tourne (pid 4242)" in done, done
    assert "• Tests de santé : PASSED (vérifié à l'instant)" in done and "• Site accessible : ✅ (web-01)" in done
    assert done.endswith("Suite possible :\n1. Montre les logs nginx de la dernière heure")
    assert w.fleet.hosts["web-01"].services["nginx"] is True
    assert not any("restart" in line for line in w.fleet.sent("web-02"))
    [row] = w.rows("service.restart")
    assert (row.server_name, row.confirmed, row.state, row.risk_level) == ("web-01", True, "succeeded", "medium")
    assert row.command == "supervisorctl restart nginx" and row.conversation_id == conv
    restarted = w.fleet.sent("web-01").index("supervisorctl restart nginx")
    after = w.fleet.sent("web-01")[restarted:]
    assert sum(line == "supervisorctl status nginx" for line in after) >= 3  # the verifier's samples, then health


async def test_scenario_2_without_samples_the_service_manager_says_since_when_and_in_english() -> None:
    w = fleet()
    w.fleet.hosts["web-01"].services["nginx"] = False
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    text = text_of(await w.say(admin, conv, "The site is down, what's going on?"))
    assert "• nginx on web-01: ❌ STOPPED (stopped, since Nov 23 09:00 AM, server time)" in text, text
    assert "Probable cause: nginx is stopped on web-01 (web-02 still serves)." in text
    assert "1. Restart nginx on web-01" in text


async def test_scenario_2_a_service_that_dies_again_is_not_reported_healthy() -> None:
    w = fleet()
    w.fleet.hosts["web-01"].services["nginx"] = False
    w.fleet.hosts["web-01"].fails_to_start.add("nginx")
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    turn = await w.say(admin, conv, "restart nginx on web-01")
    [card] = events_of(turn, "confirmation_required")
    assert card["risk_note"] == "" and "\nRisk: MEDIUM\n" in text_of(turn)  # asked directly: no diagnosis to tell
    done = text_of(await w.say(admin, conv, "yes", confirmation_id=card["confirmation_id"],
                               action_hash=card["action_hash"]))
    assert "❌ web-01: nginx is not running" in done and "is up" not in done, done
    assert "ne tourne pas" not in done  # the evidence is in the user's language only


RUNBOOK = {
    "application": "shop",
    "environments": {"production": ["web-01", "web-02"]},
    "steps": [
        {"name": {"en": "Pre-checks", "fr": "Pré-vérifications"}, "kind": "precheck",
         "commands": [["supervisorctl", "status", "nginx"]]},
        {"name": {"en": "Database backup", "fr": "Sauvegarde de la base"}, "kind": "backup", "run_on": "first",
         "script": 'dump-db "$1"'},
        {"name": {"en": "Rolling update", "fr": "Mise à jour progressive"}, "kind": "rolling",
         "script": 'install-shop "$1" && supervisorctl restart nginx',
         "health_check": [["supervisorctl", "status", "nginx"]]},
        {"name": {"en": "Smoke tests", "fr": "Tests de fumée"}, "kind": "smoke", "script": 'smoke-test "$2"'},
    ],
}


def with_a_recent_backup(w: World) -> None:
    """web-01's backup folder holds a dump of an hour ago (145 MB): the deploy's backup pre-check passes."""
    w.fleet.hosts["web-01"].responses[LISTING] = (
        0, f"{w.clock.now().timestamp() - 3600:.1f} 152043520 /backups/prod-db-2026-11-23.sql\n")


def shop_runbook(backups: str | None = "/backups") -> dict[str, object]:
    book = copy.deepcopy(RUNBOOK)
    if backups is not None:
        book["steps"][1]["skip_if_recent"] = {"path": backups, "pattern": "prod-db-*.sql",  # type: ignore[index]
                                              "max_age_hours": 24}
    return book


LISTING = "find /backups -maxdepth 1 -type f -name 'prod-db-*.sql' -printf"


async def test_scenario_3_precheck_dialogue_backup_then_approval_then_smoke_test_http_codes() -> None:
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook()))
    w.site("web-01", "nginx")
    w.site("web-02", "nginx")
    web01 = w.fleet.hosts["web-01"]
    three_days_ago = w.clock.now().timestamp() - 3 * 86400
    web01.responses[LISTING] = (0, f"{three_days_ago:.1f} 152043520 /backups/prod-db-2026-11-20.sql\n"
                                   f"{three_days_ago - 86400:.1f} 150000000 /backups/prod-db-2026-11-19.sql\n")
    web01.responses["sh -c 'smoke-test"] = (0, "Homepage: 200 OK (124 ms)\nAPI health: 200 OK (45 ms)\n")

    def dump(server: Server, plan: CommandPlan) -> None:  # the backup writes a new file where backups go
        if server.name == "web-01" and "dump-db" in plan.render():
            now = w.clock.now().timestamp()
            web01.responses[LISTING] = (0, f"{now:.1f} 153092096 /backups/prod-db-2026-11-23.sql\n"
                                           f"{three_days_ago:.1f} 152043520 /backups/prod-db-2026-11-20.sql\n")

    w.fleet.before_run = dump
    op = w.user(Role.OPERATOR, "deployer@example.com", execute_on=["web-01", "web-02"], lang="fr")
    admin = w.user(Role.ADMIN, "boss@example.com", lang="fr")
    conv = await w.conversation(op)
    text = text_of(await w.say(op, conv, "Déploie la v2.5.0 en production"))
    assert text == (
        "⚠️ Déploiement de shop v2.5.0 en production détecté\n\n"
        "Pré-vérifications :\n"
        "❔ Version actuelle : inconnue (aucun déploiement réussi de shop n'est enregistré ici)\n"
        "❔ Tests : je ne sais pas s'ils sont passés pour v2.5.0 (ChatOps Commander n'est relié à aucune CI) : "
        "vérifiez-le avant de continuer\n"
        "⚠️ Pas de sauvegarde récente (moins de 24 h) : la dernière est /backups/prod-db-2026-11-20.sql "
        "(145 MB, il y a 3 j)\n\n"
        "Recommandation : sauvegarder avant de déployer (étape « Sauvegarde de la base » sur web-01, dans /backups, "
        "environ 145 MB comme la dernière)\n\n"
        "Voulez-vous :\n"
        "1. Sauvegarder la base puis déployer\n"
        "2. Déployer v2.5.0 sans sauvegarde (risqué)\n"
        "3. Annuler"), text
    assert not w.store.approvals and all("dump-db" not in line for line in web01.sent)

    asked = await w.say(op, conv, "1")
    [req] = events_of(asked, "approval_required")
    assert req["action"] == "app.deploy" and req["targets"] == ["web-01", "web-02"]
    assert req["parameters"] == {"version": "v2.5.0", "environment": "production", "backup": "run"}
    assert "Sauvegarde : la base est sauvegardée avant le déploiement (votre choix)." in text_of(asked)
    assert all("dump-db" not in line for line in web01.sent)  # nothing runs before the 4-eyes approval

    _, reply = await w.chat.decide_approval(admin, req["approval_id"], approve=True, reason="ok")
    assert reply is not None and reply.message is not None
    done = reply.message.content
    assert ("📦 Étape 2/4 : Sauvegarde de la base\n• web-01 : ✅ sauvegarde terminée (146 MB)\n"
            "   Stockée dans : /backups/prod-db-2026-11-23.sql") in done, done
    assert "• web-01 : ✅ v2.5.0 (santé OK)" in done and "• web-02 : ✅ v2.5.0 (santé OK)" in done
    assert ("📦 Étape 4/4 : Tests de fumée\n• web-01 : ✅\n"
            "   Homepage: 200 OK (124 ms)\n   API health: 200 OK (45 ms)\n"
            "   • HTTP http://web-01.example/health : ✅ 200 (12 ms)\n"
            "• web-02 : ✅\n   • HTTP http://web-02.example/health : ✅ 200 (12 ms)") in done
    assert "✅ Déploiement réussi\nVersion : v2.5.0" in done
    [deployment] = w.store.deployments.values()
    assert (deployment.state.value, deployment.approved_by) == ("succeeded", "boss@example.com")

    # the next deploy (once the backup is old again) knows the version running now
    web01.responses[LISTING] = (0, f"{three_days_ago:.1f} 152043520 /backups/prod-db-2026-11-20.sql\n")
    again = text_of(await w.say(op, conv, "Déploie la v2.6.0 en production"))
    assert "✅ Version actuelle : v2.5.0 (déployée à l'instant par deployer@example.com)" in again, again


async def test_scenario_3_no_backup_chosen_then_approved_runs_step_by_step_and_stops_at_a_failing_smoke_test() -> None:
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook(backups=None)))
    w.fleet.hosts["web-01"].responses["sh -c 'smoke-test"] = (1, "API health: 404 on web-01\n")
    op = w.user(Role.OPERATOR, "deployer@example.com", execute_on=["web-01", "web-02"])
    admin = w.user(Role.ADMIN, "boss@example.com")
    conv = await w.conversation(op)
    text = text_of(await w.say(op, conv, "deploy v2.5.0 to production"))
    assert ("⚠️ Backup: I can't tell when the last one was made (the runbook does not say where backups go)"
            in text), text
    assert text.endswith("Do you want to:\n1. Back up the database, then deploy\n"
                         "2. Deploy v2.5.0 without a backup (risky)\n3. Cancel")
    [req] = events_of(await w.say(op, conv, "2"), "approval_required")
    assert req["action"] == "app.deploy" and req["targets"] == ["web-01", "web-02"]
    assert req["parameters"] == {"version": "v2.5.0", "environment": "production", "backup": "skip"}
    assert w.fleet.sent("web-01") == [] and w.fleet.sent("web-02") == []

    done, reply = await w.chat.decide_approval(admin, req["approval_id"], approve=True, reason="go")
    assert reply is not None and reply.message is not None
    text = reply.message.content
    for n, name in enumerate(["Pre-checks", "Database backup", "Rolling update", "Smoke tests"], 1):
        assert f"📦 Step {n}/4: {name}" in text, text
    assert "• web-01: ⏭️ no backup, as deployer@example.com chose: step skipped" in text
    assert "• web-01: ✅ v2.5.0 (health OK)" in text and "• web-02: ✅ v2.5.0 (health OK)" in text
    assert "   API health: 404 on web-01" in text  # the smoke test's own words, its HTTP code
    assert "❌ Step 4/4 (Smoke tests) failed on web-01: API health: 404 on web-01" in text
    assert "I stopped the deployment here" in text
    assert not any("dump-db" in line for h in ("web-01", "web-02") for line in w.fleet.sent(h))
    [deployment] = w.store.deployments.values()
    assert (deployment.state.value, deployment.failed_step, deployment.approved_by) == ("failed", 4, "boss@example.com")
    rows = w.rows("app.deploy")
    assert all(r.state in ("succeeded", "failed") and r.actor == "deployer@example.com" for r in rows)
    assert any(r.state == "failed" and (r.parsed_intent or {}).get("step") == "4/4" for r in rows)
    assert done.decided_by == "boss@example.com"


async def test_scenario_3_cancel_at_the_prechecks_deploys_nothing_and_asks_nobody() -> None:
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook()))
    op = w.user(Role.OPERATOR, "deployer@example.com", execute_on=["web-01", "web-02"])
    conv = await w.conversation(op)
    text = text_of(await w.say(op, conv, "deploy v2.5.0 to production"))
    assert "⚠️ No backup found in /backups on web-01" in text, text
    assert text_of(await w.say(op, conv, "3")) == "Cancelled: nothing was deployed."
    assert not w.store.approvals and not w.store.deployments
    assert w.fleet.sent("web-01") == [LISTING + " '%T@ %s %p\\n'"]  # the pre-checks only listed the backups
    [row] = w.rows("app.deploy")
    assert row.state == "succeeded" and (row.parsed_intent or {}).get("check") == "backups"


async def test_scenario_3_a_recent_backup_means_no_question_the_deploy_goes_to_approval() -> None:
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook()))
    with_a_recent_backup(w)
    op = w.user(Role.OPERATOR, "deployer@example.com", execute_on=["web-01", "web-02"])
    conv = await w.conversation(op)
    turn = await w.say(op, conv, "deploy v2.5.0 to production")
    [req] = events_of(turn, "approval_required")
    assert req["parameters"] == {"version": "v2.5.0", "environment": "production"}
    text = text_of(turn)
    assert text.startswith("⚠️ Deploying shop v2.5.0 to production\n\nPre-checks:\n❔ Current version: unknown"), text
    assert ("✅ Recent backup (under 24 h): /backups/prod-db-2026-11-23.sql (145 MB, 1 h ago) — the step "
            "\"Database backup\" will be skipped\n\n⏳ Deploy v2.5.0 on web-01 and web-02: in production this action "
            "needs an admin's approval (4-eyes).") in text, text


async def test_a_runbook_without_backup_step_still_says_the_version_running_and_the_tests_above_the_card() -> None:
    w = fleet()
    book = copy.deepcopy(RUNBOOK)
    book["steps"] = [step for step in book["steps"] if step["kind"] != "backup"]  # type: ignore[attr-defined]
    w.add_runbook(parse_runbook(book))
    admin = w.user(Role.ADMIN, "lead@example.com", lang="fr")
    conv = await w.conversation(admin)
    turn = await w.say(admin, conv, "déploie la v2.5.0 en production")
    assert events_of(turn, "confirmation_required")  # an admin's deploy: a card, no approval
    text = text_of(turn)
    assert text.startswith("⚠️ Déploiement de shop v2.5.0 en production détecté\n\nPré-vérifications :\n"), text
    assert "❔ Tests : je ne sais pas s'ils sont passés pour v2.5.0" in text and "Sauvegarde" not in text
    assert turn.message is not None and turn.message.metadata["precheck"]["backup"] is None


async def test_a_viewer_asking_for_a_deploy_is_refused_before_any_precheck() -> None:
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook()))
    viewer = w.user(Role.VIEWER, "viewer@example.com")
    conv = await w.conversation(viewer)
    text = text_of(await w.say(viewer, conv, "deploy v2.5.0 to production"))
    assert text.startswith("I can't do that for you"), text
    assert w.fleet.sent("web-01") == []


async def test_a_server_removed_between_the_card_and_the_yes_is_refused_and_nothing_runs() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    [card] = events_of(await w.say(admin, conv, "restart nginx on web-01"), "confirmation_required")
    web01 = next(s for s in w.store.servers.values() if s.name == "web-01")
    del w.store.servers[web01.id]  # type: ignore[arg-type]
    reply = await w.say(admin, conv, "yes", confirmation_id=card["confirmation_id"], action_hash=card["action_hash"])
    assert text_of(reply) == "Unknown server(s): web-01."
    assert not any("restart" in line for line in w.fleet.sent("web-01")) and not w.rows("service.restart")


async def test_a_confirmation_from_another_conversation_is_refused_and_recorded() -> None:
    w = fleet()
    admin = w.user(Role.ADMIN, "admin@example.com")
    first, second = await w.conversation(admin), await w.conversation(admin)
    [card] = events_of(await w.say(admin, first, "restart nginx on web-01"), "confirmation_required")
    reply = await w.say(admin, second, "yes", confirmation_id=card["confirmation_id"],
                        action_hash=card["action_hash"])
    assert text_of(reply) == ("I can't do that for you: This confirmation belongs to another conversation. "
                              "I ran nothing.")
    assert not any("restart" in line for line in w.fleet.sent("web-01"))
    [row] = w.rows("service.restart")
    assert row.state == "refused" and (row.outcome or "").startswith("refused:")


async def test_fleet_health_in_english_names_unreachable_hosts_and_stopped_services_and_offers_to_start_one() -> None:
    w = fleet()
    w.fleet.hosts["web-02"].reachable = False
    w.fleet.hosts["db-master"].services["postgresql"] = False
    admin = w.user(Role.ADMIN, "admin@example.com")
    conv = await w.conversation(admin)
    turn = await w.say(admin, conv, "Hello, is everything ok?")
    text = text_of(turn)
    assert text.startswith("Hello! 👋\nState of your infrastructure:\n\n⚠️ 2/3 servers up (checked just now)\n"), text
    assert "   - web-02: unreachable (connection refused)" in text
    assert "❌ Stopped services:\n   - postgresql on db-master" in text and "✅ No open alert" in text
    assert text.endswith("Need details?\n1. Start postgresql on db-master\n2. Show disk usage")
    [result] = events_of(turn, "result")
    assert result["ok"] is False and result["summary"] == "✅ No open alert"
    await w.say(admin, conv, "disk usage on web-01")
    assert text_of(await w.say(admin, conv, "show my history")) == (
        "1 command(s) (by me), newest first:\n"
        "- 2026-11-23 09:00 UTC — admin@example.com: server.disk on web-01 → ✅ succeeded")
    assert text_of(await w.say(admin, conv, "list open alerts")) == "✅ No open alert."


async def test_a_fleet_question_covers_the_servers_a_user_may_read_and_counts_the_others() -> None:
    w = fleet()
    viewer = w.user(Role.VIEWER, "viewer@example.com", read_on=["web-01"], lang="fr")
    conv = await w.conversation(viewer)
    text = text_of(await w.say(viewer, conv, "Bonjour, tout va bien ?"))
    assert "✅ 1/1 serveurs opérationnels" in text, text
    assert "(2 autres serveurs non couverts : vous n'avez pas le droit de les lire)" in text
    assert "db-master" not in text and "web-02" not in text  # counted, never named
    assert w.fleet.sent("db-master") == [] and w.fleet.sent("web-02") == []


async def test_a_server_the_user_may_not_read_does_not_exist_for_them_in_the_chat() -> None:
    w = fleet()
    viewer = w.user(Role.VIEWER, "viewer@example.com", read_on=["web-01"])
    conv = await w.conversation(viewer)
    hidden = text_of(await w.say(viewer, conv, "disk usage on db-master"))
    unknown = text_of(await w.say(viewer, conv, "disk usage on zz-nowhere"))
    assert "db-master" in hidden  # the user's own word echoed back, as for any unknown name
    assert "web-02" not in hidden  # no hidden server suggested
    assert hidden.replace("db-master", "X") == unknown.replace("zz-nowhere", "X")  # same answer as a missing one
    assert w.fleet.sent("db-master") == []


async def test_the_prechecks_take_no_rate_limit_token_the_deploy_request_takes_one() -> None:
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook()))
    op = w.user(Role.OPERATOR, "deployer@example.com", execute_on=["web-01", "web-02"])
    counted: list[str] = []

    async def hook(principal: Principal) -> None:
        counted.append(principal.actor)

    w.chat.pipeline.rate_hook = hook
    conv = await w.conversation(op)
    await w.say(op, conv, "deploy v2.5.0 to production")
    assert counted == []
    assert events_of(await w.say(op, conv, "1"), "approval_required")
    assert counted == ["deployer@example.com"]


async def test_a_backup_listing_that_fails_is_said_never_taken_for_no_backup() -> None:
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook()))
    w.fleet.hosts["web-01"].responses[LISTING] = (1, "")  # e.g. a find without -printf (busybox)
    op = w.user(Role.OPERATOR, "deployer@example.com", execute_on=["web-01", "web-02"])
    conv = await w.conversation(op)
    text = text_of(await w.say(op, conv, "deploy v2.5.0 to production"))
    assert "⚠️ Backup: I could not list /backups on web-01 (" in text, text
    assert "No backup found" not in text and "1. Back up the database, then deploy" in text


async def test_the_seeds_own_deploy_sentence_is_answered_in_french() -> None:
    """"Deploy la v2.5.0 sur production" (the seed's words: an English verb in a French sentence, as French
    sysadmins say it) is answered in French; the same request in English is answered in English."""
    w = fleet()
    w.add_runbook(parse_runbook(shop_runbook()))
    for lang, said, expected in (("fr", "Deploy la v2.5.0 sur production",
                                  "⚠️ Déploiement de shop v2.5.0 en production détecté"),
                                 ("en", "deploy v2.5.0 to production", "⚠️ Deploying shop v2.5.0 to production")):
        user = w.user(Role.OPERATOR, f"deployer-{lang}@example.com", execute_on=["web-01", "web-02"], lang=lang)
        conv = await w.conversation(user)
        text = text_of(await w.say(user, conv, said))
        assert text.startswith(expected), text
