"""Tiny server-side sparklines: an SVG path for a series (no script, no chart library for the cards)."""

from __future__ import annotations

from collections.abc import Sequence

WIDTH = 100.0
HEIGHT = 24.0


def path(values: Sequence[float | None], *, top: float | None = None) -> str:
    """An SVG path `d` over a 100×24 box; gaps (None) break the line; empty when fewer than two points."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(points) < 2:
        return ""
    high = top if top is not None else max(v for _, v in points)
    high = high if high > 0 else 1.0
    step = WIDTH / max(len(values) - 1, 1)
    out: list[str] = []
    previous = -2
    for i, v in points:
        x = i * step
        y = HEIGHT - min(max(v / high, 0.0), 1.0) * (HEIGHT - 2) - 1
        out.append(f"{'L' if i == previous + 1 else 'M'}{x:.1f} {y:.1f}")
        previous = i
    return "".join(out)


def last(values: Sequence[float | None]) -> float | None:
    for v in reversed(values):
        if v is not None:
            return v
    return None
