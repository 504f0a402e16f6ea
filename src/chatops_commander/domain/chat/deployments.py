"""Deployments: the history of runbook runs (deploys and rollbacks) and which version "previous" means.

A deployment is recorded when its runbook starts (`running`) and closed when it ends
(`succeeded`, or `failed` with the step that stopped it). `rollback_target` reads that history
to answer "roll back" without a version:

* after a failed deploy, the hosts may be half-way: go back to the last version that succeeded;
* otherwise, go back to the release deployed before the current one (the current version being
  the last successful deploy or rollback), so that rolling back twice walks further back rather
  than toggling between two versions.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class DeploymentKind(StrEnum):
    DEPLOY = "deploy"
    ROLLBACK = "rollback"


class DeploymentState(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # the server stopped while the runbook ran


@dataclass(frozen=True)
class Deployment:
    application: str
    version: str
    kind: DeploymentKind
    hosts: tuple[str, ...]
    requested_by: str
    started_at: datetime
    environment: str | None = None
    approved_by: str | None = None
    conversation_id: str | None = None
    state: DeploymentState = DeploymentState.RUNNING
    finished_at: datetime | None = None
    failed_step: int | None = None
    id: str = ""

    @classmethod
    def start(cls, *, application: str, version: str, kind: DeploymentKind, hosts: Sequence[str],
              requested_by: str, now: datetime, environment: str | None = None, approved_by: str | None = None,
              conversation_id: str | None = None) -> Deployment:
        return cls(application=application, version=version, kind=kind, hosts=tuple(hosts),
                   requested_by=requested_by, started_at=now, environment=environment, approved_by=approved_by,
                   conversation_id=conversation_id, id=str(uuid.uuid4()))

    def finished(self, *, now: datetime, failed_step: int | None = None) -> Deployment:
        state = DeploymentState.SUCCEEDED if failed_step is None else DeploymentState.FAILED
        return replace(self, state=state, finished_at=now, failed_step=failed_step)


def interrupted(deployment: Deployment, *, now: datetime) -> Deployment:
    return replace(deployment, state=DeploymentState.INTERRUPTED, finished_at=now)


def current_version(history: Sequence[Deployment]) -> str | None:
    """The version the last successful deploy or rollback left (history: newest first)."""
    return next((d.version for d in history if d.state is DeploymentState.SUCCEEDED), None)


def rollback_target(history: Sequence[Deployment]) -> str | None:
    """The version "roll back" goes to (history: newest first); None when the history cannot tell."""
    finished = [d for d in history if d.state is not DeploymentState.RUNNING]
    current = current_version(finished)
    if current is None:
        return None
    if finished[0].state in (DeploymentState.FAILED, DeploymentState.INTERRUPTED) and finished[0].version != current:
        return current
    releases: list[str] = []
    for d in finished:
        if d.kind is DeploymentKind.DEPLOY and d.state is DeploymentState.SUCCEEDED and \
                (not releases or releases[-1] != d.version):
            releases.append(d.version)
    if current not in releases:
        return None
    earlier = releases[releases.index(current) + 1:]
    return next((v for v in earlier if v != current), None)
