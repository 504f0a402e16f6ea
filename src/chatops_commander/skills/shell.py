"""shell.run: a raw command (admin only), its risk classified from the command line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictStr

from chatops_commander.domain.execution import CommandPlan
from chatops_commander.domain.risk import Risk
from chatops_commander.skills.base import Params, Platform
from chatops_commander.skills.shell_risk import classify


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if not value.strip():
        raise ValueError("must not be empty")
    return value


class ShellParams(Params):
    command: Annotated[StrictStr, Field(min_length=1, max_length=8192), AfterValidator(_no_nul)]


def build(p: ShellParams, platform: Platform) -> CommandPlan:
    """The raw line goes to `sh -c` as one quoted argument: the user's shell text is the program."""
    return CommandPlan((("sh", "-c", p.command),), timeout_s=60)


def risk_of(p: ShellParams) -> Risk:
    return classify(p.command).risk


def parse(p: ShellParams, stdout: str, exit_code: int | None) -> dict[str, Any]:
    return {"exit_code": exit_code, "risk": risk_of(p).value}


def explain(p: ShellParams, d: Mapping[str, Any], lang: str) -> str:
    rc = d.get("exit_code")
    if rc == 0:
        return "✅ La commande s'est terminée sans erreur." if lang == "fr" else "✅ The command succeeded."
    if lang == "fr":
        return f"La commande s'est terminée avec le code {rc}."
    return f"The command exited with code {rc}."


def skills() -> dict[str, dict[str, Any]]:
    return {
        "shell.run": dict(
            params_model=ShellParams, build=build, parse=parse, explain=explain, meta={"risk_of": risk_of}
        )
    }
