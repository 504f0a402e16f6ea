"""Monitoring: metric samples (raw and 5-minute averages), alert details, notification deliveries.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from chatops_commander.adapters.db.types import JSONType, UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_samples",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("server_id", sa.Uuid(), sa.ForeignKey("servers.id", ondelete="CASCADE",
                                                        name="fk_metric_samples_server_id_servers"), nullable=False),
        sa.Column("collected_at", UTCDateTime(), nullable=False),
        sa.Column("resolution", sa.String(4), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("load1", sa.Float()),
        sa.Column("load5", sa.Float()),
        sa.Column("load15", sa.Float()),
        sa.Column("cores", sa.Integer()),
        sa.Column("cpu_percent", sa.Float()),
        sa.Column("mem_total_kb", sa.BigInteger()),
        sa.Column("mem_used_kb", sa.BigInteger()),
        sa.Column("swap_total_kb", sa.BigInteger()),
        sa.Column("swap_used_kb", sa.BigInteger()),
        sa.Column("mem_percent", sa.Float()),
        sa.Column("disk_max_percent", sa.Float()),
        sa.Column("uptime_s", sa.Float()),
        sa.Column("disks", JSONType),
        sa.Column("services", JSONType),
        sa.Column("missing", JSONType),
        sa.PrimaryKeyConstraint("id", name="pk_metric_samples"),
        sa.CheckConstraint("resolution IN ('raw', '5m')", name="ck_metric_samples_resolution"),
    )
    op.create_index("idx_samples_server_time", "metric_samples", ["server_id", "resolution", "collected_at"])
    op.create_index("idx_samples_time", "metric_samples", ["resolution", "collected_at"])
    op.create_table(
        "alert_details",
        sa.Column("alert_id", sa.Uuid(), sa.ForeignKey("alerts.id", ondelete="CASCADE",
                                                       name="fk_alert_details_alert_id_alerts"), nullable=False),
        sa.Column("message_fr", sa.Text(), nullable=False),
        sa.Column("labels", JSONType),
        sa.Column("value", sa.Float()),
        sa.Column("resolved_by", sa.String(255)),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("last_notified_at", UTCDateTime()),
        sa.Column("notified_severity", sa.String(20)),
        sa.PrimaryKeyConstraint("alert_id", name="pk_alert_details"),
    )
    op.create_index("idx_alerts_fingerprint", "alerts", ["fingerprint", "resolved"])
    op.create_table(
        "notification_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("alert_id", sa.Uuid(), sa.ForeignKey("alerts.id", ondelete="SET NULL",
                                                       name="fk_notification_deliveries_alert_id_alerts")),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("event", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("last_error", sa.Text()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_notification_deliveries"),
        sa.CheckConstraint("status IN ('delivered', 'failed')", name="ck_notification_deliveries_status"),
    )
    op.create_index("idx_deliveries_created", "notification_deliveries", ["created_at"])


def downgrade() -> None:
    op.drop_index("idx_deliveries_created", table_name="notification_deliveries")
    op.drop_table("notification_deliveries")
    op.drop_index("idx_alerts_fingerprint", table_name="alerts")
    op.drop_table("alert_details")
    op.drop_index("idx_samples_time", table_name="metric_samples")
    op.drop_index("idx_samples_server_time", table_name="metric_samples")
    op.drop_table("metric_samples")
