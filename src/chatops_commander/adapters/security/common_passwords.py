"""Loads the bundled common-password list (a package resource) for the password policy."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load_common_passwords() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip().casefold() for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
