"""RBAC decisions: the seed's role matrix plus per-server permissions.

Matrix (seed "Authorization (RBAC)" and ACTIONS.md "Risk"):

* viewer   — actions needing no permission or `read`; never `execute`/`admin`; never high/critical.
* operator — viewer + `execute` actions; an action flagged `approval_for_operators`
             (`app.deploy`) is allowed only with an admin's approval (4-eyes); never `admin`.
* admin    — everything (admin-permission actions, users, servers, config); per-server
             permissions do not apply to admins.

Per-server permissions (seed table `permissions`): for a non-admin acting on a server, `read`
needs `can_read`, `execute` needs `can_execute`. A higher flag implies the lower ones
(`can_admin` ⇒ `can_execute` ⇒ `can_read`). No permission row (None) grants nothing: fail closed.

Permissions by tag (`tag_permissions`): a grant on a tag applies to every server carrying it, now
and later. A server's own row, when there is one, wins over its tags (the most specific says, so
an admin can leave one `web` host out of a `web` grant); otherwise the grants of its tags add up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chatops_commander.domain.errors import PermissionDenied
from chatops_commander.domain.risk import Risk
from chatops_commander.domain.roles import Permission, Role

APPROVAL_ACTIONS: frozenset[str] = frozenset({"app.deploy"})
# The refusal for a server the user may not read: the same for a server that does not exist, never its name.
HIDDEN_SERVER_EN = "There is no such server among the ones you may use."
HIDDEN_SERVER_FR = "Aucun serveur de ce nom parmi ceux que vous pouvez utiliser."


@dataclass(frozen=True)
class ServerPermission:
    can_read: bool = False
    can_execute: bool = False
    can_admin: bool = False

    def grants(self, permission: Permission) -> bool:
        if permission is Permission.NONE:
            return True
        if permission is Permission.READ:
            return self.can_read or self.can_execute or self.can_admin
        if permission is Permission.EXECUTE:
            return self.can_execute or self.can_admin
        return self.can_admin


def effective_permission(row: ServerPermission | None, server_tags: Iterable[str],
                         tag_grants: Mapping[str, ServerPermission]) -> ServerPermission | None:
    """The permission a user holds on one server: its own row if any, else the union of the grants
    on its tags, else None (nothing)."""
    if row is not None:
        return row
    matching = [tag_grants[t] for t in server_tags if t in tag_grants]
    if not matching:
        return None
    return ServerPermission(can_read=any(g.can_read for g in matching),
                            can_execute=any(g.can_execute for g in matching),
                            can_admin=any(g.can_admin for g in matching))


@dataclass(frozen=True)
class Decision:
    allowed: bool
    needs_approval: bool
    needs_confirmation: bool
    code: str  # stable: "allowed", "role_forbids", "risk_forbids", "server_forbids", ...
    reason_en: str
    reason_fr: str

    def reason(self, lang: str) -> str:
        return self.reason_fr if lang == "fr" else self.reason_en

    def raise_if_denied(self) -> None:
        if not self.allowed:
            raise PermissionDenied(self.reason_en, message_fr=self.reason_fr)


def _deny(code: str, en: str, fr: str) -> Decision:
    return Decision(False, False, False, code, en, fr)


def _server_label(server_name: str | None) -> tuple[str, str]:
    if server_name:
        return f"on {server_name}", f"sur {server_name}"
    return "on this server", "sur ce serveur"


def authorize(
    role: Role,
    permission: Permission,
    risk: Risk,
    server_permission: ServerPermission | None,
    *,
    targets_server: bool = True,
    action_id: str = "",
    approval_for_operators: bool = False,
    server_name: str | None = None,
) -> Decision:
    """Decide whether `role` may run an action needing `permission` at `risk`.

    `server_permission` is the principal's row for the target server (None: no row). Pass
    `targets_server=False` for actions that touch no host (alerts.list, chat.*): the per-server
    check is then skipped. Confirmation is `risk.requires_confirmation` for every role.
    """
    confirm = risk.requires_confirmation
    if role is Role.ADMIN:
        return Decision(True, False, confirm, "allowed", "Allowed.", "Autorisé.")
    if permission is Permission.ADMIN:
        return _deny(
            "role_forbids",
            f"This action needs the admin role; your role is {role.value}.",
            f"Cette action demande le rôle admin ; votre rôle est {role.value}.",
        )
    if role is Role.VIEWER and risk.rank >= Risk.HIGH.rank:
        return _deny(
            "risk_forbids",
            f"A viewer cannot run a {risk.value}-risk action.",
            f"Un viewer ne peut pas lancer une action à risque {risk.value}.",
        )
    if role is Role.VIEWER and permission is Permission.EXECUTE:
        return _deny(
            "role_forbids",
            "A viewer can only read: running actions needs the operator role.",
            "Un viewer peut seulement consulter : exécuter une action demande le rôle operator.",
        )
    if targets_server and permission is not Permission.NONE:
        grant = server_permission or ServerPermission()
        if not grant.grants(Permission.READ):  # a server they may not read does not exist for them
            return _deny("server_forbids", HIDDEN_SERVER_EN, HIDDEN_SERVER_FR)
        if not grant.grants(permission):
            flag = "can_read" if permission is Permission.READ else "can_execute"
            on_en, on_fr = _server_label(server_name)
            return _deny(
                "server_forbids",
                f"You have no {flag} permission {on_en}; ask an admin to grant it.",
                f"Vous n'avez pas la permission {flag} {on_fr} ; demandez-la à un admin.",
            )
    needs_approval = role is Role.OPERATOR and (approval_for_operators or action_id in APPROVAL_ACTIONS)
    if needs_approval:
        return Decision(
            True, True, confirm, "needs_approval",
            "Allowed once an admin approves it (4-eyes).",
            "Autorisé après l'approbation d'un admin (principe des 4 yeux).",
        )
    return Decision(True, False, confirm, "allowed", "Allowed.", "Autorisé.")


def authorize_on_servers(
    role: Role,
    permission: Permission,
    risk: Risk,
    server_permissions: Mapping[str, ServerPermission | None],
    *,
    action_id: str = "",
    approval_for_operators: bool = False,
) -> Decision:
    """`authorize` on every target server (name → the principal's row); the first refusal wins.

    With no server at all, the action is checked as touching no host.
    """
    if not server_permissions:
        return authorize(role, permission, risk, None, targets_server=False,
                         action_id=action_id, approval_for_operators=approval_for_operators)
    decision: Decision | None = None
    for name in sorted(server_permissions):
        decision = authorize(role, permission, risk, server_permissions[name], action_id=action_id,
                             approval_for_operators=approval_for_operators, server_name=name)
        if not decision.allowed:
            return decision
    assert decision is not None
    return decision


def can_approve(approver_role: Role, approver_id: str, requester_id: str) -> Decision:
    """4-eyes: only an admin approves, and never their own request."""
    if approver_role is not Role.ADMIN:
        return _deny("role_forbids", "Only an admin can approve this request.",
                     "Seul un admin peut approuver cette demande.")
    if approver_id == requester_id:
        return _deny("self_approval", "You cannot approve your own request: another admin must.",
                     "Vous ne pouvez pas approuver votre propre demande : un autre admin doit le faire.")
    return Decision(True, False, False, "allowed", "Allowed.", "Autorisé.")
