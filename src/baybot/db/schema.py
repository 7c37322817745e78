"""The tables, as SQLAlchemy Core objects that the repositories query.

The migrations in migrations/versions create the same tables; tests/db compares the two so
they cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect

# Constraint names fixed by convention, so later migrations can name what they alter.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

NAME_CHARS = 100  # staff names: an e-mail address fits
KEY_CHARS = 200  # rate-limit keys: "key:" + a SHA-256 hex digest, or an IPv6 address
TOKEN_HASH_CHARS = 64  # SHA-256 hex digest of a session token


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on both back ends: PostgreSQL keeps the zone, SQLite stores naive
    UTC text (which then sorts and compares correctly as text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"expected an aware datetime, got {value!r}")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", UTCDateTime, nullable=False),
    Column("rating", String(4), nullable=False),
    Column("comment", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("refused", Boolean, nullable=False),
    Column("citations", JSON, nullable=False),
    Column("generator", String(100), nullable=False),
    Column("index_version", String(100), nullable=False),
    Column("language", String(20), nullable=False),
    Column("source", String(10), nullable=False),
    CheckConstraint("rating IN ('up', 'down')", name="rating"),
    CheckConstraint("source IN ('public', 'staff')", name="source"),
    Index("ix_feedback_created", "created"),
)

staff = Table(
    "staff",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(NAME_CHARS), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created", UTCDateTime, nullable=False),
    Column("failed_count", Integer, nullable=False),
    Column("locked_until", UTCDateTime, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(TOKEN_HASH_CHARS), primary_key=True),
    Column(
        "staff_name",
        String(NAME_CHARS),
        ForeignKey("staff.name", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("created", UTCDateTime, nullable=False),
    Column("expires", UTCDateTime, nullable=False),
    Index("ix_sessions_staff_name", "staff_name"),
    Index("ix_sessions_expires", "expires"),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("key", String(KEY_CHARS), primary_key=True),
    Column("window_start", BigInteger, primary_key=True),  # Unix seconds
    Column("count", Integer, nullable=False),
    Index("ix_rate_limits_window_start", "window_start"),
)

answer_log = Table(
    "answer_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created", UTCDateTime, nullable=False),
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", JSON, nullable=False),
    Column("language", String(20), nullable=False),
    Index("ix_answer_log_created", "created"),
)
