"""What the server writes about answers: ratings (public and staff) and the opt-in answer log,
in the shapes the database keeps."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from baybot.db import Database, DatabaseError, NewFeedback, Rating, Source, StoredCitation
from baybot.db.feedback import Feedback
from baybot.types import Answer

log = logging.getLogger(__name__)


def stored_citations(answer: Answer) -> tuple[StoredCitation, ...]:
    return tuple(
        StoredCitation(
            n=c.n,
            doc_id=c.doc_id,
            chunk_id=c.chunk_id,
            title=c.title,
            url=c.url,
            published=c.published.isoformat() if c.published else None,
        )
        for c in answer.citations
    )


def rate(
    database: Database,
    answer: Answer,
    rating: Rating,
    comment: str,
    *,
    index_version: str,
    source: Source,
) -> Feedback:
    """Store one rating of `answer` with what is needed to reproduce it later."""
    return database.feedback.add(
        NewFeedback(
            rating=rating,
            comment=comment or "",
            question=answer.question,
            answer=answer.text,
            refused=answer.refused,
            citations=stored_citations(answer),
            generator=answer.generator,
            index_version=index_version,
            language=answer.language,
            source=source,
        )
    )


class AnswerLogger:
    """Keeps each answer in the answer log when the log is switched on (BAYBOT_LOG_ANSWERS);
    a database failure is logged and never fails the answer itself."""

    def __init__(self, database: Database, enabled: bool) -> None:
        self.database, self.enabled = database, enabled

    def __call__(self, answer: Answer) -> None:
        if not self.enabled:
            return
        try:
            self.database.answers.record(
                answer.question, answer.text, stored_citations(answer), answer.language
            )
        except (DatabaseError, SQLAlchemyError) as exc:
            log.error("answer not logged: %s", exc)
