"""CLI start-up benchmark: `chatops --help` wall time and import time, and a whole small command.

    .venv/bin/python -m bench.startup [--runs 15] [--write bench/RESULTS.md]

Measures, each in a fresh process: the wall time of `chatops --help`; the import time of
`chatops_commander.entrypoints.cli.main` from `python -X importtime` (its cumulative line); and the wall time
of `chatops exec --on localhost --yes --json -- uptime` on an embedded database already migrated (start-up,
database, local run, audit). Target (issue 13): `chatops --help` < 300 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.results import record

PYTHON = Path(sys.executable)
CHATOPS = PYTHON.with_name("chatops")
ENTRY = "chatops_commander.entrypoints.cli.main"


def compile_sources() -> None:
    """Byte-compile the package first: with PYTHONDONTWRITEBYTECODE set (as in our sandboxes) every process
    would otherwise compile every module from source, which no installed copy does."""
    import chatops_commander

    subprocess.run([str(PYTHON), "-m", "compileall", "-q", str(Path(chatops_commander.__file__).parent)], check=True)


def wall(argv: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - t0


def import_ms() -> float:
    err = subprocess.run([str(PYTHON), "-X", "importtime", "-c", f"import {ENTRY}"], check=True,
                         capture_output=True, text=True).stderr
    line = next(ln for ln in err.splitlines() if ln.rstrip().endswith(f"| {ENTRY}"))
    found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|", line)
    assert found is not None
    return int(found.group(1)) / 1000


def help_from(src: Path) -> list[str]:
    """`chatops --help` run from the package in `src` (e.g. an older tree: `git archive REV src | tar -x`)."""
    code = (f"import sys; sys.path.insert(0, {str(src)!r}); from {ENTRY} import app; "
            "app(['--help'], prog_name='chatops')")
    return [str(PYTHON), "-c", code]


def load_average() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--write", default="")
    ap.add_argument("--baseline-src", type=Path, help="also time --help from this older src/ (same conditions)")
    a = ap.parse_args()
    compile_sources()
    load_before = load_average()
    helps = [wall([str(CHATOPS), "--help"]) for _ in range(a.runs)]
    imports = [import_ms() for _ in range(a.runs)]
    pairs: list[tuple[float, float]] = []
    if a.baseline_src:
        here = Path(__file__).resolve().parent.parent / "src"
        for _ in range(a.runs):  # interleaved, so that both see the same load
            pairs.append((wall(help_from(a.baseline_src)), wall(help_from(here))))
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "CHATOPS_DATA_DIR": data, "CHATOPS_MONITORING_ENABLED": "false"}
        cmd = [str(CHATOPS), "exec", "--on", "localhost", "--yes", "--json", "--", "uptime"]
        first = wall(cmd, env)  # creates and migrates the database
        runs = [wall(cmd, env) for _ in range(max(3, a.runs // 3))]
    rows = [
        ("`chatops --help` wall", helps),
        (f"import `{ENTRY}` (-X importtime)", [ms / 1000 for ms in imports]),
        ("`chatops exec --on localhost -- uptime` wall (database at head)", runs),
    ]
    lines = ["| what | median (ms) | min (ms) | max (ms) | runs |", "|---|---|---|---|---|"]
    for name, values in rows:
        lines.append(f"| {name} | {1000 * statistics.median(values):.0f} | {1000 * min(values):.0f} | "
                     f"{1000 * max(values):.0f} | {len(values)} |")
    if pairs:
        before, after = [p[0] for p in pairs], [p[1] for p in pairs]
        for name, values in ((f"`--help` from {a.baseline_src} (before), interleaved", before),
                             ("`--help` from this tree (after), interleaved", after)):
            lines.append(f"| {name} | {1000 * statistics.median(values):.0f} | {1000 * min(values):.0f} | "
                         f"{1000 * max(values):.0f} | {len(values)} |")
    lines.append(f"| first `chatops exec` on a new data directory (creates and migrates the database) | "
                 f"{1000 * first:.0f} | | | 1 |")
    text = "\n".join(lines)
    print(text)
    if a.write:
        head = (
            f"## CLI start-up (bench/startup.py) — {date.today()}\n\n"
            f"Measured {date.today()} on {os.cpu_count()} cores ({platform.machine()}, Python "
            f"{sys.version.split()[0]}), 1-minute load average {load_before} before and {load_average()} after "
            "(the machine is shared). Each figure is a fresh process, the package byte-compiled first. Command: "
            "`.venv/bin/python -m bench.startup --write bench/RESULTS.md`. Target: `chatops --help` < 300 ms.\n\n"
        )
        record(head + text + "\n", Path(a.write))


if __name__ == "__main__":
    main()
