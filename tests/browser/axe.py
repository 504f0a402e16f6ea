"""axe-core in the page under test: the vendored `axe.min.js` (npm package `axe-core`, tests/browser/vendor, with
its licence) is evaluated through the DevTools protocol, so the check runs offline and the page's CSP
(`script-src 'self'`) stays as it is; `serious` and `critical` violations fail the test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page: Any, include: str | None = None, *,
               impacts: tuple[str, ...] = BLOCKING) -> list[dict[str, Any]]:
    """Violations of WCAG 2.x A/AA and best-practice rules with one of `impacts`, on the page or inside the
    `include` selector."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    context = json.dumps({"include": [include]}) if include else ""
    found: list[dict[str, Any]] = page.evaluate(
        """async (context) => {
            const options = { resultTypes: ["violations"], runOnly: { type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } };
            const result = await window.axe.run(context ? JSON.parse(context) : document, options);
            return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " — " + n.failureSummary) }));
        }""", context)
    return [v for v in found if v.get("impact") in impacts]


def describe(found: list[dict[str, Any]]) -> str:
    return "\n".join(f"[{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in found)


def assert_accessible(page: Any, where: str = "", *, include: str | None = None) -> None:
    """No serious or critical violation; `where` names the page in the failure, or is a CSS selector (`#main`)
    to check only that part."""
    selector = include or (where if where.startswith(("#", ".", "[")) else None)
    found = violations(page, selector)
    assert not found, f"axe-core on {where or 'the page'}:\n{describe(found)}"
