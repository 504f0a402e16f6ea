"""axe-core in the page under test: the vendored `axe.min.js` (npm package `axe-core`, tests/browser/vendor) is
injected as a script, so the check runs offline; `serious` and `critical` violations fail the test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page: Any, include: str | None = None) -> list[dict[str, Any]]:
    """Every serious or critical violation on the page (or inside the `include` selector)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays as it is
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    context = json.dumps({"include": [include]} if include else None)
    found: list[dict[str, Any]] = page.evaluate(
        """async (context) => {
            const options = { resultTypes: ["violations"], runOnly: { type: "tag",
                values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } };
            const result = await window.axe.run(context ? JSON.parse(context) : document, options);
            return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " — " + n.failureSummary) }));
        }""", context)
    return [v for v in found if v["impact"] in BLOCKING]


def assert_accessible(page: Any, include: str | None = None) -> None:
    problems = violations(page, include)
    assert not problems, "axe-core: " + json.dumps(problems, indent=1, ensure_ascii=False)
