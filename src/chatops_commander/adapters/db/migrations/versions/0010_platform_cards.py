"""The cards a chat bot posted (Matrix: answered by a reaction or a reply on their message), kept by (platform,
message id) so that an answer still counts after the bot restarts; purged after their expiry.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chatops_commander.adapters.db.types import JSONType, UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "platform_cards",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("fields", JSONType, nullable=False),
        sa.Column("buttons", JSONType, nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True)),
        sa.Column("workspace", sa.String(255), nullable=False),
        sa.Column("channel_id", sa.String(255), nullable=False),
        sa.Column("thread_id", sa.String(255)),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.Column("owner_id", sa.String(255)),
        sa.Column("owner_name", sa.String(255), nullable=False),
        sa.Column("posted_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("kept_until", UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('confirm', 'approve', 'choose')", name=op.f("ck_platform_cards_kind")),
        sa.PrimaryKeyConstraint("platform", "message_id", name="pk_platform_cards"),
    )
    op.create_index("idx_platform_cards_kept_until", "platform_cards", ["kept_until"])


def downgrade() -> None:
    op.drop_index("idx_platform_cards_kept_until", table_name="platform_cards")
    op.drop_table("platform_cards")
