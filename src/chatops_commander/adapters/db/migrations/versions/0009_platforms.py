"""Chat platforms: linked chat identities, channel policies, one-time link requests, used button nonces, and the
conversation of each (platform, workspace, channel, thread, account).

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chatops_commander.adapters.db.types import JSONType, UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_identities",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("workspace", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("linked_by", sa.String(255), nullable=False),
        sa.Column("linked_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["users.id"], name="fk_chat_identities_account_id_users",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("platform", "user_id", name="pk_chat_identities"),
    )
    op.create_index("idx_chat_identities_account", "chat_identities", ["account_id"])
    op.create_table(
        "channel_policies",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(255), nullable=False),
        sa.Column("actions", JSONType, nullable=False),
        sa.Column("tags", JSONType, nullable=False),
        sa.Column("max_risk", sa.String(16), nullable=False),
        sa.Column("updated_by", sa.String(255), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "channel_id", name="pk_channel_policies"),
    )
    op.create_table(
        "chat_link_requests",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(255), nullable=False),
        sa.Column("workspace", sa.String(255), nullable=False),
        sa.Column("display_name", sa.String(255), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", UTCDateTime(timezone=True)),
        sa.PrimaryKeyConstraint("token_hash", name="pk_chat_link_requests"),
    )
    op.create_table(
        "chat_button_nonces",
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nonce", name="pk_chat_button_nonces"),
    )
    op.create_index("idx_chat_button_nonces_expires", "chat_button_nonces", ["expires_at"])
    op.create_table(
        "platform_conversations",
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("conversation_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["users.id"], name="fk_platform_conversations_account_id_users",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversations.id"],
                                name="fk_platform_conversations_conversation_id_conversations", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("key_hash", name="pk_platform_conversations"),
    )
    op.create_index("idx_platform_conversations_conversation", "platform_conversations", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("platform_conversations")
    op.drop_table("chat_button_nonces")
    op.drop_table("chat_link_requests")
    op.drop_table("channel_policies")
    op.drop_table("chat_identities")
