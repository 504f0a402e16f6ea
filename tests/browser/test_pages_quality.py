"""Every page I own, at 1440×900 and 390×844, dark and light: axe-core finds no serious or critical violation,
no horizontal scroll, every action is reachable with the keyboard, the login card is centred; and the same run
writes the gallery (`scripts/gallery.sh` sets CHATOPS_GALLERY_DIR)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.axe import assert_accessible
from tests.browser.conftest import OPERATOR_EMAIL, LiveServer, watch
from tests.browser.pages_support import (
    EDGE,
    SIZES,
    THEMES,
    expect,
    gallery_dir,
    login,
    new_context,
    no_horizontal_scroll,
    pages_server,
)

pytestmark = pytest.mark.browser
__all__ = ["pages_server"]  # the fixture, imported for this module

PAGES = (  # (name, path, what shows the page is ready)
    ("dashboard", "/dashboard", "[data-testid=services-panel]"),
    ("servers", "/servers", f"[data-testid='reason-{EDGE}'] [data-testid=server-reason]"),
    ("history", "/history", "#history-rows"),
    ("users", "/users", "table"),
    ("settings", "/settings", "[data-testid=token-list]"),
    ("welcome", "/welcome", "main h1"),
    ("chat", "/chat", "main h1, main h2"),
    ("404", "/no-such-page", "[data-testid=error-404]"),
)
OWNED = {"dashboard", "servers", "history", "users", "settings", "welcome", "404", "403", "login"}

FOCUSABLE_JS = """() => {
  const sel = 'main a[href], main button:not([disabled]), main input:not([type=hidden]):not([disabled]), ' +
              'main select:not([disabled]), main textarea:not([disabled]), main summary, main [tabindex="0"]';
  const visible = (el) => {
    if (el.closest('[hidden], details:not([open]) > :not(summary)')) return false;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const radios = new Set();
  const out = [];
  document.querySelectorAll(sel).forEach((el, i) => {
    if (!visible(el)) return;
    if (el.type === 'radio') {  // a radio group is one tab stop
      if (radios.has(el.name)) return;
      radios.add(el.name);
      el = Array.from(document.getElementsByName(el.name)).find(r => r.checked) || el;
    }
    el.dataset.kb = String(i);
    out.push(el.dataset.kb);
  });
  return out;
}"""


def tab_reaches_everything(page: Any, where: str) -> None:
    """Tab from the top of the page: every visible control of the main area gets the focus."""
    wanted = set(page.evaluate(FOCUSABLE_JS))
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").focus()
    seen: set[str] = set()
    for _ in range(len(wanted) + 60):
        page.keyboard.press("Tab")
        kb = page.evaluate("() => document.activeElement ? (document.activeElement.dataset.kb || '') : ''")
        if kb:
            seen.add(kb)
        if wanted <= seen:
            break
    missing = wanted - seen
    if missing:
        names = page.evaluate(
            "(ids) => ids.map(i => document.querySelector(`[data-kb='${i}']`).outerHTML.slice(0, 120))",
            sorted(missing))
        pytest.fail(f"not reachable with Tab on {where}: {names}")


def login_card_centred(page: Any) -> None:
    box = page.locator(".auth-card").bounding_box()
    viewport = page.viewport_size
    centre_x = box["x"] + box["width"] / 2
    assert abs(centre_x - viewport["width"] / 2) <= 2, f"login card off-centre: {box} in {viewport}"
    if box["height"] < viewport["height"]:
        centre_y = box["y"] + box["height"] / 2
        assert abs(centre_y - viewport["height"] / 2) <= 2, f"login card not vertically centred: {box}"
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def shoot(page: Any, name: str, size: str, theme: str) -> None:
    folder = gallery_dir()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}-{size}-{theme}.png"), full_page=False)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", tuple(SIZES))
def test_every_page_is_accessible_fits_and_works_by_keyboard(pages_server: LiveServer, browser: Any, size: str,
                                                             theme: str) -> None:
    ex = expect()
    base = pages_server.base
    ctx = new_context(browser, base, size=size, theme=theme)
    try:
        page = ctx.new_page()
        w = watch(page)
        page.goto(f"{base}/login")
        ex(page.locator("html")).to_have_attribute("data-theme", theme)
        ex(page.locator("#email")).to_be_focused()
        login_card_centred(page)
        assert_accessible(page, f"login {size} {theme}")
        no_horizontal_scroll(page)
        shoot(page, "login", size, theme)
        login(page, base)
        for name, path, ready in PAGES:
            response = page.goto(f"{base}{path}")
            assert response is not None
            ex(page.locator(ready).first).to_be_attached()
            shoot(page, name, size, theme)  # first: the top of the page, nothing focused yet
            where = f"{name} {size} {theme}"
            if name in OWNED:
                assert_accessible(page, where)
                no_horizontal_scroll(page)
                tab_reaches_everything(page, where)
        # the 404 is the point; a navigation may cancel a static file still loading (favicon): not a failure
        w.problems = [p for p in w.problems if "/no-such-page" not in p
                      and not (p.startswith("requestfailed") and "ERR_ABORTED" in p and "/static/" in p)]
        w.assert_clean()
    finally:
        ctx.close()

    # a viewer or operator opening an admin page: the product's 403 page
    ctx = new_context(browser, base, size=size, theme=theme)
    try:
        page = ctx.new_page()
        login(page, base, OPERATOR_EMAIL)
        response = page.goto(f"{base}/users")
        assert response is not None and response.status == 403
        ex(page.locator("[data-testid=error-403]")).to_be_visible()
        shoot(page, "403", size, theme)
        assert_accessible(page, f"403 {size} {theme}")
        no_horizontal_scroll(page)
        tab_reaches_everything(page, f"403 {size} {theme}")
        page.goto(f"{base}/history")  # an operator's own commands, not the audit trail
        ex(page.locator("[data-testid=my-commands-count]")).to_be_visible()
        assert_accessible(page, f"history (operator) {size} {theme}")
        no_horizontal_scroll(page)
        tab_reaches_everything(page, f"history (operator) {size} {theme}")
    finally:
        ctx.close()


def test_the_pages_in_french_on_a_phone_fit_and_pass_axe(pages_server: LiveServer, browser: Any) -> None:
    """French strings are longer: the same checks on a phone, with the pages' own French texts."""
    ex = expect()
    base = pages_server.base
    ctx = new_context(browser, base, size="phone", theme="light", lang="fr")
    try:
        page = ctx.new_page()
        login(page, base)
        for name, path, ready in PAGES:
            if name not in OWNED:
                continue
            page.goto(f"{base}{path}")
            ex(page.locator(ready).first).to_be_attached()
            ex(page.locator("html")).to_have_attribute("lang", "fr")
            assert_accessible(page, f"{name} fr phone light")
            no_horizontal_scroll(page)
        page.goto(f"{base}/settings")
        ex(page.get_by_role("heading", name="Vos jetons d'API")).to_be_visible()
        ex(page.get_by_role("button", name="Changer le mot de passe")).to_be_visible()
        page.goto(f"{base}/servers")
        ex(page.get_by_text("Clé d'hôte non approuvée")).to_be_visible()
    finally:
        ctx.close()
