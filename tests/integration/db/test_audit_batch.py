"""Many audit events in one transaction (a fan-out's per-host records) chain correctly and verify."""

from __future__ import annotations

import itertools

from chatops_commander import bootstrap
from chatops_commander.domain.security.audit_events import AuditAction, AuditOutcome
from chatops_commander.services import audit
from chatops_commander.services.principal import Principal

CLI = Principal.cli("pytest")


async def test_a_batch_of_events_in_one_transaction_is_one_valid_chain(container: bootstrap.Container) -> None:
    await audit.record_alone(container.uow, CLI, AuditAction.COMMAND_EXECUTED, AuditOutcome.SUCCESS,
                             target="before")
    async with container.uow() as uow:
        for i in range(30):
            await audit.record(uow, CLI, AuditAction.COMMAND_EXECUTED, AuditOutcome.SUCCESS, target=f"h{i:03d}")
        await uow.commit()
    await audit.record_alone(container.uow, CLI, AuditAction.COMMAND_EXECUTED, AuditOutcome.SUCCESS,
                             target="after")
    chain = list(await audit.events(container.uow))
    assert [e.seq for e in chain] == list(range(chain[0].seq, chain[0].seq + 32))
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(chain))
    report = await audit.verify(container.uow, head=bootstrap.audit_log_head(container.settings),
                                keys=container.security.audit_keys.all())
    assert report.ok, report
