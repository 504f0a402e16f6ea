"""The keyed audit chain and its signed checkpoints, against someone who can write the database but
holds neither the audit key nor the copies kept outside it, on a replica without the local
`audit.log` mirror (another replica, rotated logs): `chatops audit verify` still catches re-sealing
and tail truncation, and says which checkpoint it verified against and what it could not cover."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from chatops_commander import bootstrap
from chatops_commander.domain.security.audit_chain import ChainKey, compute_hash
from chatops_commander.domain.security.audit_events import AuditAction, AuditEvent, AuditOutcome
from chatops_commander.services import audit
from chatops_commander.services.principal import Principal
from tests.integration.security.test_audit_trail import _five_events, _verify, cli_env  # noqa: F401

ADMIN = Principal.cli("pytest")


def _no_local_mirror(container: bootstrap.Container) -> None:
    (container.settings.data_dir / "audit.log").unlink()


async def _events(container: bootstrap.Container) -> list[AuditEvent]:
    return list(await audit.events(container.uow))


async def _rewrite(container: bootstrap.Container, rows: list[AuditEvent]) -> None:
    """What a database writer can do: replace rows' content and chain fields."""
    async with container.engine.begin() as conn:
        for row in rows:
            await conn.execute(text("UPDATE audit_events SET actor = :actor, prev_hash = :prev, hash = :hash, "
                                    "hash_kid = :kid WHERE seq = :seq"),
                               {"actor": row.actor, "prev": row.prev_hash, "hash": row.hash, "kid": row.hash_kid,
                                "seq": row.seq})


async def _reseal_from(container: bootstrap.Container, first: int, key: ChainKey | None) -> None:
    """Change row `first`'s actor and re-seal every row from it (unkeyed, or with `key`)."""
    rows = await _events(container)
    previous = rows[first - 2].hash if first > 1 else "0" * 64
    forged: list[AuditEvent] = []
    for row in rows[first - 1:]:
        changed = dataclasses.replace(row, actor="mallory" if row.seq == first else row.actor, prev_hash=previous,
                                      hash_kid=None if key is None else key.kid)
        changed = dataclasses.replace(changed, hash=compute_hash(previous, changed, None if key is None else key.key))
        forged.append(changed)
        previous = changed.hash
    await _rewrite(container, forged)


async def test_new_rows_are_sealed_with_the_audit_key_and_each_commit_writes_a_signed_checkpoint(
        container: bootstrap.Container, cli_env: Path) -> None:  # noqa: F811
    await _five_events(container)
    rows = await _events(container)
    current = container.security.audit_keys.current()
    assert all(r.hash_kid == current.kid for r in rows)
    assert rows[-1].hash == compute_hash(rows[-1].prev_hash, rows[-1], current.key)
    lines = (container.settings.data_dir / "audit.checkpoints").read_text().splitlines()
    assert len(lines) == 5 and json.loads(lines[-1])["seq"] == 5 and json.loads(lines[-1])["sig"]
    assert (container.settings.data_dir / "audit.checkpoints").stat().st_mode & 0o777 == 0o600
    code, out = await asyncio.to_thread(_verify)
    assert code == 0 and "signed checkpoint at row 5" in out, out


async def test_rows_resealed_with_the_unkeyed_hash_are_caught_without_the_mirror(
        container: bootstrap.Container, cli_env: Path) -> None:  # noqa: F811
    await _five_events(container)
    _no_local_mirror(container)
    await _reseal_from(container, 3, None)
    code, out = await asyncio.to_thread(_verify)
    assert code == 1 and "Row 3" in out and "re-sealed without the audit key" in out, out


async def test_the_whole_chain_resealed_unkeyed_disagrees_with_the_signed_checkpoint(
        container: bootstrap.Container, cli_env: Path) -> None:  # noqa: F811
    await _five_events(container)
    _no_local_mirror(container)
    await _reseal_from(container, 1, None)  # every row now looks older than the key
    code, out = await asyncio.to_thread(_verify)
    assert code == 1 and "Row 5 is not the row the signed checkpoint" in out, out
    assert "signed checkpoint used: row 5" in out


async def test_rows_resealed_with_a_guessed_key_are_altered(
        container: bootstrap.Container, cli_env: Path) -> None:  # noqa: F811
    await _five_events(container)
    _no_local_mirror(container)
    kid = container.security.audit_keys.current().kid
    await _reseal_from(container, 4, ChainKey(kid, b"\x00" * 32))
    code, out = await asyncio.to_thread(_verify)
    assert code == 1 and "Row 4" in out and "altered" in out, out


async def test_tail_truncation_is_caught_by_the_checkpoint_from_any_replica(
        container: bootstrap.Container, cli_env: Path, tmp_path: Path) -> None:  # noqa: F811
    await _five_events(container)
    _no_local_mirror(container)
    saved = tmp_path / "from-syslog.txt"  # the copy kept elsewhere (syslog, webhook receiver)
    saved.write_text("Nov 30 15:00:00 host chatops-audit: " +
                     (container.settings.data_dir / "audit.checkpoints").read_text().splitlines()[-1] + "\n")
    (container.settings.data_dir / "audit.checkpoints").unlink()  # this replica has no local copy
    async with container.engine.begin() as conn:
        await conn.execute(text("DELETE FROM audit_events WHERE seq >= 4"))
    code, out = await asyncio.to_thread(_verify)
    assert code == 0 and "No signed checkpoint found" in out, out  # nothing outside the database: it cannot know
    from typer.testing import CliRunner

    from chatops_commander.entrypoints.cli.main import app as cli

    result = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "verify", "--checkpoint", str(saved)])
    assert result.exit_code == 1 and "Rows 4 to 5 are missing" in result.output, result.output
    assert "signed checkpoint of" in result.output


async def test_a_forged_checkpoint_is_ignored_and_counted(container: bootstrap.Container,
                                                          cli_env: Path) -> None:  # noqa: F811
    await _five_events(container)
    path = container.settings.data_dir / "audit.checkpoints"
    forged = json.loads(path.read_text().splitlines()[-1]) | {"seq": 99}
    with path.open("a") as fh:
        fh.write(json.dumps(forged) + "\n")
    code, out = await asyncio.to_thread(_verify)
    assert code == 0 and "1 checkpoint(s) with an invalid signature ignored" in out, out


async def test_after_a_key_rotation_old_and_new_rows_verify_with_their_own_keys(
        container: bootstrap.Container) -> None:
    await _five_events(container)
    before = container.security.audit_keys.current().kid
    await bootstrap.rotate_keys(container, ADMIN)
    await audit.record_alone(container.uow, ADMIN, AuditAction.SERVER_UPDATED, AuditOutcome.SUCCESS, target="x")
    rows = await _events(container)
    assert rows[0].hash_kid == before != rows[-1].hash_kid
    report = await audit.verify(container.uow, keys=container.security.audit_keys.all(),
                                checkpoints=bootstrap.audit_checkpoints(container.settings))
    assert report.ok and report.checkpoint_seq == rows[-1].seq, report


def test_checkpoints_also_reach_syslog_and_a_webhook(tmp_path: Path) -> None:
    import http.server
    import socket
    import threading

    from chatops_commander.adapters.security.audit_anchor import (
        AuditKeys,
        CheckpointWriter,
        SyslogSink,
        WebhookSink,
    )
    from chatops_commander.adapters.security.secret_box import Keyring
    from chatops_commander.domain.security import audit_checkpoint

    received: list[bytes] = []
    arrived = threading.Event()

    class Receiver(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            arrived.set()
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    web = http.server.HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    udp.settimeout(10)

    class Box:
        keyring = Keyring({"k0": b"\x01" * 32}, "k0")

    keys = AuditKeys(Box())
    writer = CheckpointWriter(tmp_path / "audit.checkpoints", keys, [
        SyslogSink(f"udp://127.0.0.1:{udp.getsockname()[1]}"),
        WebhookSink(f"http://127.0.0.1:{web.server_address[1]}/checkpoints")])
    event = AuditEvent(seq=7, id="e7", occurred_at=datetime.now(UTC), actor="a", action=AuditAction.LOGOUT,
                       outcome=AuditOutcome.SUCCESS, hash="ab" * 32)
    try:
        writer([event])
        from_syslog = audit_checkpoint.parse(udp.recv(4096).decode())
        assert arrived.wait(timeout=10)
        from_webhook = audit_checkpoint.parse(received[0].decode())
    finally:
        web.shutdown()
        udp.close()
    for copy in (from_syslog, from_webhook):
        assert copy is not None and copy.seq == 7 and copy.hash == "ab" * 32
        assert audit_checkpoint.is_authentic(copy, keys.all())
