"""Ratings of answers, from the public chat and from staff: stored, filtered, exported.

Each rating keeps the question, the answer, its citations, the generator and the index version,
so staff can reproduce and judge it later without the original session.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, fields
from typing import Any, Literal, get_args

from sqlalchemy import Engine, Select, and_, func, insert, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

import baybot.db.schema as schema

from .engine import DatabaseError
from .records import StoredCitation, citations_from_json, citations_to_json, utc_now

Rating = Literal["up", "down"]
Source = Literal["public", "staff"]
MAX_COMMENT_CHARS = 4000  # a paragraph or two; longer is pasted text, not a comment


class FeedbackError(DatabaseError):
    """A rating that cannot be stored (bad value, unwritable database)."""


@dataclass(frozen=True)
class NewFeedback:
    """A rating as the chat hands it over, before it has an id and a time."""

    rating: Rating
    comment: str
    question: str
    answer: str
    refused: bool
    citations: tuple[StoredCitation, ...]
    generator: str
    index_version: str
    language: str
    source: Source


@dataclass(frozen=True)
class Feedback:
    """One stored rating."""

    id: int
    created: dt.datetime
    rating: Rating
    comment: str
    question: str
    answer: str
    refused: bool
    citations: tuple[StoredCitation, ...]
    generator: str
    index_version: str
    language: str
    source: Source


COLUMNS = tuple(f.name for f in fields(Feedback))


@dataclass(frozen=True)
class FeedbackFilter:
    """What staff narrow the list to; every field left None matches everything."""

    rating: Rating | None = None
    languages: tuple[str, ...] | None = None
    source: Source | None = None
    since: dt.datetime | None = None  # inclusive
    until: dt.datetime | None = None  # exclusive
    text: str | None = None  # in the question, answer or comment, any case


class FeedbackRepository:
    """The feedback table; safe to share between threads (each call takes a pooled connection)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, item: NewFeedback, *, now: dt.datetime | None = None) -> Feedback:
        if item.rating not in get_args(Rating):
            raise FeedbackError(f"rating must be 'up' or 'down', not {item.rating!r}")
        if item.source not in get_args(Source):
            raise FeedbackError(f"source must be 'public' or 'staff', not {item.source!r}")
        comment = item.comment.strip()
        if len(comment) > MAX_COMMENT_CHARS:
            raise FeedbackError(f"comment is longer than {MAX_COMMENT_CHARS} characters")
        created = now or utc_now()
        values = {f.name: getattr(item, f.name) for f in fields(NewFeedback)}
        values.update(comment=comment, created=created, citations=citations_to_json(item.citations))
        try:
            with self._engine.begin() as connection:
                row_id = connection.execute(
                    insert(schema.feedback).values(values).returning(schema.feedback.c.id)
                ).scalar_one()
        except SQLAlchemyError as exc:
            raise FeedbackError(f"cannot store feedback: {exc}") from exc
        values.update(id=row_id, citations=item.citations)
        return Feedback(**values)

    def set_comment(self, feedback_id: int, comment: str) -> bool:
        """Add or replace the comment of a stored rating (a visitor comments after rating);
        False when there is no such rating."""
        comment = comment.strip()
        if len(comment) > MAX_COMMENT_CHARS:
            raise FeedbackError(f"comment is longer than {MAX_COMMENT_CHARS} characters")
        table = schema.feedback
        try:
            with self._engine.begin() as connection:
                changed = connection.execute(
                    update(table).where(table.c.id == feedback_id).values(comment=comment)
                ).rowcount
        except SQLAlchemyError as exc:
            raise FeedbackError(f"cannot store the comment: {exc}") from exc
        return bool(changed)

    def list(
        self, where: FeedbackFilter = FeedbackFilter(), *, limit: int | None = None, offset: int = 0
    ) -> list[Feedback]:
        """Newest first."""
        query = _filtered(select(schema.feedback), where).order_by(schema.feedback.c.id.desc())
        query = query.limit(limit).offset(offset)
        with self._engine.connect() as connection:
            return [_row(row._mapping) for row in connection.execute(query)]

    def count(self, where: FeedbackFilter = FeedbackFilter()) -> int:
        query = _filtered(select(func.count()).select_from(schema.feedback), where)
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def export_csv(self, where: FeedbackFilter = FeedbackFilter()) -> str:
        """The matching ratings as CSV, oldest first, for a spreadsheet; citations as JSON."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for item in reversed(self.list(where)):
            row = [getattr(item, name) for name in COLUMNS]
            row[COLUMNS.index("created")] = item.created.isoformat(timespec="seconds")
            row[COLUMNS.index("citations")] = json.dumps(
                citations_to_json(item.citations), ensure_ascii=False
            )
            writer.writerow(row)
        return out.getvalue()


def _filtered(query: Select[Any], where: FeedbackFilter) -> Select[Any]:
    table = schema.feedback
    conditions = []
    if where.rating is not None:
        conditions.append(table.c.rating == where.rating)
    if where.languages is not None:
        conditions.append(table.c.language.in_(where.languages))
    if where.source is not None:
        conditions.append(table.c.source == where.source)
    if where.since is not None:
        conditions.append(table.c.created >= where.since)
    if where.until is not None:
        conditions.append(table.c.created < where.until)
    if where.text:
        needle = where.text.strip()
        conditions.append(
            or_(
                *(
                    column.icontains(needle, autoescape=True)
                    for column in (table.c.question, table.c.answer, table.c.comment)
                )
            )
        )
    return query.where(and_(*conditions)) if conditions else query


def _row(row: Any) -> Feedback:
    values = dict(row)
    values["refused"] = bool(values["refused"])
    values["citations"] = citations_from_json(values["citations"])
    return Feedback(**values)
