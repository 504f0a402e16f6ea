"""The seed's RBAC matrix plus per-server permissions, exactly."""

from __future__ import annotations

import pytest

from chatops_commander.domain.errors import PermissionDenied
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission, Role
from chatops_commander.domain.security.authorization import (
    ServerPermission,
    authorize,
    authorize_on_servers,
    can_approve,
)
from chatops_commander.skills.builtin_specs import BUILTIN_SPECS

READ_ONLY = ServerPermission(can_read=True)
EXEC = ServerPermission(can_read=True, can_execute=True)
FULL = ServerPermission(can_read=True, can_execute=True, can_admin=True)

# (action, viewer, operator, admin) from the seed's "Matrice de permissions";
# "approval" = allowed only with an admin's approval.
SEED_MATRIX = [
    ("fleet.health", True, True, True),
    ("server.load", True, True, True),
    ("server.logs", True, True, True),
    ("service.status", True, True, True),
    ("service.restart", False, True, True),
    ("app.deploy", False, "approval", True),
    ("server.add", False, False, True),
    ("server.remove", False, False, True),
    ("shell.run", False, False, True),
    ("server.reboot", False, False, True),
]
SPECS = {s.id: s for s in BUILTIN_SPECS}


@pytest.mark.parametrize(("action_id", "viewer", "operator", "admin"), SEED_MATRIX)
def test_each_role_gets_the_seed_matrix_answer_for_catalog_actions(action_id, viewer, operator, admin):
    spec = SPECS.get(action_id)
    if spec is None:
        pytest.fail(f"{action_id} not in the catalog")
    for role, expected in ((Role.VIEWER, viewer), (Role.OPERATOR, operator), (Role.ADMIN, admin)):
        d = authorize(role, spec.permission, spec.risk, FULL, action_id=spec.id,
                      approval_for_operators=spec.approval_for_operators)
        assert d.allowed is bool(expected), (role, action_id, d)
        assert d.needs_approval is (expected == "approval"), (role, action_id, d)


def test_every_catalog_action_is_refused_to_viewers_unless_it_only_reads():
    for spec in BUILTIN_SPECS:
        d = authorize(Role.VIEWER, spec.permission, spec.risk, FULL, action_id=spec.id)
        assert d.allowed is (spec.permission in (Permission.NONE, Permission.READ) and spec.risk.rank < 2)


def test_admin_needs_no_approval_and_bypasses_server_permissions():
    d = authorize(Role.ADMIN, Permission.ADMIN, Risk.CRITICAL, None, action_id="app.deploy")
    assert d.allowed
    assert not d.needs_approval
    assert d.needs_confirmation


def test_viewer_is_refused_high_and_critical_risk_even_for_reads():
    d = authorize(Role.VIEWER, Permission.READ, Risk.HIGH, READ_ONLY)
    assert not d.allowed
    assert d.code == "risk_forbids"


def test_operator_without_can_execute_on_a_server_cannot_run_anything_there():
    d = authorize(Role.OPERATOR, Permission.EXECUTE, Risk.MEDIUM, READ_ONLY, server_name="web-01")
    assert not d.allowed
    assert d.code == "server_forbids"
    assert "web-01" in d.reason_en
    assert "web-01" in d.reason_fr
    assert "can_execute" in d.reason_fr


def test_missing_permission_row_grants_nothing_to_non_admins():
    assert not authorize(Role.VIEWER, Permission.READ, Risk.LOW, None).allowed
    assert not authorize(Role.OPERATOR, Permission.EXECUTE, Risk.MEDIUM, None).allowed
    assert authorize(Role.ADMIN, Permission.EXECUTE, Risk.MEDIUM, None).allowed


def test_without_can_read_a_viewer_cannot_read_that_server_and_is_not_told_it_exists():
    d = authorize(Role.VIEWER, Permission.READ, Risk.LOW, ServerPermission(), server_name="db-01")
    assert not d.allowed
    assert "db-01" not in d.reason_en + d.reason_fr and "can_read" not in d.reason_en
    unknown = authorize(Role.OPERATOR, Permission.EXECUTE, Risk.MEDIUM, None, server_name="db-01")
    assert (unknown.reason_en, unknown.reason_fr) == (d.reason_en, d.reason_fr)  # hidden = missing


def test_higher_server_flags_imply_lower_ones():
    assert authorize(Role.OPERATOR, Permission.READ, Risk.LOW, ServerPermission(can_execute=True)).allowed
    assert authorize(Role.OPERATOR, Permission.EXECUTE, Risk.MEDIUM, ServerPermission(can_admin=True)).allowed


def test_actions_touching_no_host_skip_the_server_check():
    assert authorize(Role.VIEWER, Permission.READ, Risk.LOW, None, targets_server=False).allowed
    assert authorize(Role.VIEWER, Permission.NONE, Risk.LOW, None).allowed


def test_operator_is_refused_admin_permission_actions_with_a_bilingual_reason():
    d = authorize(Role.OPERATOR, Permission.ADMIN, Risk.HIGH, FULL)
    assert not d.allowed
    assert d.reason("en").startswith("This action needs the admin role")
    assert d.reason("fr").startswith("Cette action demande le rôle admin")
    with pytest.raises(PermissionDenied) as err:
        d.raise_if_denied()
    assert err.value.localized("fr") == d.reason_fr


def test_medium_risk_needs_confirmation_and_low_does_not():
    assert authorize(Role.OPERATOR, Permission.EXECUTE, Risk.MEDIUM, EXEC).needs_confirmation
    assert not authorize(Role.OPERATOR, Permission.READ, Risk.LOW, EXEC).needs_confirmation


def test_on_several_servers_the_first_refusal_names_the_server():
    d = authorize_on_servers(Role.OPERATOR, Permission.EXECUTE, Risk.HIGH,
                             {"web-01": EXEC, "web-02": READ_ONLY})
    assert not d.allowed
    assert "web-02" in d.reason_en
    ok = authorize_on_servers(Role.OPERATOR, Permission.EXECUTE, Risk.HIGH, {"web-01": EXEC, "web-02": EXEC})
    assert ok.allowed


def test_only_another_admin_can_approve():
    assert not can_approve(Role.OPERATOR, "u2", "u1").allowed
    self_approval = can_approve(Role.ADMIN, "u1", "u1")
    assert not self_approval.allowed
    assert self_approval.code == "self_approval"
    assert can_approve(Role.ADMIN, "u2", "u1").allowed
