"""Whether a person chose their account's language (the language switch, `PATCH /auth/me`): a chosen language
decides the web pages on every browser; the default 'en' of an account nobody set defers to the browser's.
Accounts already in another language than the default were set by someone: chosen.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language_chosen", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.execute(sa.text("UPDATE users SET language_chosen = :yes WHERE language <> 'en'").bindparams(yes=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language_chosen")
