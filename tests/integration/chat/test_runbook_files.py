"""The runbook folder: edits are seen without a restart, broken files are named, environments merge."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chatops_commander.adapters.runbooks import RunbookFolder
from chatops_commander.domain.errors import ValidationFailed

BOOK = ("application: {app}\nenvironments: {{{env}: [{hosts}]}}\n"
        "steps: [{{name: S, kind: precheck, commands: [[\"true\"]]}}]\n")


def write(path: Path, app: str, env: str, hosts: str, *, mtime_ns: int | None = None) -> None:
    path.write_text(BOOK.format(app=app, env=env, hosts=hosts))
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


def test_an_edited_runbook_is_read_again_and_an_unchanged_one_is_not_parsed_twice(tmp_path: Path) -> None:
    folder = RunbookFolder(tmp_path)
    write(tmp_path / "shop.yaml", "shop", "production", "web-01", mtime_ns=1_000_000_000)
    first = folder.for_environment("production")
    assert first is not None and first.hosts_for("production", []) == ("web-01",)
    assert folder.for_environment("production") is first  # same stamp: the parsed runbook is reused
    write(tmp_path / "shop.yaml", "shop", "production", "web-01, web-02", mtime_ns=2_000_000_000)
    again = folder.for_environment("production")
    assert again is not None and again.hosts_for("production", []) == ("web-01", "web-02")


def test_a_broken_file_is_named_and_left_out_of_the_environments(tmp_path: Path) -> None:
    write(tmp_path / "shop.yaml", "shop", "production", "web-01")
    write(tmp_path / "blog.yml", "blog", "staging", "web-03")
    (tmp_path / "bad.yaml").write_text("application: bad\nsteps: nope\n")
    folder = RunbookFolder(tmp_path)
    assert folder.environments() == {"production": ("web-01",), "staging": ("web-03",)}
    with pytest.raises(ValidationFailed) as caught:
        folder.all()
    assert caught.value.problems[0][0].startswith("bad.yaml: steps")
