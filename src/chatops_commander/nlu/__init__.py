"""Language understanding: English and French requests → ParsedCommand (docs/ACTIONS.md).

Offline and deterministic by default; an optional fallback strategy (see `fallback.py`) is
consulted only when the offline confidence is below a threshold.
"""

from chatops_commander.nlu.context import ConversationContext
from chatops_commander.nlu.evaluation import EvalReport, evaluate, load_cases
from chatops_commander.nlu.fallback import FallbackStrategy, Proposal
from chatops_commander.nlu.messages import understood
from chatops_commander.nlu.parser import Parser, parse_text

__all__ = [
    "ConversationContext", "EvalReport", "FallbackStrategy", "Parser", "Proposal", "evaluate", "load_cases",
    "parse_text", "understood",
]
