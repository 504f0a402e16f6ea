"""Running the `chatops` CLI in-process on an isolated data directory (tests of the CLI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chatops_commander.entrypoints.cli.main import app

runner = CliRunner()


def isolate(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """No CHATOPS_* from the developer's shell; this data directory; cheap password hashing; English; wide
    tables (Rich wraps at COLUMNS)."""
    for key in list(os.environ):
        if key.startswith("CHATOPS_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("CHATOPS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("CHATOPS_PASSWORD_TIME_COST", "1")
    monkeypatch.setenv("CHATOPS_PASSWORD_MEMORY_KIB", "8192")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("LANG", "C")


def chatops(*args: str, stdin: str | None = None, lang: str | None = None) -> tuple[int, str]:
    """Exit code and output of `chatops ARGS` (`lang`: the LANG of this one call, e.g. "fr_FR.UTF-8")."""
    result = runner.invoke(app, list(args), input=stdin, env={"LANG": lang} if lang else None)
    return result.exit_code, result.output
