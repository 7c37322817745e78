"""Staff feedback on answers: thumbs up or down with a comment, kept in SQLite.

SQLite in WAL mode because the server writes from several threads while staff export, and a
crash mid-write must leave every earlier rating intact.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from baybot.errors import BayBotError
from baybot.types import Answer

Rating = Literal["up", "down"]
MAX_COMMENT_CHARS = 4000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    refused INTEGER NOT NULL,
    citations TEXT NOT NULL,
    generator TEXT NOT NULL,
    index_version TEXT NOT NULL
)
"""
COLUMNS = (
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


@dataclass(frozen=True)
class Feedback:
    """One rating of one answer, with what is needed to reproduce it later."""

    id: int
    created: str  # ISO 8601, UTC
    rating: Rating
    comment: str
    question: str
    answer: str
    refused: bool
    citations: str  # JSON list of {n, doc_id, chunk_id, title, url, published}
    generator: str
    index_version: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FeedbackError(BayBotError):
    """A rating that cannot be stored (bad value, unwritable database)."""


class FeedbackStore:
    """Append-only ratings in one SQLite file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(_SCHEMA)
            self._db.commit()
        except (OSError, sqlite3.Error) as exc:
            raise FeedbackError(f"cannot open the feedback database {self.path}: {exc}") from exc
        self._lock = threading.Lock()

    def record(
        self, answer: Answer, rating: str, comment: str = "", *, index_version: str
    ) -> Feedback:
        if rating not in ("up", "down"):
            raise FeedbackError(f"rating must be 'up' or 'down', not {rating!r}")
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT_CHARS:
            raise FeedbackError(f"comment is longer than {MAX_COMMENT_CHARS} characters")
        citations = json.dumps(
            [
                {
                    "n": c.n,
                    "doc_id": c.doc_id,
                    "chunk_id": c.chunk_id,
                    "title": c.title,
                    "url": c.url,
                    "published": c.published.isoformat() if c.published else None,
                }
                for c in answer.citations
            ],
            ensure_ascii=False,
        )
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        values = (
            created,
            rating,
            comment,
            answer.question,
            answer.text,
            int(answer.refused),
            citations,
            answer.generator,
            index_version,
        )
        try:
            with self._lock, self._db:
                cursor = self._db.execute(
                    f"INSERT INTO feedback ({', '.join(COLUMNS[1:])}) VALUES (?,?,?,?,?,?,?,?,?)",
                    values,
                )
        except sqlite3.Error as exc:
            raise FeedbackError(f"cannot store feedback in {self.path}: {exc}") from exc
        row_id = cursor.lastrowid
        assert row_id is not None
        return Feedback(row_id, created, rating, comment, answer.question, answer.text,
                        answer.refused, citations, answer.generator, index_version)  # fmt: skip

    def all(self, limit: int | None = None) -> list[Feedback]:
        """Newest first."""
        sql = f"SELECT {', '.join(COLUMNS)} FROM feedback ORDER BY id DESC"
        params: Sequence[int] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [Feedback(*row[:6], bool(row[6]), *row[7:]) for row in rows]

    def export_csv(self) -> str:
        """Every rating as CSV, oldest first, for a spreadsheet."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for item in reversed(self.all()):
            writer.writerow([getattr(item, name) for name in COLUMNS])
        return out.getvalue()

    def close(self) -> None:
        with self._lock:
            self._db.close()
