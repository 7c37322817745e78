"""Feedback, staff accounts, sessions, rate-limit counters and the answer log.

A SQLite file written by the earlier feedback store (a `feedback` table and no Alembic
version) keeps its ratings: they are copied into the new table as staff feedback of
undetermined language ("und"), with their ids.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

from baybot.db.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


LEGACY_FEEDBACK = "feedback_before_0001"
LEGACY_COLUMNS = (
    "id",
    "created",
    "rating",
    "comment",
    "question",
    "answer",
    "refused",
    "citations",
    "generator",
    "index_version",
)


def upgrade() -> None:
    legacy = "feedback" in sa.inspect(op.get_bind()).get_table_names()
    if legacy:
        op.rename_table("feedback", LEGACY_FEEDBACK)
    feedback = op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("rating", sa.String(4), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("refused", sa.Boolean(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("generator", sa.String(100), nullable=False),
        sa.Column("index_version", sa.String(100), nullable=False),
        sa.Column("language", sa.String(20), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.CheckConstraint("rating IN ('up', 'down')", name=op.f("ck_feedback_rating")),
        sa.CheckConstraint("source IN ('public', 'staff')", name=op.f("ck_feedback_source")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback")),
    )
    op.create_index("ix_feedback_created", "feedback", ["created"])
    if legacy:
        _adopt_legacy_feedback(feedback)
    op.create_table(
        "staff",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("name", name=op.f("uq_staff_name")),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("staff_name", sa.String(100), nullable=False),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("expires", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_sessions")),
        sa.ForeignKeyConstraint(
            ["staff_name"],
            ["staff.name"],
            name=op.f("fk_sessions_staff_name_staff"),
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_sessions_staff_name", "sessions", ["staff_name"])
    op.create_index("ix_sessions_expires", "sessions", ["expires"])
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window_start", name=op.f("pk_rate_limits")),
    )
    op.create_index("ix_rate_limits_window_start", "rate_limits", ["window_start"])
    op.create_table(
        "answer_log",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("created", UTCDateTime(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("language", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_log")),
    )
    op.create_index("ix_answer_log_created", "answer_log", ["created"])


def _adopt_legacy_feedback(feedback: sa.Table) -> None:
    rows = op.get_bind().execute(
        sa.text(f"SELECT {', '.join(LEGACY_COLUMNS)} FROM {LEGACY_FEEDBACK} ORDER BY id")
    )
    op.bulk_insert(
        feedback,
        [
            {
                **row._asdict(),
                "created": _aware(dt.datetime.fromisoformat(row.created)),
                "refused": bool(row.refused),
                "citations": json.loads(row.citations),
                "language": "und",
                "source": "staff",
            }
            for row in rows
        ],
    )
    op.drop_table(LEGACY_FEEDBACK)


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def downgrade() -> None:
    for table in ("answer_log", "rate_limits", "sessions", "staff", "feedback"):
        op.drop_table(table)
