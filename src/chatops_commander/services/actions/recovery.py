"""At start-up: what the last process left running was interrupted (kill -9, a crash, a power cut).

Commands are written ahead (`journal.CommandJournal.start`), so a row still `pending` or
`running` when the server starts again belongs to a process that died before it learned the
outcome: it becomes `interrupted` with a COMMAND_INTERRUPTED audit event, deployments left
`running` become `interrupted` (DEPLOYMENT_INTERRUPTED), and each conversation concerned gets a
line saying so, in its language. The command may well have finished on the host: the line says
to check there rather than pretending to know.

One process owns the rows it writes: with several replicas sharing one database, start-up sweeps
would close the others' live rows, so `chatops serve` runs this only when
CHATOPS_SWEEP_INTERRUPTED_AT_START is on (the default; turn it off for multi-replica setups).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from uuid import UUID

from chatops_commander.domain.chat.deployments import interrupted
from chatops_commander.domain.chat.records import ChatMessage, CommandState
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.services import audit
from chatops_commander.services.ports import Clock

if TYPE_CHECKING:  # the chat package imports this one: its ports only for annotations
    from chatops_commander.services.chat.ports import ChatUnitOfWorkFactory

SYSTEM_ACTOR = "system:start-up"


@dataclass(frozen=True)
class Swept:
    commands: int
    deployments: int
    conversations: int


def interrupted_line(commands: list[str], deployments: list[str], lang: str) -> str:
    """The line posted to a conversation whose commands or deployments were cut short."""
    fr = lang == "fr"
    parts: list[str] = []
    if commands:
        what = ", ".join(commands)
        parts.append(f"⚠️ Le serveur ChatOps s'est arrêté pendant l'exécution de : {what}. Je n'en connais pas le "
                     f"résultat : vérifiez l'état sur le serveur concerné avant de relancer." if fr else
                     f"⚠️ The ChatOps server stopped while this was running: {what}. I do not know how it ended: "
                     f"check the host before running it again.")
    if deployments:
        what = ", ".join(deployments)
        parts.append(f"⚠️ Déploiement interrompu : {what}. Les serveurs peuvent être dans un état intermédiaire."
                     if fr else f"⚠️ Deployment interrupted: {what}. The hosts may be half-way.")
    return "\n".join(parts)


async def sweep_interrupted(uow_factory: ChatUnitOfWorkFactory, clock: Clock) -> Swept:
    now = clock.now()
    by_conversation: dict[UUID, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    async with uow_factory() as uow:
        rows = await uow.commands.left_open()
        deployments = await uow.deployments.left_running()
        for row in rows:
            closed = dataclasses.replace(row, state=CommandState.INTERRUPTED.value, outcome="interrupted",
                                         output=row.output or "interrupted: the server stopped before the outcome "
                                                              "was known", finished_at=now)
            await uow.commands.finish(closed)
            await audit.record(uow, None, AuditAction.COMMAND_INTERRUPTED, AuditOutcome.FAILURE, actor=SYSTEM_ACTOR,
                               target=row.server_name, details={
                                   "commandId": str(row.id), "action": row.action, "command": row.command,
                                   "serverName": row.server_name, "requestedBy": row.actor, "door": row.door,
                                   "startedAt": row.executed_at,
                                   "conversation_id": str(row.conversation_id) if row.conversation_id else None})
            if row.conversation_id is not None:
                by_conversation[row.conversation_id][0].append(f"{row.action} ({row.server_name})")
        for deployment in deployments:
            await uow.deployments.finish(interrupted(deployment, now=now))
            await audit.record(uow, None, AuditAction.DEPLOYMENT_INTERRUPTED, AuditOutcome.FAILURE,
                               actor=SYSTEM_ACTOR, target=",".join(deployment.hosts), details={
                                   "deployment_id": deployment.id, "application": deployment.application,
                                   "version": deployment.version, "kind": deployment.kind.value,
                                   "requestedBy": deployment.requested_by})
            if deployment.conversation_id:
                by_conversation[UUID(deployment.conversation_id)][1].append(
                    f"{deployment.application} {deployment.version}")
        posted = 0
        for conversation_id, (commands, deploys) in by_conversation.items():
            conv = await uow.conversations.get(conversation_id)
            if conv is None:
                continue
            lang = _lang_of(conv.context)
            await uow.messages.add(ChatMessage(conversation_id, "assistant", interrupted_line(commands, deploys, lang),
                                               {"lang": lang, "interrupted": True}))
            posted += 1
        await uow.commit()
    return Swept(len(rows), len(deployments), posted)


def _lang_of(context: Any) -> str:
    nlu = (context or {}).get("nlu") or {}
    lang = nlu.get("lang") if isinstance(nlu, dict) else None
    return lang if lang in ("en", "fr") else "en"
