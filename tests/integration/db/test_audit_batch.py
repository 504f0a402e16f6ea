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


async def test_events_appended_many_at_once_are_sealed_with_the_audit_key_and_verify(
    container: bootstrap.Container,
) -> None:
    """The pipeline's batched writes (append_many) seal like single appends: keyed, chained, verifiable."""
    from datetime import UTC, datetime

    from chatops_commander.domain.security.audit_events import AuditDraft

    await audit.record_alone(container.uow, CLI, AuditAction.COMMAND_EXECUTED, AuditOutcome.SUCCESS, target="first")
    now = datetime.now(UTC)
    async with container.uow() as uow:
        await audit.record(uow, CLI, AuditAction.COMMAND_EXECUTED, AuditOutcome.SUCCESS, target="single")
        await uow.audit.append_many([AuditDraft(actor=CLI.actor, action=AuditAction.COMMAND_EXECUTED,
                                                outcome=AuditOutcome.SUCCESS, occurred_at=now, target=f"b{i}")
                                     for i in range(5)])
        await uow.commit()
    chain = list(await audit.events(container.uow))
    assert [e.target for e in chain[-6:]] == ["single", "b0", "b1", "b2", "b3", "b4"]
    assert all(e.hash_kid for e in chain), [e.hash_kid for e in chain]  # every row keyed, batch included
    assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(chain))
    report = await audit.verify(container.uow, keys=container.security.audit_keys.all())
    assert report.ok, report


async def test_an_attempt_carrying_a_nul_character_is_recorded_and_verifies_on_every_database(
    container: bootstrap.Container,
) -> None:
    """PostgreSQL refuses U+0000 in text and JSON: a refused request's target or details holding one (a fuzzer's
    e-mail address) is still recorded, as U+FFFD, and the chain verifies."""
    from datetime import UTC, datetime

    from chatops_commander.domain.security.audit_events import AuditDraft

    await audit.record_alone(container.uow, CLI, AuditAction.AUTHORIZATION_DENIED, AuditOutcome.DENIED,
                             target="00@\x00", details={"email": "a\x00b", "list": ["\x00"]})
    async with container.uow() as uow:
        await uow.audit.append_many([AuditDraft(actor="x\x00", action=AuditAction.AUTHORIZATION_DENIED,
                                                outcome=AuditOutcome.DENIED, occurred_at=datetime.now(UTC),
                                                target="\x00", details={"k\x00": "v"})])
        await uow.commit()
    *_, single, many = list(await audit.events(container.uow))
    assert single.target == "00@\ufffd" and single.details["email"] == "a\ufffdb"
    assert single.details["list"] == ["\ufffd"]
    assert many.actor == "x\ufffd" and many.target == "\ufffd" and many.details["k\ufffd"] == "v"
    report = await audit.verify(container.uow, head=bootstrap.audit_log_head(container.settings),
                                keys=container.security.audit_keys.all())
    assert report.ok, report
