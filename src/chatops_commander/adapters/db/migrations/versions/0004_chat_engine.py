"""Conversation engine: confirmations (single use, 5 minutes) and approval requests (4-eyes).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chatops_commander.adapters.db.types import JSONType, UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "confirmations",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE",
                                                      name="fk_confirmations_user_id_users"), nullable=False),
        sa.Column("conversation_id", sa.Uuid(),
                  sa.ForeignKey("conversations.id", ondelete="CASCADE",
                                name="fk_confirmations_conversation_id_conversations"), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("targets", JSONType, nullable=False),
        sa.Column("service", sa.String(128)),
        sa.Column("parameters", JSONType, nullable=False),
        sa.Column("risk_level", sa.String(20), nullable=False),
        sa.Column("action_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("extra", JSONType),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime()),
        sa.CheckConstraint("state IN ('pending', 'confirmed', 'cancelled', 'expired')",
                           name="ck_confirmations_state"),
        sa.PrimaryKeyConstraint("id", name="pk_confirmations"),
    )
    op.create_index("idx_confirmations_conversation", "confirmations", ["conversation_id", "state"])
    op.create_table(
        "approvals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("requester_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE",
                                                           name="fk_approvals_requester_id_users"), nullable=False),
        sa.Column("requester", sa.String(255), nullable=False),
        sa.Column("conversation_id", sa.Uuid(),
                  sa.ForeignKey("conversations.id", ondelete="CASCADE",
                                name="fk_approvals_conversation_id_conversations"), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("targets", JSONType, nullable=False),
        sa.Column("service", sa.String(128)),
        sa.Column("parameters", JSONType, nullable=False),
        sa.Column("risk_level", sa.String(20), nullable=False),
        sa.Column("action_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(255)),
        sa.Column("decided_by_id", sa.Uuid()),
        sa.Column("decided_at", UTCDateTime()),
        sa.Column("reason", sa.Text()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('requested', 'approved', 'rejected')", name="ck_approvals_state"),
        sa.PrimaryKeyConstraint("id", name="pk_approvals"),
    )
    op.create_index("idx_approvals_state", "approvals", ["state", "created_at"])


def downgrade() -> None:
    op.drop_index("idx_approvals_state", table_name="approvals")
    op.drop_table("approvals")
    op.drop_index("idx_confirmations_conversation", table_name="confirmations")
    op.drop_table("confirmations")
