"""Storage for everything that replicas share: feedback, staff accounts and sessions,
rate-limit counters and the answer log, in SQLite (one host) or PostgreSQL (many).

SQLAlchemy Core over one engine per URL; the schema is migrated with Alembic at start.
"""

from .answers import AnswerLog, LoggedAnswer
from .database import DEFAULT_ANSWER_RETENTION, Database
from .engine import DatabaseError, sqlite_url
from .feedback import (
    Feedback,
    FeedbackError,
    FeedbackFilter,
    FeedbackRepository,
    NewFeedback,
    Rating,
    Source,
)
from .ratelimit import RateDecision, RateLimitRepository, SharedRateLimiter
from .records import StoredCitation
from .sessions import SessionRepository, StaffSession
from .staff import StaffAccount, StaffExistsError, StaffRepository

__all__ = [
    "DEFAULT_ANSWER_RETENTION",
    "AnswerLog",
    "Database",
    "DatabaseError",
    "Feedback",
    "FeedbackError",
    "FeedbackFilter",
    "FeedbackRepository",
    "LoggedAnswer",
    "NewFeedback",
    "RateDecision",
    "RateLimitRepository",
    "Rating",
    "SessionRepository",
    "SharedRateLimiter",
    "Source",
    "StaffAccount",
    "StaffExistsError",
    "StaffRepository",
    "StaffSession",
    "StoredCitation",
    "sqlite_url",
]
