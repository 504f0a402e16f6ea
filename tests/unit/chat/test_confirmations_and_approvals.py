"""Confirmations (single use, 5 minutes, bound to user + conversation + action hash) and approvals (4-eyes)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from chatops_commander.domain.chat.approvals import Approval, ApprovalState, decide
from chatops_commander.domain.chat.confirmations import (
    Confirmation,
    ConfirmationState,
    Refusal,
    action_hash,
    canonical_action,
    check,
)
from chatops_commander.domain.errors import Conflict, PermissionDenied, ValidationFailed
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Role

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def conf(**kw: object) -> Confirmation:
    values: dict[str, object] = dict(user_id="u1", conversation_id="c1", action="service.restart",
                                     targets=["web-01"], service="nginx", parameters={}, risk=Risk.MEDIUM, now=NOW,
                                     lang="fr")
    values.update(kw)
    return Confirmation.create(**values)  # type: ignore[arg-type]


def test_hash_is_over_the_canonical_action_and_ignores_target_order() -> None:
    assert action_hash("a.b", ["y", "x"], None, {"k": 1}) == action_hash("a.b", ["x", "y"], None, {"k": 1})
    assert action_hash("a.b", ["x"], None, {"k": 1}) != action_hash("a.b", ["x"], None, {"k": 2})
    assert canonical_action("a.b", ["y", "x"], "s", {"b": 1, "a": 2}) == (
        '{"action":"a.b","parameters":{"a":2,"b":1},"service":"s","targets":["x","y"]}')


def test_pending_confirmation_is_usable_by_its_owner_in_its_conversation() -> None:
    c = conf()
    assert c.state is ConfirmationState.PENDING and c.expires_at == NOW + timedelta(minutes=5)
    assert check(c, user_id="u1", conversation_id="c1", now=NOW + timedelta(minutes=4)).ok


@pytest.mark.parametrize(("change", "kw", "refusal"), [
    ({}, {"user_id": "u2"}, Refusal.OTHER_USER),
    ({}, {"conversation_id": "c2"}, Refusal.OTHER_CONVERSATION),
    ({"targets": ("web-02",)}, {}, Refusal.TAMPERED),
    ({"parameters": {"x": 1}}, {}, Refusal.TAMPERED),
    ({}, {"presented_hash": "0" * 64}, Refusal.TAMPERED),
    ({"state": ConfirmationState.CONFIRMED}, {}, Refusal.REPLAYED),
    ({"state": ConfirmationState.CANCELLED}, {}, Refusal.CANCELLED),
    ({"state": ConfirmationState.EXPIRED}, {}, Refusal.EXPIRED),
    ({}, {"now": NOW + timedelta(minutes=5)}, Refusal.EXPIRED),
])
def test_refusals_say_why_in_both_languages(change: dict[str, object], kw: dict[str, object],
                                            refusal: Refusal) -> None:
    c = dataclasses.replace(conf(), **change)  # type: ignore[arg-type]
    args: dict[str, object] = {"user_id": "u1", "conversation_id": "c1", "now": NOW}
    args.update(kw)
    verdict = check(c, **args)  # type: ignore[arg-type]
    assert not verdict.ok and verdict.refusal is refusal
    assert verdict.reason("fr") and verdict.reason("en") and verdict.reason("fr") != verdict.reason("en")


def test_confirming_makes_it_single_use() -> None:
    used = conf().confirmed(NOW)
    verdict = check(used, user_id="u1", conversation_id="c1", now=NOW)
    assert verdict.refusal is Refusal.REPLAYED and verdict.audit_kind == "replayed"
    assert check(conf(), user_id="u2", conversation_id="c1", now=NOW).audit_kind == "forged"


def approval() -> Approval:
    return Approval.request(requester_id="op", requester="op@x", conversation_id="c1", action="app.deploy",
                            targets=["web-01", "web-02"], service=None,
                            parameters={"version": "v2.5.0", "environment": "production"}, risk=Risk.CRITICAL,
                            now=NOW, lang="en")


def test_an_admin_approves_another_persons_request() -> None:
    done = decide(approval(), approver_role=Role.ADMIN, approver_id="ad", approver="ad@x", approve=True,
                  reason=None, now=NOW)
    assert done.state is ApprovalState.APPROVED and done.decided_by == "ad@x"
    with pytest.raises(Conflict):
        decide(done, approver_role=Role.ADMIN, approver_id="ad2", approver="ad2@x", approve=False, reason="no",
               now=NOW)


def test_four_eyes_refuses_self_approval_and_non_admins() -> None:
    with pytest.raises(PermissionDenied) as own:
        decide(approval(), approver_role=Role.ADMIN, approver_id="op", approver="op@x", approve=True, reason=None,
               now=NOW)
    assert "own" in own.value.message and "propre" in own.value.message_fr
    with pytest.raises(PermissionDenied):
        decide(approval(), approver_role=Role.OPERATOR, approver_id="op2", approver="o@x", approve=True,
               reason=None, now=NOW)


def test_rejection_needs_a_reason_and_keeps_it() -> None:
    with pytest.raises(ValidationFailed):
        decide(approval(), approver_role=Role.ADMIN, approver_id="ad", approver="ad@x", approve=False, reason=" ",
               now=NOW)
    done = decide(approval(), approver_role=Role.ADMIN, approver_id="ad", approver="ad@x", approve=False,
                  reason="freeze week", now=NOW)
    assert done.state is ApprovalState.REJECTED and done.reason == "freeze week"


def test_a_tampered_request_cannot_be_approved() -> None:
    bad = dataclasses.replace(approval(), parameters={"version": "v9", "environment": "production"})
    with pytest.raises(Conflict):
        decide(bad, approver_role=Role.ADMIN, approver_id="ad", approver="ad@x", approve=True, reason=None, now=NOW)
