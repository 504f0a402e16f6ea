"""The action pipeline: commands are written ahead (`state`, `door`), approvals expire, runs can be interrupted.

* `commands.state`: pending → running → succeeded | failed | timed_out | interrupted (refused rows: `refused`);
  `commands.door`: where the request came from (web, rest, ws, cli, …); `commands.finished_at`.
* `approvals.expires_at`: an approval request not decided by then can no longer be approved.
* `deployments.state` may be `interrupted` (the server stopped while the runbook ran).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chatops_commander.adapters.db.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_OLD_DEPLOYMENT_STATES = "state IN ('running', 'succeeded', 'failed')"
_NEW_DEPLOYMENT_STATES = "state IN ('running', 'succeeded', 'failed', 'interrupted')"


def upgrade() -> None:
    with op.batch_alter_table("commands") as batch:
        batch.add_column(sa.Column("state", sa.String(20), nullable=False, server_default="succeeded"))
        batch.add_column(sa.Column("door", sa.String(20)))
        batch.add_column(sa.Column("finished_at", UTCDateTime()))
    commands = sa.table("commands", sa.column("state", sa.String), sa.column("outcome", sa.String))
    op.execute(commands.update().where(commands.c.outcome.like("refused%")).values(state="refused"))
    op.execute(commands.update().where(commands.c.outcome == "timed_out").values(state="timed_out"))
    op.execute(commands.update().where(commands.c.outcome.notin_(["ok", "timed_out"]),
                                       sa.not_(commands.c.outcome.like("refused%"))).values(state="failed"))
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime()))
    _deployment_states(_NEW_DEPLOYMENT_STATES)


def _deployment_states(check: str) -> None:
    """Replace the deployments' state check, whatever its name (0005 put it through the naming convention
    twice: `ck_deployments_ck_deployments_state`)."""
    names = [c["name"] for c in sa.inspect(op.get_bind()).get_check_constraints("deployments")
             if c["name"] and c["name"].endswith("_state")]
    if op.get_bind().dialect.name == "postgresql":
        for name in names:
            op.execute(f'ALTER TABLE deployments DROP CONSTRAINT IF EXISTS "{name}"')
        op.execute(f"ALTER TABLE deployments ADD CONSTRAINT ck_deployments_state CHECK ({check})")
        return
    with op.batch_alter_table("deployments") as batch:
        for name in names:
            batch.drop_constraint(op.f(name), type_="check")
        batch.create_check_constraint(op.f("ck_deployments_state"), check)


def downgrade() -> None:
    deployments = sa.table("deployments", sa.column("state", sa.String))
    op.execute(deployments.update().where(deployments.c.state == "interrupted").values(state="failed"))
    _deployment_states(_OLD_DEPLOYMENT_STATES)
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("expires_at")
    with op.batch_alter_table("commands") as batch:
        batch.drop_column("finished_at")
        batch.drop_column("door")
        batch.drop_column("state")
