"""Roles of the seed's RBAC matrix and the permissions an action can require."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {"viewer": 0, "operator": 1, "admin": 2}[self.value]

    def at_least(self, other: Role) -> bool:
        return self.rank >= other.rank


class Permission(StrEnum):
    """What an action needs on its target hosts (seed table `permissions`)."""

    NONE = "none"  # conversation actions: no host, no permission
    READ = "read"
    EXECUTE = "execute"
    ADMIN = "admin"
