"""The opt-in answer log and its retention (both back ends)."""

from __future__ import annotations

import datetime as dt

from baybot.db import AnswerLog, Database, StoredCitation
from baybot.db.answers import PURGE_INTERVAL

T0 = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
CITED = (StoredCitation(1, "doc-a", "doc-a#1", "Tax subsidy notice", None, "2024-02-01"),)


def test_logged_answers_come_back_newest_first(database: Database) -> None:
    first = database.answers.record("How is the subsidy paid?", "Yearly [1].", CITED, "en", now=T0)
    second = database.answers.record(
        "补贴怎么发？", "按年发放 [1]。", CITED, "zh-Hans", now=T0 + dt.timedelta(minutes=1)
    )
    assert database.answers.recent() == [second, first]
    assert database.answers.recent(limit=1)[0].citations == CITED


def test_entries_older_than_the_retention_are_purged(database: Database) -> None:
    log = database.answers
    retention = log.retention
    log.record("old question", "old answer", (), "en", now=T0)
    kept = log.record("new question", "new answer", (), "en", now=T0 + dt.timedelta(days=2))
    assert log.purge(now=T0 + retention + dt.timedelta(days=1)) == 1
    assert log.recent() == [kept]


def test_logging_purges_by_itself_at_most_once_an_interval(database: Database) -> None:
    log = AnswerLog(database.engine, retention=PURGE_INTERVAL / 2)
    log.record("expires", "a", (), "en", now=T0)  # the first record purges (nothing is old)
    expired_not_due = T0 + PURGE_INTERVAL * 3 / 4  # past the retention, before the next purge
    log.record("fresh 1", "a", (), "en", now=expired_not_due)
    assert len(log.recent()) == 2
    log.record("fresh 2", "a", (), "en", now=T0 + PURGE_INTERVAL)
    assert [a.question for a in log.recent()] == ["fresh 2", "fresh 1"]
