"""The evaluation of docs/ACTIONS.md ("Evaluation cases"): run cases, compare, report accuracy and latency."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from chatops_commander.domain.actions import ActionSpec, Intent
from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.parser import Parser


def load_cases(text: str) -> list[dict[str, Any]]:
    """Cases from JSON Lines text (blank lines and `#` comments skipped); ValueError names the line."""
    cases: list[dict[str, Any]] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {lineno}: invalid JSON ({exc.msg})") from exc
        if not isinstance(case, dict) or not isinstance(case.get("text"), str) or not isinstance(
            case.get("expect"), dict
        ):
            raise ValueError(f"line {lineno}: a case needs a \"text\" string and an \"expect\" object")
        case.setdefault("id", f"line{lineno}")
        cases.append(case)
    return cases


def check(expect: Mapping[str, Any], got: ParsedCommand) -> bool:
    """Every key given in `expect` matches (docs/ACTIONS.md): exact, targets as a set, parameters key by key."""
    out = got.to_json()
    for key, want in expect.items():
        if key == "clarify":
            clarifies = out["action"] is None and bool(out["clarification"])
            if bool(want) != clarifies:
                return False
        elif key == "targets":
            if set(want or ()) != set(out["targets"]):
                return False
        elif key == "parameters":
            params = out["parameters"]
            if not isinstance(want, dict) or any(k not in params or params[k] != v for k, v in want.items()):
                return False
        elif out.get(key) != want:
            return False
    return True


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(-(-q * len(ordered) // 1)) - 1))
    return ordered[index]


@dataclass(frozen=True)
class Outcome:
    """One case's result, for the breakdowns: expected and obtained action, language, pass/fail."""

    expected: str
    got: str
    lang: str
    passed: bool


def _label(action: Any, clarify: bool = False) -> str:
    if clarify:
        return "(clarify)"
    return str(action) if action else "(none)"


def _rates(outcomes: Iterable[Outcome], key: Callable[[Outcome], str]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(key(o), []).append(o)
    return {
        k: {"total": len(v), "passed": sum(o.passed for o in v),
            "accuracy": round(sum(o.passed for o in v) / len(v), 4)}
        for k, v in sorted(groups.items())
    }


@dataclass(frozen=True)
class EvalReport:
    total: int
    passed: int
    failures: tuple[dict[str, Any], ...] = ()
    latencies_ms: tuple[float, ...] = field(default=(), repr=False)
    outcomes: tuple[Outcome, ...] = field(default=(), repr=False)

    @property
    def per_action(self) -> dict[str, dict[str, Any]]:
        """Accuracy per expected action (`(none)`: nothing should fit; `(clarify)`: a question is expected)."""
        return _rates(self.outcomes, lambda o: o.expected)

    @property
    def per_language(self) -> dict[str, dict[str, Any]]:
        return _rates(self.outcomes, lambda o: o.lang)

    @property
    def confusions(self) -> list[dict[str, Any]]:
        """Expected → obtained action pairs among the failures, most frequent first."""
        pairs = Counter((o.expected, o.got) for o in self.outcomes if not o.passed and o.expected != o.got)
        return [{"expected": e, "got": g, "count": n} for (e, g), n in sorted(pairs.items(), key=lambda x: -x[1])]

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0

    @property
    def p50(self) -> float:
        return _percentile(self.latencies_ms, 0.50)

    @property
    def p99(self) -> float:
        return _percentile(self.latencies_ms, 0.99)

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total, "passed": self.passed, "accuracy": round(self.accuracy, 4),
            "failures": list(self.failures),
            "latency_ms": {"p50": round(self.p50, 3), "p99": round(self.p99, 3)},
            "per_action": self.per_action, "per_language": self.per_language, "confusions": self.confusions,
        }

    def to_text(self) -> str:
        lines = []
        for f in self.failures:
            lines.append(
                f"FAIL {f['id']}: {f['text']!r} expected {json.dumps(f['expected'], ensure_ascii=False)}"
                f" got {json.dumps(f['got'], ensure_ascii=False)}"
            )
        if self.outcomes:
            lines.append("per action:")
            lines += [f"  {k:<20} {v['accuracy']:.3f} ({v['passed']}/{v['total']})" for k, v in self.per_action.items()]
            lines.append("per language:")
            lines += [f"  {k:<20} {v['accuracy']:.3f} ({v['passed']}/{v['total']})"
                      for k, v in self.per_language.items()]
            if self.confusions:
                lines.append("confusions (expected -> got):")
                lines += [f"  {c['expected']} -> {c['got']}: {c['count']}" for c in self.confusions[:20]]
        lines.append(f"latency_ms: p50 {self.p50:.3f} p99 {self.p99:.3f}")
        lines.append(f"accuracy: {self.accuracy:.3f} ({self.passed}/{self.total})")  # the summary line, last
        return "\n".join(lines)


def _shown(expect: Mapping[str, Any], got: ParsedCommand) -> dict[str, Any]:
    out = got.to_json()
    keys = ["action", "targets", "service"] + [k for k in expect if k not in ("clarify",)]
    if "clarify" in expect:
        keys.append("clarification")
    return {k: out[k] for k in dict.fromkeys(keys) if k in out}


def evaluate(
    cases: Iterable[Mapping[str, Any]], inventory: Inventory, catalog: Sequence[ActionSpec], *,
    learned: bool = True,
) -> EvalReport:
    """Run every case (its `context` turns first, in order) and compare with `expect`.
    `learned=False`: the rules alone, without the learned intent model."""
    parser = Parser(catalog, inventory, learned=learned)
    total = passed = 0
    failures: list[dict[str, Any]] = []
    latencies: list[float] = []
    outcomes: list[Outcome] = []
    for case in cases:
        total += 1
        ctx = ConversationContext()
        for turn in case.get("context") or ():
            ctx = parser.parse_turn(str(turn), ctx)[1]
        start = time.perf_counter()
        got = parser.parse_turn(str(case["text"]), ctx)[0]
        latencies.append((time.perf_counter() - start) * 1000.0)
        expect = case.get("expect") or {}
        ok = check(expect, got)
        outcomes.append(Outcome(
            expected=_label(expect.get("action"), bool(expect.get("clarify"))),
            got=_label(got.action, got.action is None and bool(got.clarification) and got.intent is not Intent.UNKNOWN),
            lang=str(case.get("lang") or got.lang), passed=ok,
        ))
        if ok:
            passed += 1
        else:
            failures.append({"id": case.get("id"), "text": case["text"], "expected": dict(expect),
                             "got": _shown(expect, got)})
    return EvalReport(total=total, passed=passed, failures=tuple(failures), latencies_ms=tuple(latencies),
                      outcomes=tuple(outcomes))
