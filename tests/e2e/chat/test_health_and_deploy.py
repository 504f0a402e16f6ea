"""Acceptance: scenario 1 (morning check with a real disk alert) and scenario 3 (deploy with 4-eyes approval)."""

from __future__ import annotations

import contextlib
import os
import pwd
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatops_commander.domain.monitoring.rules import rules_from_document
from chatops_commander.domain.roles import Role
from chatops_commander.domain.security.audit_events import AuditAction
from chatops_commander.services import audit, monitoring
from chatops_commander.services.kit import SystemClock
from tests.e2e.chat.conftest import ChatWorld, events_of, new_conversation, say

pytestmark = pytest.mark.fleet


@pytest.fixture
def full_disk() -> Iterator[Path]:
    """A 4 MiB tmpfs filled to ~90 %."""
    mount = Path(f"/tmp/chatops-chat-{uuid.uuid4().hex[:8]}")
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs", str(mount)], check=True)
    try:
        (mount / "fill.bin").write_bytes(os.urandom(int(3.6 * 1024 * 1024)))
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
        with contextlib.suppress(OSError):
            mount.rmdir()


async def test_scenario_1_morning_check_reports_hosts_services_and_the_disk_alert(
    world: ChatWorld, full_disk: Path,
) -> None:
    rules = rules_from_document({"rules": [{"id": "disk_usage", "kind": "disk_usage",
                                            "thresholds": {"warning": 80, "critical": 95},
                                            "mounts": [str(full_disk)]}]})
    async with world.container.uow() as uow:
        db = await uow.servers.get_by_name("db-master")
    assert db is not None
    collector = monitoring.Collector(world.container.uow, world.container.fanout.executor, rules,
                                     clock=SystemClock())
    obs = await collector.collect(db)
    assert obs.reachable

    _, admin = await world.user(Role.ADMIN, "morning@example.com")
    conv = await new_conversation(admin)
    turn = await say(admin, conv, "Bonjour, tout va bien ?")
    text = turn["message"]["content"]
    assert text.startswith("Bonjour ! 👋\nÉtat de votre infrastructure :"), text
    assert "✅ 3/3 serveurs opérationnels" in text
    assert "✅ Tous les services critiques actifs (nginx, postgresql)" in text
    assert "⚠️ 1 alerte ouverte :" in text and "db-master" in text and str(full_disk) in text
    meta = turn["message"]["metadata"]
    assert meta["hosts_up"] == 3 and meta["hosts_total"] == 3 and meta["alerts"][0]["server"] == "db-master"

    details = (await say(admin, conv, "oui"))["message"]["content"]  # "Besoin de détails ?" — "oui"
    assert details.startswith("Détails par serveur :\n"), details
    assert "• db-master : joignable, postgresql ✅ actif (vérifié à l'instant)" in details
    assert "• web-01 : joignable, nginx ✅ actif (vérifié à l'instant)" in details
    assert "  📊 " in details and "Alertes ouvertes :\n• " in details and str(full_disk) in details

    bye = await say(admin, conv, "Non merci, c'est tout")
    assert bye["message"]["content"] == "Parfait ! Je reste disponible si besoin 🚀"
    listed = (await admin.get("/api/v1/conversations")).json()
    assert [c["title"] for c in listed] == ["Bonjour, tout va bien ?"]


RUNBOOK = """\
application: shop
environments:
  production: [web-01, web-02]
steps:
  - name: {en: Pre-checks, fr: Pré-vérifications}
    kind: precheck
    commands: [["supervisorctl", "status", "nginx"]]
  - name: {en: Database backup, fr: Sauvegarde de la base}
    kind: backup
    run_on: first
    script: 'mkdir -p "$HOME/backups" && echo "dump before $1" > "$HOME/backups/shop-$1.sql"'
  - name: {en: Rolling update, fr: Mise à jour progressive}
    kind: rolling
    script: 'echo "shop $1 on $2" > "$HOME/nginx/html/version.txt" && supervisorctl restart nginx'
    health_check: [["supervisorctl", "status", "nginx"]]
  - name: {en: Smoke tests, fr: Tests de fumée}
    kind: smoke
    script: 'if [ -f "$HOME/nginx/html/api/health" ]; then echo ok; else echo "API health: 404 on $2" >&2; exit 1; fi'
"""


async def test_scenario_3_deploy_waits_for_approval_then_runs_step_by_step_and_stops_at_the_failing_smoke_test(
    world: ChatWorld,
) -> None:
    (world.runbooks / "shop.yaml").write_text(RUNBOOK)
    op_user, op = await world.user(Role.OPERATOR, "deployer@example.com", execute_on=("web-01", "web-02"))
    _, admin = await world.user(Role.ADMIN, "boss@example.com")
    conv = await new_conversation(op)
    asked = (await say(op, conv, "deploy v2.5.0 to production"))["message"]["content"]
    assert "❔ Current version: unknown" in asked and "❔ Tests: I can't tell whether v2.5.0 passed them" in asked
    assert asked.endswith("1. Back up the database, then deploy\n2. Deploy v2.5.0 without a backup (risky)\n"
                          "3. Cancel"), asked
    turn = await say(op, conv, "1")
    [req] = events_of(turn, "approval_required")
    assert req["action"] == "app.deploy" and req["targets"] == ["web-01", "web-02"]
    assert req["parameters"] == {"version": "v2.5.0", "environment": "production", "backup": "run"}
    assert "admin's approval" in turn["message"]["content"]
    for h in ("web-01", "web-02"):
        assert "v2.5.0" not in (world.fleet.http_get(h) or "")  # nothing ran yet

    self_approve = await op.post(f"/api/v1/approvals/{req['approval_id']}/approve", json={})
    assert self_approve.status_code == 403
    pending = (await admin.get("/api/v1/approvals", params={"state": "requested"})).json()
    assert [a["id"] for a in pending] == [req["approval_id"]]

    decided = await admin.post(f"/api/v1/approvals/{req['approval_id']}/approve", json={"reason": "go"})
    assert decided.status_code == 200, decided.text
    body = decided.json()
    assert body["approval"]["state"] == "approved" and body["approval"]["decided_by"] == "boss@example.com"
    reply = body["reply"]["message"]["content"]
    assert "✅ boss@example.com approved" in reply
    for n, name in enumerate(["Pre-checks", "Database backup", "Rolling update", "Smoke tests"], 1):
        assert f"📦 Step {n}/4: {name}" in reply, reply
    assert "• web-01: ✅ v2.5.0 (health OK)" in reply and "• web-02: ✅ v2.5.0 (health OK)" in reply
    assert "❌ Step 4/4 (Smoke tests) failed on web-01: API health: 404 on web-01" in reply
    site = f"http://127.0.0.1:{world.fleet.hosts['web-01'].http_port}/"
    assert f"   • HTTP {site}: ✅ 200 (" in reply  # the smoke step's HTTP check of the site, from here
    assert "I stopped the deployment here" in reply and "succeeded" not in reply
    steps = [e for e in body["reply"]["events"] if e["type"] == "progress" and e["status"] == "step_started"]
    assert [e["step"] for e in steps] == [1, 2, 3, 4]
    for h in ("web-01", "web-02"):
        served = world.fleet.http_get(h) or ""
        assert "hello from" in served
        home = Path(pwd.getpwnam(world.fleet.hosts[h].user).pw_dir)
        assert (home / "nginx/html/version.txt").read_text() == f"shop v2.5.0 on {h}\n"
    backups = Path(pwd.getpwnam(world.fleet.hosts["web-01"].user).pw_dir) / "backups/shop-v2.5.0.sql"
    assert backups.read_text() == "dump before v2.5.0\n"

    history = (await op.get(f"/api/v1/conversations/{conv}/messages")).json()
    assert history[-1]["content"] == reply and history[-1]["role"] == "assistant"
    names = [e.action for e in await audit.events(world.container.uow)]
    assert AuditAction.APPROVAL_REQUESTED in names and AuditAction.APPROVAL_APPROVED in names
    async with world.container.uow() as uow:
        rows = [r for r in await uow.commands.list(user_id=op_user.id, limit=100) if r.action == "app.deploy"]
    assert any(r.outcome == "failed" and (r.parsed_intent or {}).get("step") == "4/4" for r in rows)
    assert all(r.confirmed for r in rows)
