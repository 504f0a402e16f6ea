"""Contrast of the theme's text colours on its surfaces (WCAG 2.x), read from app.css: no browser needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "src/chatops_commander/entrypoints/web/static/css/app.css"
TEXT = ("--text", "--muted", "--cyan", "--green", "--orange", "--risk-low", "--risk-medium", "--risk-high",
        "--risk-critical")
SURFACES = ("--bg", "--surface", "--surface-2")


def _theme(selector: str) -> dict[str, str]:
    block = re.search(re.escape(selector) + r"[^{]*\{([^}]*)\}", CSS.read_text()).group(1)  # type: ignore[union-attr]
    return dict(re.findall(r"(--[a-z0-9-]+):\s*(#[0-9A-Fa-f]{6}|var\(--[a-z0-9-]+\))", block))


def _palette(theme: str) -> dict[str, str]:
    dark = _theme(':root, [data-theme="dark"]')
    raw = dark if theme == "dark" else {**dark, **_theme('[data-theme="light"]')}
    resolved = {}
    for name, value in raw.items():
        while value.startswith("var("):
            value = raw[value[4:-1]]
        resolved[name] = value
    return resolved


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def ratio(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_text_colours_reach_aa_on_every_surface(theme: str) -> None:
    colours = _palette(theme)
    failures = [f"{t} {colours[t]} on {s} {colours[s]}: {ratio(colours[t], colours[s]):.2f}"
                for t in TEXT for s in SURFACES if ratio(colours[t], colours[s]) < 4.5]
    assert not failures, failures


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_primary_button_text(theme: str) -> None:
    colours = _palette(theme)
    assert ratio(colours["--on-primary"], colours["--primary"]) >= 4.5
