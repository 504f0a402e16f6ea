"""Acceptance: a backup only when none is recent, and `app.rollback` (high risk, critical on several hosts:
a confirmation, no approval) on the real sshd fleet, through the API."""

from __future__ import annotations

import pwd
import uuid
from pathlib import Path

import pytest

from chatops_commander.domain.chat.deployments import DeploymentKind, DeploymentState
from chatops_commander.domain.roles import Role
from tests.e2e.chat.conftest import ChatWorld, events_of, new_conversation, say

pytestmark = pytest.mark.fleet


def runbook(backups: str) -> str:
    return f"""\
application: shop
environments:
  production: [web-01, web-02]
steps:
  - name: {{en: Database backup, fr: Sauvegarde de la base}}
    kind: backup
    run_on: first
    skip_if_recent: {{path: {backups}, pattern: "shop-*.sql", max_age_hours: 24}}
    script: 'mkdir -p {backups} && echo "dump before $1" > {backups}/shop-$1.sql'
  - name: {{en: Rolling update, fr: Mise à jour progressive}}
    kind: rolling
    script: 'echo "shop $1 on $2" > "$HOME/nginx/html/version.txt"'
    health_check: [["supervisorctl", "status", "nginx"]]
  - name: {{en: Smoke tests, fr: Tests de fumée}}
    kind: smoke
    script: 'if [ "$1" = v2.5.0 ]; then echo "API health: 500 on $2" >&2; exit 1; fi'
rollback:
  - name: {{en: Switch back, fr: Retour à la version}}
    kind: rolling
    script: 'echo "shop $1 on $2 (rollback)" > "$HOME/nginx/html/version.txt"'
    health_check: [["supervisorctl", "status", "nginx"]]
"""


def served_version(world: ChatWorld, host: str) -> str:
    home = Path(pwd.getpwnam(world.fleet.hosts[host].user).pw_dir)
    return (home / "nginx/html/version.txt").read_text()


async def test_backup_is_skipped_when_recent_and_rollback_returns_to_the_last_good_version(
    world: ChatWorld,
) -> None:
    backups = f"backups-{uuid.uuid4().hex[:8]}"
    (world.runbooks / "shop.yaml").write_text(runbook(backups))
    admin_user, admin = await world.user(Role.ADMIN, "lead@example.com")
    _, op = await world.user(Role.OPERATOR, "oncall@example.com", execute_on=("web-01", "web-02"))

    # An admin's deploy needs no approval, only the confirmation card of a high-risk action.
    conv_admin = await new_conversation(admin)
    asked = (await say(admin, conv_admin, "deploy v2.4.0 to production"))["message"]["content"]
    assert f"⚠️ No backup found in {backups} on web-01" in asked, asked
    card = events_of(await say(admin, conv_admin, "1"), "confirmation_required")[0]
    assert card["action"] == "app.deploy" and card["targets"] == ["web-01", "web-02"]
    first = (await say(admin, conv_admin, "confirm"))["message"]
    assert "✅ Deployment succeeded\nVersion: v2.4.0" in first["content"], first["content"]
    assert "• web-01: ✅" in first["content"] and "skipped" not in first["content"]
    assert f"• web-01: ✅ backup done (19 B)\n   Stored in: {backups}/shop-v2.4.0.sql" in first["content"]
    home = Path(pwd.getpwnam(world.fleet.hosts["web-01"].user).pw_dir)
    assert (home / backups / "shop-v2.4.0.sql").read_text() == "dump before v2.4.0\n"

    # The operator's deploy waits for the admin; the fresh dump makes the backup step skip; the smoke test fails.
    conv_op = await new_conversation(op)
    [req] = events_of(await say(op, conv_op, "déploie v2.5.0 en production"), "approval_required")
    decided = await admin.post(f"/api/v1/approvals/{req['approval_id']}/approve", json={"reason": "ok"})
    assert decided.status_code == 200, decided.text
    reply = decided.json()["reply"]["message"]["content"]
    assert (f"• web-01 : ⏭️ sauvegarde récente trouvée ({backups}/shop-v2.4.0.sql, moins de 24 h) : étape ignorée"
            in reply), reply
    assert not (home / backups / "shop-v2.5.0.sql").exists()
    assert "❌ L'étape 3/3 (Tests de fumée) a échoué sur web-01 : API health: 500 on web-01" in reply
    assert "2. Revenir à la version précédente" in reply
    assert served_version(world, "web-02") == "shop v2.5.0 on web-02\n"
    skipped = [e for e in decided.json()["reply"]["events"] if e.get("status") == "skipped"]
    assert [e["host"] for e in skipped] == ["web-01"] and skipped[0]["step"] == 1

    # "2" → a confirmation card for the rollback to v2.4.0 (no approval for a rollback), then it runs.
    card_turn = await say(op, conv_op, "2")
    [card] = events_of(card_turn, "confirmation_required")
    assert card["action"] == "app.rollback" and card["risk"] == "critical"  # high, raised for two hosts
    assert card["parameters"] == {"environment": "production", "version": "v2.4.0"}
    assert not events_of(card_turn, "approval_required")
    assert "Revenir à v2.4.0 sur web-01 et web-02" in card_turn["message"]["content"]
    assert served_version(world, "web-01") == "shop v2.5.0 on web-01\n"  # nothing ran before the confirmation

    done = (await say(op, conv_op, "Confirmer"))["message"]
    assert "⏪ Retour de shop à v2.4.0 sur web-01 et web-02" in done["content"]
    assert "📦 Étape 1/1 : Retour à la version" in done["content"]
    assert "✅ Retour arrière réussi\nVersion : v2.4.0" in done["content"], done["content"]
    for host in ("web-01", "web-02"):
        assert served_version(world, host) == f"shop v2.4.0 on {host} (rollback)\n"

    async with world.container.uow() as uow:
        history = await uow.deployments.history("shop", environment="production")
        rows = [r for r in await uow.commands.list(limit=200) if r.action == "app.rollback"]
    assert [(d.version, d.kind, d.state) for d in history] == [
        ("v2.4.0", DeploymentKind.ROLLBACK, DeploymentState.SUCCEEDED),
        ("v2.5.0", DeploymentKind.DEPLOY, DeploymentState.FAILED),
        ("v2.4.0", DeploymentKind.DEPLOY, DeploymentState.SUCCEEDED)]
    assert history[1].approved_by == "lead@example.com" and history[1].failed_step == 3
    assert history[2].requested_by == admin_user.email
    assert len(rows) == 4 and all(r.confirmed and r.outcome == "ok" for r in rows)  # 2 hosts × (switch + health)


async def test_rollback_without_a_known_previous_version_asks_which_one(world: ChatWorld) -> None:
    (world.runbooks / "shop.yaml").write_text(runbook(f"backups-{uuid.uuid4().hex[:8]}"))
    _, op = await world.user(Role.OPERATOR, "night@example.com", execute_on=("web-01", "web-02"))
    conv = await new_conversation(op)
    turn = await say(op, conv, "rollback production")
    assert not events_of(turn, "confirmation_required")
    assert "I don't know which version to go back to" in turn["message"]["content"]
    assert turn["message"]["metadata"]["error"] == "version_unknown"
    card = events_of(await say(op, conv, "roll back production to v2.3.1"), "confirmation_required")
    assert card and card[0]["parameters"]["version"] == "v2.3.1" and card[0]["targets"] == ["web-01", "web-02"]
