"""bench/RESULTS.md: one section per benchmark, replaced when the benchmark runs again.

A section starts with a line `## <title> — <date>`; `record` replaces the section whose title (the part
before " — ") is the same, whatever its date, or appends a new one. Hand-written remarks belong in the
text a benchmark generates, or they go away with the next run's figures (which they described).
"""

from __future__ import annotations

import socket
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HEAD = "# Benchmark results\n"


def _title(line: str) -> str:
    return line[3:].split(" — ")[0].strip()


def record(section: str, path: Path = RESULTS) -> None:
    body = section.strip("\n") + "\n"
    first = body.splitlines()[0]
    if not first.startswith("## "):
        raise ValueError("a section starts with a '## title — date' line")
    text = path.read_text(encoding="utf-8") if path.exists() else HEAD
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("## ") and _title(line) == _title(first)),
                 None)
    if start is None:
        path.write_text(text.rstrip("\n") + "\n\n" + body, encoding="utf-8")
        return
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    after = "".join(lines[end:])
    path.write_text("".join(lines[:start]) + body + ("\n" + after if after else ""), encoding="utf-8")


def pct(values: list[float], p: float) -> float:
    """The p-th percentile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def free_port() -> int:
    """A TCP port free on the loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
