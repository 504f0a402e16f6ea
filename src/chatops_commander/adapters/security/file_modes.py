"""The data directory holds the database, the audit log and checkpoints, and the secrets: only its owner
may read it. Checked at every start (server and CLI): the directory becomes 0700 and its files 0600
(`chatops.db` and SQLite's `-wal`/`-shm`, which SQLite then creates with the database file's mode,
`audit.log`, `audit.checkpoints`); each fix is logged as a warning, a file that cannot be changed too."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import structlog

log = structlog.get_logger("chatops.security")
DIR_MODE = 0o700
FILE_MODE = 0o600
FILES = ("chatops.db", "chatops.db-wal", "chatops.db-shm", "chatops.db-journal", "audit.log", "audit.checkpoints")


def _tighten(path: Path, wanted: int) -> str | None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    if current & ~wanted == 0:
        return None
    try:
        os.chmod(path, current & wanted)
    except OSError as exc:
        log.warning("data_file_mode_unfixable", path=str(path), mode=oct(current), error=type(exc).__name__)
        return None
    log.warning("data_file_mode_tightened", path=str(path), was=oct(current), now=oct(current & wanted))
    return f"{path.name}: {oct(current)} → {oct(current & wanted)}"


def _ours_alone(directory: Path) -> bool:
    """Never narrow a shared directory someone pointed CHATOPS_DATA_DIR at (`/tmp`, `/`, a home): only
    one we own, without the sticky bit; otherwise say that it is too open."""
    info = directory.stat()
    resolved = directory.resolve()
    shared = (info.st_mode & stat.S_ISVTX or resolved == Path(resolved.anchor) or resolved == Path.home().resolve()
              or info.st_uid != os.getuid())
    if shared and stat.S_IMODE(info.st_mode) & 0o077:
        log.warning("data_dir_shared", path=str(directory), mode=oct(stat.S_IMODE(info.st_mode)),
                    detail="use a directory of its own (CHATOPS_DATA_DIR) readable by this user only")
    return not shared


def secure_data_dir(data_dir: Path, database: Path | None = None) -> list[str]:
    """Make `data_dir` 0700 and the known files in it (and `database`, when it lives elsewhere) 0600;
    the list of what was changed."""
    data_dir.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    changed = [c for c in [_tighten(data_dir, DIR_MODE)] if c] if _ours_alone(data_dir) else []
    paths = [data_dir / name for name in FILES]
    if database is not None and database.parent.resolve() != data_dir.resolve():
        paths += [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm", "-journal"))]
    changed += [c for p in paths if (c := _tighten(p, FILE_MODE))]
    return changed
