"""axe-core (npm `axe-core`, vendored under tests/browser/vendor with its licence) run inside a page.

The page's CSP forbids injected scripts, so contexts that run axe are opened with `bypass_csp=True`
(the CSP itself is asserted elsewhere, on a normal context)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page: Any, *, impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """The violations of WCAG 2.x A/AA and best-practice rules with one of `impacts` on the current page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"],
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + (n.failureSummary || ""))}));
        }""")
    return [v for v in found if v.get("impact") in impacts]


def describe(found: list[dict[str, Any]]) -> str:
    return "\n".join(f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found)


def assert_accessible(page: Any, where: str) -> None:
    found = violations(page)
    assert not found, f"axe-core on {where}:\n{describe(found)}"
