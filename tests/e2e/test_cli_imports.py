"""The CLI imports heavy dependencies only where they are used (ADR 0012): `chatops --help` stays fast.

A behaviour test, not a timing: a fresh interpreter imports the entry point and we read its `sys.modules`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("anthropic", "openai", "opentelemetry", "fastapi", "starlette", "uvicorn", "jinja2", "sqlalchemy",
         "alembic", "asyncssh", "httpx", "redis", "argon2", "pydantic")


def modules_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_importing_the_cli_entry_point_loads_no_heavy_dependency() -> None:
    loaded = modules_after("import chatops_commander.entrypoints.cli.main")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_help_runs_without_loading_heavy_dependencies() -> None:
    statement = (
        "from chatops_commander.entrypoints.cli.main import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit as e:\n    assert e.code == 0, e.code"
    )
    loaded = modules_after(statement)
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("name", ["InventoryError", "load_inventory"])
def test_bootstrap_still_offers_its_lazy_names(name: str) -> None:
    from chatops_commander import bootstrap

    assert callable(getattr(bootstrap, name))
    with pytest.raises(AttributeError):
        bootstrap.no_such_name
