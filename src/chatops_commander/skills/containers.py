"""container.* actions on Docker: list running containers, restart one."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chatops_commander.domain.execution import CommandPlan
from chatops_commander.skills.base import NoParams, Params, Platform
from chatops_commander.skills.params import ServiceName

PS_FORMAT = "{{json .}}"


class ContainerParams(Params):
    container: ServiceName


def build_list(p: Params, platform: Platform) -> CommandPlan:
    return CommandPlan((("docker", "ps", "--no-trunc", "--format", PS_FORMAT),), timeout_s=20)


def build_restart(p: ContainerParams, platform: Platform) -> CommandPlan:
    return CommandPlan((("docker", "restart", p.container),), timeout_s=90)


def parse_docker_ps(p: Any, stdout: str, exit_code: int | None) -> dict[str, Any]:
    """`docker ps --format '{{json .}}'` → {"containers": [{"id", "name", "image", "status", "ports"}]}."""
    out = []
    for line in stdout.splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            out.append(
                {
                    "id": str(row.get("ID", ""))[:12],
                    "name": row.get("Names", ""),
                    "image": row.get("Image", ""),
                    "status": row.get("Status", ""),
                    "ports": row.get("Ports", ""),
                }
            )
    return {"containers": out}


def explain_list(p: Any, d: Mapping[str, Any], lang: str) -> str:
    names = ", ".join(c["name"] for c in d.get("containers", [])) or "—"
    n = len(d.get("containers", []))
    return f"{n} conteneur(s) en cours : {names}." if lang == "fr" else f"{n} running container(s): {names}."


def explain_restart(p: ContainerParams, d: Mapping[str, Any], lang: str) -> str:
    return (
        f"✅ J'ai redémarré le conteneur {p.container}."
        if lang == "fr"
        else (f"✅ I restarted the container {p.container}.")
    )


def skills() -> dict[str, dict[str, Any]]:
    return {
        "container.list": dict(
            params_model=NoParams, build=build_list, parse=parse_docker_ps, explain=explain_list
        ),
        "container.restart": dict(params_model=ContainerParams, build=build_restart, explain=explain_restart),
    }
