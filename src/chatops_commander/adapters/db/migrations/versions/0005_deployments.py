"""Deployment history: each runbook run (deploy or rollback), so that "roll back" knows the previous version.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chatops_commander.adapters.db.types import JSONType, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deployments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("application", sa.String(64), nullable=False),
        sa.Column("environment", sa.String(64)),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("hosts", JSONType, nullable=False),
        sa.Column("requested_by", sa.String(255), nullable=False),
        sa.Column("approved_by", sa.String(255)),
        sa.Column("conversation_id", sa.Uuid(),
                  sa.ForeignKey("conversations.id", ondelete="SET NULL",
                                name="fk_deployments_conversation_id_conversations")),
        sa.Column("failed_step", sa.Integer()),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.CheckConstraint("kind IN ('deploy', 'rollback')", name="ck_deployments_kind"),
        sa.CheckConstraint("state IN ('running', 'succeeded', 'failed')", name="ck_deployments_state"),
        sa.PrimaryKeyConstraint("id", name="pk_deployments"),
    )
    op.create_index("idx_deployments_application", "deployments", ["application", "started_at"])


def downgrade() -> None:
    op.drop_index("idx_deployments_application", table_name="deployments")
    op.drop_table("deployments")
