"""Permissions by tag: a user's grant on every server carrying a tag (e.g. operator on `web`);
the keyed audit chain: `audit_events.hash_kid`, the audit key that sealed each row (NULL: older rows).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chatops_commander.adapters.db.types import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("hash_kid", sa.String(32)))
    op.create_table(
        "tag_permissions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.Column("can_read", sa.Boolean(), nullable=False),
        sa.Column("can_execute", sa.Boolean(), nullable=False),
        sa.Column("can_admin", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_tag_permissions_user_id_users",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_tag_permissions"),
        sa.UniqueConstraint("user_id", "tag", name="uq_tag_permissions_user_tag"),
    )


def downgrade() -> None:
    op.drop_table("tag_permissions")
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("hash_kid")
