"""MCP prompts: a morning check and the diagnosis of a service, in the user's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from chatops_commander.entrypoints.mcp.door import DoorError


@dataclass(frozen=True)
class PromptSpec:
    name: str
    description: str
    arguments: tuple[tuple[str, str, bool], ...] = ()  # (name, description, required)


PROMPTS = {p.name: p for p in (
    PromptSpec("morning_check", "Check the fleet first thing: hosts up, stopped services, open alerts, full disks."),
    PromptSpec("diagnose_service", "Find out why a service misbehaves on a server, without changing anything.",
               (("service", "The service, e.g. nginx", True), ("server", "The server it runs on", False))),
)}


def prompt_messages(name: str, arguments: Mapping[str, str], lang: str) -> tuple[str, str]:
    """(description, the user message) of a prompt; DoorError for an unknown prompt or a missing argument."""
    spec = PROMPTS.get(name)
    if spec is None:
        raise DoorError("unknown_prompt", f"Unknown prompt {name!r} (morning_check, diagnose_service).",
                        f"Prompt inconnu : {name!r} (morning_check, diagnose_service).")
    fr = lang == "fr"
    if name == "morning_check":
        text = ("Fais le point du matin sur l'infrastructure avec ChatOps Commander : appelle fleet_health, lis "
                "chatops://alerts/open, puis server_disk sur les serveurs signalés. Résume en quelques lignes ce qui "
                "va, ce qui ne va pas et ce que tu proposes ; ne lance aucune action à risque sans me la montrer."
                if fr else
                "Do the morning check of the infrastructure with ChatOps Commander: call fleet_health, read "
                "chatops://alerts/open, then server_disk on the servers that stand out. Sum up in a few lines what "
                "is fine, what is not and what you suggest; start no risky action without showing it to me first.")
        return spec.description, text
    service = (arguments.get("service") or "").strip()
    if not service:
        raise DoorError("invalid_arguments", "diagnose_service needs the service's name.",
                        "diagnose_service demande le nom du service.")
    server = (arguments.get("server") or "").strip()
    on = (f" sur {server}" if fr else f" on {server}") if server else ""
    targets = f'["{server}"]' if server else "[]"
    text = (f"Diagnostique le service {service}{on} avec ChatOps Commander : appelle incident_diagnose "
            f"(targets={targets}, service={service}), puis service_status et service_logs si besoin. Explique la "
            f"cause probable ; si un redémarrage est utile, propose service_restart (je le confirmerai moi-même)."
            if fr else
            f"Diagnose the service {service}{on} with ChatOps Commander: call incident_diagnose "
            f"(targets={targets}, service={service}), then service_status and service_logs if needed. Explain the "
            f"probable cause; if a restart would help, offer service_restart (I will confirm it myself).")
    return spec.description, text
