"""Maintenance actions: process.kill, disk.cleanup, db.backup, server.reboot."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chatops_commander.domain.execution import CommandPlan
from chatops_commander.skills.base import NoParams, Params, Platform, ServiceManager
from chatops_commander.skills.params import Pid

BACKUP_DIR = "/var/backups/chatops-commander"


class KillParams(Params):
    pid: Pid


def build_kill(p: KillParams, platform: Platform) -> CommandPlan:
    # `env` runs the kill program, not the shell builtin (dash's builtin rejects `--`, differs by shell).
    return CommandPlan((("env", "kill", "-s", "TERM", str(p.pid)),), timeout_s=15)


def build_cleanup(p: Params, platform: Platform) -> CommandPlan:
    steps: list[tuple[str, ...]] = []
    if platform.service_manager is ServiceManager.SYSTEMD:
        steps.append(("journalctl", "--vacuum-time=7d"))
    steps += [("apt-get", "clean"), ("logrotate", "-f", "/etc/logrotate.conf")]
    return CommandPlan(tuple(steps), continue_on_error=True, timeout_s=300)


def build_backup(p: Params, platform: Platform) -> CommandPlan:
    return CommandPlan(
        (("mkdir", "-p", BACKUP_DIR), ("pg_dumpall", "--clean", "-f", f"{BACKUP_DIR}/pg_dumpall.sql")),
        timeout_s=1800,
    )


def build_reboot(p: Params, platform: Platform) -> CommandPlan:
    return CommandPlan((("shutdown", "-r", "+1", "ChatOps Commander: reboot requested"),), timeout_s=20)


def _text(en: str, fr: str) -> Any:
    def explain(p: Any, d: Mapping[str, Any], lang: str) -> str:
        return (fr if lang == "fr" else en).format(p=p)

    return explain


def skills() -> dict[str, dict[str, Any]]:
    return {
        "process.kill": dict(
            params_model=KillParams,
            build=build_kill,
            explain=_text("✅ I sent SIGTERM to process {p.pid}.", "✅ J'ai envoyé SIGTERM au processus {p.pid}."),
        ),
        "disk.cleanup": dict(
            params_model=NoParams,
            build=build_cleanup,
            needs_platform=True,
            explain=_text(
                "✅ I vacuumed the journals, cleaned the package cache and rotated the logs.",
                "✅ J'ai purgé les journaux, nettoyé le cache des paquets et fait tourner les logs.",
            ),
        ),
        "db.backup": dict(
            params_model=NoParams,
            build=build_backup,
            explain=_text(
                f"✅ I backed up the databases to {BACKUP_DIR}.",
                f"✅ J'ai sauvegardé les bases dans {BACKUP_DIR}.",
            ),
        ),
        "server.reboot": dict(
            params_model=NoParams,
            build=build_reboot,
            explain=_text(
                "✅ The reboot is scheduled in one minute.",
                "✅ J'ai programmé le redémarrage dans une minute.",
            ),
        ),
    }
