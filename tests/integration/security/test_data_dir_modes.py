"""The data directory is 0700 and its database, WAL, audit log and checkpoint files 0600, checked (and
fixed, with a warning) at every start."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import structlog

from chatops_commander import bootstrap
from chatops_commander.config import Settings
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.services import audit
from chatops_commander.services.principal import Principal
from tests.conftest import TEST_SECRET


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_a_loose_data_dir_is_tightened_at_start_and_new_files_are_private(tmp_path: Path) -> None:
    data = tmp_path / "var"
    fresh = Settings(_env_file=None, data_dir=data, jwt_secret=TEST_SECRET, encryption_key=TEST_SECRET)  # type: ignore[call-arg]
    settings = await asyncio.to_thread(bootstrap.prepare_database, fresh)
    data.chmod(0o755)
    (data / "chatops.db").chmod(0o644)
    for extra in ("chatops.db-wal", "chatops.db-shm", "audit.log"):
        (data / extra).touch(mode=0o644)
        (data / extra).chmod(0o644)
    with structlog.testing.capture_logs() as logs:
        container = await bootstrap.build(settings)
    try:
        await audit.record_alone(container.uow, Principal.cli("pytest"), AuditAction.LOGOUT, AuditOutcome.SUCCESS)
        present = [p for p in data.iterdir() if p.is_file()]  # while the database is open (WAL files too)
        assert {"chatops.db", "audit.log", "audit.checkpoints"} <= {p.name for p in present}
        loose = {p.name: oct(_mode(p)) for p in present if _mode(p) & 0o077}
    finally:
        await container.aclose()
    assert _mode(data) == 0o700
    assert not loose
    fixed = [e for e in logs if e["event"] == "data_file_mode_tightened"]
    assert {Path(e["path"]).name for e in fixed} >= {"var", "chatops.db", "audit.log"}


def test_a_shared_directory_is_never_narrowed(tmp_path: Path) -> None:
    from chatops_commander.adapters.security.file_modes import secure_data_dir

    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)  # like /tmp
    with structlog.testing.capture_logs() as logs:
        secure_data_dir(shared)
    assert _mode(shared) == 0o1777
    assert any(e["event"] == "data_dir_shared" for e in logs)
