"""What the executors run and what they return (argv plans and per-host results)."""

from __future__ import annotations

import dataclasses
import re
import shlex
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class CommandPlan:
    """A command as an argument vector; rendered for a shell only by `shlex.quote`.

    `steps` run in order (each an argv); the plan stops at the first non-zero exit unless
    `continue_on_error`. `sudo` asks the executor to prefix `sudo -n`.
    """

    steps: tuple[tuple[str, ...], ...]
    sudo: bool = False
    continue_on_error: bool = False
    timeout_s: float = 30.0
    ok_exit_codes: tuple[int, ...] = (0,)  # exit codes that still mean "ran fine" (e.g. status=3)

    def render(self) -> str:
        """The one shell line an executor sends: each argv joined with `shlex.quote` only.

        Steps are chained with `&&` (or `;` when `continue_on_error`); `sudo -n` prefixes each.
        """
        prefix: tuple[str, ...] = ("sudo", "-n", "--") if self.sudo else ()
        sep = " ; " if self.continue_on_error else " && "
        return sep.join(shlex.join(prefix + step) for step in self.steps)


def for_host(plan: CommandPlan, *, become: bool) -> CommandPlan:
    """The plan as it runs on a host whose account works through sudo (`Server.become`)."""
    return plan if plan.sudo or not become else dataclasses.replace(plan, sudo=True)


LOCALE_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def with_locale(line: str, locale: str | None) -> str:
    """The line run under a fixed locale (`env LC_ALL=C LANG=C sh -c LINE`), so that the output the parsers
    read (`free`, `df`, `systemctl`…) is not translated on a French host. `env` is a program, so this works
    whatever the account's login shell (sh, bash, zsh, fish, csh). None: the line as it is."""
    if not locale:
        return line
    if not LOCALE_RE.match(locale):
        raise ValueError(f"not a locale name: {locale!r}")
    return shlex.join(("env", f"LC_ALL={locale}", f"LANG={locale}", "sh", "-c", line))


class HostOutcome(StrEnum):
    OK = "ok"
    FAILED = "failed"  # ran, non-zero exit
    TIMED_OUT = "timed_out"
    UNREACHABLE = "unreachable"
    AUTH_FAILED = "auth_failed"
    HOST_KEY_MISMATCH = "host_key_mismatch"  # differs from the key in known_hosts or the pinned one
    HOST_KEY_UNKNOWN = "host_key_unknown"  # not in known_hosts and not pinned: trust it with `chatops servers trust`
    ERROR = "error"  # anything else, with a message


@dataclass(frozen=True)
class RunResult:
    host: str
    outcome: HostOutcome
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    duration_ms: int = 0
    message: str = ""  # human explanation for non-OK outcomes
    data: dict[str, Any] = field(default_factory=dict)  # parsed output

    @property
    def ok(self) -> bool:
        return self.outcome is HostOutcome.OK
