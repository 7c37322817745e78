"""The one entry point to storage: open a URL, migrate it, and reach every repository."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from .answers import AnswerLog
from .engine import dispose_engine, get_engine
from .feedback import FeedbackRepository
from .migrate import upgrade
from .ratelimit import RateLimitRepository
from .sessions import SessionRepository
from .staff import StaffRepository

# Answers are kept a month unless configured otherwise: long enough to review a campaign,
# short enough not to hoard visitors' questions.
DEFAULT_ANSWER_RETENTION = dt.timedelta(days=30)


class Database:
    """SQLite file or PostgreSQL server behind one set of repositories; thread-safe."""

    def __init__(
        self,
        url: str,
        *,
        migrate: bool = True,
        answer_retention: dt.timedelta = DEFAULT_ANSWER_RETENTION,
    ) -> None:
        self.url = url
        self.engine: Engine = get_engine(url)
        if migrate:
            upgrade(self.engine)
        self.feedback = FeedbackRepository(self.engine)
        self.staff = StaffRepository(self.engine)
        self.sessions = SessionRepository(self.engine)
        self.rate_limits = RateLimitRepository(self.engine)
        self.answers = AnswerLog(self.engine, answer_retention)

    @property
    def backend(self) -> str:
        """ "sqlite" or "postgresql"."""
        return self.engine.dialect.name

    def close(self) -> None:
        dispose_engine(self.url)
