"""Language benchmark: parse latency p50/p99 over the dev set, throughput on one core, parser memory.

Run: .venv/bin/python bench/nlu.py [--rounds N] [--record]
`--record` appends the figures to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from tests.nlu.helpers import CASES_PATH, dev_inventory  # noqa: E402

from bench.results import record  # noqa: E402
from chatops_commander.nlu.context import ConversationContext  # noqa: E402
from chatops_commander.nlu.evaluation import evaluate, load_cases  # noqa: E402
from chatops_commander.nlu.parser import Parser  # noqa: E402
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS  # noqa: E402


def _rss_mb() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.999999) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--record", action="store_true")
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    cases = load_cases(CASES_PATH.read_text(encoding="utf-8"))
    inventory = dev_inventory()
    gc.collect()
    before = _rss_mb()
    parser = Parser(BUILTIN_SPECS, inventory)
    gc.collect()
    parser_mb = _rss_mb() - before
    turns = [(c.get("context") or [], c["text"]) for c in cases]
    contexts = []
    for context_turns, text in turns:
        ctx = ConversationContext()
        for turn in context_turns:
            ctx = parser.parse_turn(turn, ctx)[1]
        contexts.append((text, ctx))
    for text, ctx in contexts:  # warm-up
        parser.parse_turn(text, ctx)
    latencies: list[float] = []
    start_all = time.perf_counter()
    for _ in range(args.rounds):
        for text, ctx in contexts:
            t0 = time.perf_counter()
            parser.parse_turn(text, ctx)
            latencies.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - start_all
    report = evaluate(cases, inventory, BUILTIN_SPECS)
    figures = {
        "cases": len(cases), "parses": len(latencies), "accuracy": round(report.accuracy, 4),
        "p50_ms": round(_pct(latencies, 0.50), 3), "p99_ms": round(_pct(latencies, 0.99), 3),
        "mean_ms": round(statistics.fmean(latencies), 3), "throughput_per_s": round(len(latencies) / elapsed),
        "parser_rss_mb": round(parser_mb, 2), "process_rss_mb": round(_rss_mb(), 1),
        "load_average": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(figures, indent=2))
    if args.record:
        _record(figures)


def _record(f: dict[str, float]) -> None:
    section = f"""
## Language understanding (bench/nlu.py) — 2026-11-23

Machine: 2 cores (shared; 1-minute load average during the run: {f['load_average']}), Python 3.11,
offline parser pinned to one core, dev set `tests/nlu/cases.jsonl` ({f['cases']} cases,
{f['parses']} timed parses, context turns prepared beforehand).

| figure | value | target |
| --- | --- | --- |
| accuracy on the dev set | {f['accuracy']:.3f} | ≥ 0.95 |
| parse latency p50 | {f['p50_ms']} ms | |
| parse latency p99 | {f['p99_ms']} ms | < 5 ms |
| mean latency | {f['mean_ms']} ms | |
| throughput (one core) | {f['throughput_per_s']} parses/s | |
| parser resident memory (built parser, RSS delta) | {f['parser_rss_mb']} MB | |
| process resident memory | {f['process_rss_mb']} MB | |
"""
    record(section)


if __name__ == "__main__":
    main()
