"""`chatops audit verify|export`: check the hash chain, export the trail (JSON lines or CSV)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from chatops_commander import bootstrap
from chatops_commander.entrypoints.cli.common import (
    console,
    err_console,
    fail,
    language,
    prepared_settings,
    run_with_container,
    tr,
)
from chatops_commander.services import audit as service

app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
CSV_FIELDS = ("seq", "id", "occurred_at", "actor", "action", "outcome", "target", "source_ip", "request_id",
              "details", "prev_hash", "hash", "hash_kid")


class Format(StrEnum):
    JSONL = "jsonl"
    CSV = "csv"


@app.command("verify")
def verify(
    checkpoint: Annotated[list[Path] | None, typer.Option(
        "--checkpoint", help="a file of checkpoint lines kept elsewhere (saved from syslog or the webhook); "
                             "repeatable, added to the configured checkpoint file")] = None,
) -> None:
    """Check the keyed hash chain against the latest signed checkpoint kept outside the database; name the
    first altered, re-sealed or missing row (exit 1), or confirm it intact and say what the check rests on."""
    settings = prepared_settings()
    head = bootstrap.audit_log_head(settings)
    found = bootstrap.audit_checkpoints(settings, checkpoint or ())
    lang = language()
    report = run_with_container(lambda c: service.verify(c.uow, head=head, keys=c.security.audit_keys.all(),
                                                         checkpoints=found), settings)
    if report.ok:
        console.print(tr(f"✅ The audit trail is intact ({report.checked} events checked).",
                         f"✅ Le journal d'audit est intact ({report.checked} événements vérifiés)."))
        for line in service.coverage(report, lang):
            console.print(f"   {line}", highlight=False)
        return
    err_console.print(f"[bold red]{report.message(lang)}[/]", highlight=False)
    if report.checkpoint_seq is not None:
        err_console.print(tr(f"   (signed checkpoint used: row {report.checkpoint_seq} of {report.checkpoint_at})",
                             f"   (point de contrôle signé utilisé : ligne {report.checkpoint_seq} du "
                             f"{report.checkpoint_at})"), highlight=False)
    raise typer.Exit(1)


def _parse_since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(tr(f"--since {text!r} is not a date or ISO-8601 time (e.g. 2025-11-01 or 2025-11-01T08:00:00Z)",
                f"--since {text!r} n'est pas une date ni une heure ISO-8601 (ex. 2025-11-01 ou 2025-11-01T08:00:00Z)"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@app.command("export")
def export(
    since: Annotated[str | None, typer.Option(help="only events at or after this date/time (ISO-8601, UTC)")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="jsonl | csv")] = Format.JSONL,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="file to write (default: stdout)")] = None,
) -> None:
    """Export audit events with their hashes."""
    start = _parse_since(since)
    events = list(run_with_container(lambda c: service.events(c.uow, since=start)))
    buffer = io.StringIO()
    if fmt is Format.JSONL:
        for event in events:
            buffer.write(json.dumps(event.as_record(), sort_keys=True, ensure_ascii=False) + "\n")
    else:
        writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for event in events:
            record = event.as_record()
            record["details"] = json.dumps(record["details"], sort_keys=True, ensure_ascii=False)
            writer.writerow(record)
    if output is None:
        typer.echo(buffer.getvalue(), nl=False)
    else:
        output.write_text(buffer.getvalue(), encoding="utf-8")
        err_console.print(tr(f"✅ {len(events)} events written to {output}.",
                             f"✅ {len(events)} événements écrits dans {output}."))
