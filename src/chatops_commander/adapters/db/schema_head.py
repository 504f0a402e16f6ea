"""Is an embedded (SQLite) database already at the latest migration? Answered without importing Alembic.

Every CLI command prepares the database first; importing Alembic and SQLAlchemy's migration machinery costs
about a second, for nothing when the schema is current (the usual case). The head is read from the
migration files' `revision` / `down_revision` lines, the database's revision from `alembic_version` with
the standard library's sqlite3. Anything unusual (several heads, another database) answers False, and the
caller runs Alembic as before.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from pathlib import Path

VERSIONS = Path(__file__).parent / "migrations" / "versions"
_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:\s*:\s*[^=]+)?\s*=\s*(?:['\"]([^'\"]+)['\"]|None)", re.MULTILINE)


def script_head(versions: Path = VERSIONS) -> str | None:
    """The one revision no other migration builds on; None when there is not exactly one."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in versions.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.search(text), _DOWN.search(text)
        if rev is None or down is None:
            return None
        revisions.add(rev.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def sqlite_path(url: str) -> Path | None:
    """The file of a `sqlite…:///path` URL (None for another database or an in-memory one)."""
    scheme, sep, rest = url.partition(":///")
    if not sep or not scheme.startswith("sqlite") or not rest or rest.startswith(":memory:") or "?" in rest:
        return None
    return Path(rest)


def embedded_at_head(url: str) -> bool:
    path = sqlite_path(url)
    if path is None or not path.is_file():
        return False
    head = script_head()
    if head is None:
        return False
    with contextlib.suppress(sqlite3.Error):
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            rows = db.execute("SELECT version_num FROM alembic_version").fetchall()
        return [r[0] for r in rows] == [head]
    return False
