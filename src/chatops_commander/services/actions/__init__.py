"""One action pipeline for every door (ADR 0011): requests in, outcomes out as data, commands written ahead."""

from chatops_commander.services.actions.journal import CommandJournal, Entry
from chatops_commander.services.actions.pipeline import ActionPipeline, Decided
from chatops_commander.services.actions.request import (
    ActionRequest,
    Door,
    NeedsApproval,
    NeedsConfirmation,
    Outcome,
    Ran,
    Refused,
)

__all__ = ["ActionPipeline", "ActionRequest", "CommandJournal", "Decided", "Door", "Entry", "NeedsApproval",
           "NeedsConfirmation", "Outcome", "Ran", "Refused"]
