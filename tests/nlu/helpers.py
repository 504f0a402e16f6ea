"""Shared helpers for the language tests: the dev-set inventory and a cached parser."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from chatops_commander.domain.inventory import Inventory
from chatops_commander.domain.parsed import ParsedCommand
from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.parser import Parser
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS

HERE = Path(__file__).parent
INVENTORY_PATH = HERE / "inventory.yml"
CASES_PATH = HERE / "cases.jsonl"


@lru_cache(maxsize=1)
def dev_inventory() -> Inventory:
    from chatops_commander.adapters.inventory import load_inventory

    return load_inventory(INVENTORY_PATH)


@lru_cache(maxsize=1)
def dev_parser() -> Parser:
    return Parser(BUILTIN_SPECS, dev_inventory())


def parse_after(text: str, *context: str) -> ParsedCommand:
    """`text` parsed by the dev parser after the earlier turns `context` of the same conversation."""
    parser = dev_parser()
    ctx = ConversationContext()
    for turn in context:
        ctx = parser.parse_turn(turn, ctx)[1]
    return parser.parse(text, ctx)
