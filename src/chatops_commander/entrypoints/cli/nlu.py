"""`chatops parse "TEXT"` and `chatops nlu eval CASES.jsonl` (docs/ACTIONS.md contract)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from chatops_commander import bootstrap
from chatops_commander.domain.inventory import Inventory
from chatops_commander.entrypoints.cli.common import (
    cli_principal,
    console,
    fail,
    run_with_container,
    settings_or_fail,
)
from chatops_commander.services import servers as server_service

app = typer.Typer(help="Language understanding: evaluate the parser.", no_args_is_help=True)

InventoryOption = Annotated[
    Path | None,
    typer.Option("--inventory", "-i", help="Ansible inventory (INI/YAML); default: the server registry"),
]


def _inventory(path: Path | None) -> Inventory:
    if path is not None:
        try:
            return bootstrap.load_inventory(path.expanduser())
        except bootstrap.InventoryError as exc:
            fail("\n".join(exc.problems))
    servers = run_with_container(lambda c: server_service.list_servers(c.uow, cli_principal()))
    return Inventory.from_servers(servers)


def parse(
    text: Annotated[str, typer.Argument(help="the request, in English or French")],
    inventory: InventoryOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the ParsedCommand as JSON")] = False,
) -> None:
    """Parse one request into a ParsedCommand (nothing is executed)."""
    settings = settings_or_fail()
    parser = bootstrap.build_parser(settings, bootstrap.catalog_specs(settings), _inventory(inventory))
    parsed = asyncio.run(parser.parse_async(text))[0] if parser.fallback else parser.parse(text)
    if as_json:
        typer.echo(json.dumps(parsed.to_json(), ensure_ascii=False))
        return
    shown = parsed.to_json()
    for key, value in shown.items():
        console.print(f"[bold]{key:>22}[/]  {json.dumps(value, ensure_ascii=False)}", highlight=False)


@app.command("eval")
def eval_(
    cases: Annotated[Path, typer.Argument(help="JSON lines: {id, context?, text, expect}")],
    inventory: InventoryOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object")] = False,
) -> None:
    """Run evaluation cases and report the failures, the accuracy and the latency."""
    from chatops_commander.nlu.evaluation import evaluate, load_cases

    try:
        loaded = load_cases(cases.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {cases}: {exc}")
    except ValueError as exc:
        fail(f"{cases}: {exc}")
    report = evaluate(loaded, _inventory(inventory), bootstrap.catalog_specs(settings_or_fail()))
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        typer.echo(report.to_text())


@app.command("train")
def train(
    out: Annotated[Path | None, typer.Option("--out", help="model file (default: the packaged one)")] = None,
    data_dir: Annotated[Path | None, typer.Option(
        "--data-dir", help="also write the generated train/dev splits there (e.g. tests/nlu/data)")] = None,
    cases: Annotated[Path | None, typer.Option(
        "--cases", help="hand-written cases added to the training data (e.g. tests/nlu/cases.jsonl)")] = None,
    holdout: Annotated[Path | None, typer.Option(
        "--holdout", help="cases never trained on, e.g. the frozen test split tests/nlu/data/test.jsonl")] = None,
) -> None:
    """Train the intent model from the templates (needs scikit-learn: the "train" extra)."""
    try:
        from chatops_commander.nlu.training.train import train as fit_model
    except ImportError as exc:  # pragma: no cover - depends on the installation
        fail(f"training needs scikit-learn (pip install -e '.[train]'): {exc}")
    from chatops_commander.nlu.evaluation import load_cases
    from chatops_commander.nlu.intent_model import packaged_path
    from chatops_commander.skills.builtin_specs import BUILTIN_SPECS

    extra: list[dict[str, object]] = []
    if cases is not None:
        try:
            extra = load_cases(cases.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            fail(f"cannot read {cases}: {exc}")
    held: list[str] = []
    if holdout is not None:
        try:
            held = [str(c["text"]) for c in load_cases(holdout.read_text(encoding="utf-8"))]
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            fail(f"cannot read {holdout}: {exc}")
    try:
        report = fit_model(BUILTIN_SPECS, out or packaged_path(), data_dir, extra, holdout=held)
    except ImportError as exc:
        fail(f"training needs scikit-learn (pip install -e '.[train]'): {exc}")
    typer.echo(f"train: {report.train} sentences, dev: {report.dev} sentences (held-out templates)")
    typer.echo(f"features kept: {report.features}; labels: {len(report.labels)}")
    typer.echo(f"model alone, dev accuracy: {report.dev_accuracy:.3f}")
    typer.echo(f"written: {out or packaged_path()}")
