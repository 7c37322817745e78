"""The answer log (opt-in): what was asked and answered, for staff to review, kept only for
a retention period because questions can carry personal details."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, delete, insert, select

import baybot.db.schema as schema

from .records import StoredCitation, citations_from_json, citations_to_json, utc_now

# How often one process deletes expired entries while logging: the log is then at most this
# much longer than its retention, for one DELETE an hour.
PURGE_INTERVAL = dt.timedelta(hours=1)


@dataclass(frozen=True)
class LoggedAnswer:
    id: int
    created: dt.datetime
    question: str
    answer: str
    citations: tuple[StoredCitation, ...]
    language: str


class AnswerLog:
    def __init__(self, engine: Engine, retention: dt.timedelta) -> None:
        self.retention = retention
        self._engine = engine
        self._last_purge: dt.datetime | None = None
        self._lock = threading.Lock()

    def record(
        self,
        question: str,
        answer: str,
        citations: Sequence[StoredCitation],
        language: str,
        *,
        now: dt.datetime | None = None,
    ) -> LoggedAnswer:
        created = now or utc_now()
        with self._lock:
            purge = self._last_purge is None or created - self._last_purge >= PURGE_INTERVAL
            if purge:
                self._last_purge = created
        if purge:
            self.purge(now=created)
        with self._engine.begin() as connection:
            row_id = connection.execute(
                insert(schema.answer_log)
                .values(
                    created=created,
                    question=question,
                    answer=answer,
                    citations=citations_to_json(citations),
                    language=language,
                )
                .returning(schema.answer_log.c.id)
            ).scalar_one()
        return LoggedAnswer(row_id, created, question, answer, tuple(citations), language)

    def recent(self, limit: int = 100) -> list[LoggedAnswer]:
        """Newest first."""
        table = schema.answer_log
        query = select(
            table.c.id,
            table.c.created,
            table.c.question,
            table.c.answer,
            table.c.citations,
            table.c.language,
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query.order_by(table.c.id.desc()).limit(limit)).all()
        return [
            LoggedAnswer(
                r.id, r.created, r.question, r.answer, citations_from_json(r.citations), r.language
            )
            for r in rows
        ]

    def purge(self, *, now: dt.datetime | None = None) -> int:
        """Delete entries older than the retention period; the number deleted."""
        cutoff = (now or utc_now()) - self.retention
        with self._engine.begin() as connection:
            return connection.execute(
                delete(schema.answer_log).where(schema.answer_log.c.created < cutoff)
            ).rowcount
