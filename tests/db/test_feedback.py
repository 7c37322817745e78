"""Feedback from the public chat and staff: stored whole, filtered, exported (both back ends)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import replace

import pytest

from baybot.db import Database, FeedbackError, FeedbackFilter, NewFeedback, StoredCitation

T0 = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)


def rating(**changes: object) -> NewFeedback:
    base = NewFeedback(
        rating="up",
        comment="clear and cited",
        question="Which documents does a graduate applicant upload?",
        answer="A degree certificate and a passport copy [1].",
        refused=False,
        citations=(
            StoredCitation(
                1, "doc-a", "doc-a#3", "Guide for applicants", "https://example.org/a", "2025-06-30"
            ),
            StoredCitation(2, "doc-b", "doc-b#0", "申請須知", None, None),
        ),
        generator="extractive",
        index_version="20260301-abc",
        language="en",
        source="public",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_rating_comes_back_whole_with_its_citations_and_time(database: Database) -> None:
    stored = database.feedback.add(rating(comment="  有幫助，謝謝  ", language="zh-Hant"), now=T0)
    [listed] = database.feedback.list()
    assert listed == stored
    assert listed.comment == "有幫助，謝謝"  # trimmed
    assert listed.created == T0 and listed.created.tzinfo is not None
    assert listed.citations[0].url == "https://example.org/a"
    assert listed.citations[1] == StoredCitation(2, "doc-b", "doc-b#0", "申請須知", None, None)


def test_newest_first_with_limit_and_offset(database: Database) -> None:
    ids = [
        database.feedback.add(rating(comment=str(i)), now=T0 + dt.timedelta(minutes=i)).id
        for i in range(5)
    ]
    assert [f.id for f in database.feedback.list()] == ids[::-1]
    assert [f.id for f in database.feedback.list(limit=2, offset=1)] == ids[3:1:-1]


def test_each_filter_narrows_and_they_combine(database: Database) -> None:
    add = database.feedback.add
    up_public = add(rating(), now=T0)
    down_staff = add(
        rating(rating="down", source="staff", comment="wrong fee"), now=T0 + dt.timedelta(days=1)
    )
    down_zh = add(
        rating(
            rating="down",
            language="zh-Hans",
            question="前海的补贴有多少？",
            answer="每月补贴 [1]。",
            comment="",
        ),
        now=T0 + dt.timedelta(days=2),
    )

    def ids(**where: object) -> set[int]:
        return {f.id for f in database.feedback.list(FeedbackFilter(**where))}  # type: ignore[arg-type]

    assert ids() == {up_public.id, down_staff.id, down_zh.id}
    assert ids(rating="down") == {down_staff.id, down_zh.id}
    assert ids(source="staff") == {down_staff.id}
    assert ids(languages=("zh-Hans", "zh-Hant")) == {down_zh.id}
    assert ids(since=T0 + dt.timedelta(days=1)) == {down_staff.id, down_zh.id}
    assert ids(until=T0 + dt.timedelta(days=1)) == {up_public.id}  # the end is exclusive
    assert ids(since=T0 + dt.timedelta(hours=1), until=T0 + dt.timedelta(days=2)) == {down_staff.id}
    assert ids(text="WRONG FEE") == {down_staff.id}  # in the comment, any case
    assert ids(text="补贴") == {down_zh.id}  # in the question
    assert ids(text="passport") == {up_public.id, down_staff.id}  # in the answer
    assert ids(rating="down", text="passport") == {down_staff.id}
    assert database.feedback.count(FeedbackFilter(rating="down")) == 2


def test_text_search_treats_like_wildcards_as_characters(database: Database) -> None:
    database.feedback.add(rating(comment="plain"))
    percent = database.feedback.add(rating(comment="fee rose 50% this year"))
    assert [f.id for f in database.feedback.list(FeedbackFilter(text="50%"))] == [percent.id]
    assert database.feedback.list(FeedbackFilter(text="_")) == []


def test_export_is_csv_oldest_first_with_citations_as_json(database: Database) -> None:
    first = database.feedback.add(rating(comment='says "no", then, yes'), now=T0)
    second = database.feedback.add(
        rating(rating="down", answer="多行\n答案"), now=T0 + dt.timedelta(hours=1)
    )
    rows = list(csv.DictReader(io.StringIO(database.feedback.export_csv())))
    assert [int(r["id"]) for r in rows] == [first.id, second.id]
    assert rows[0]["comment"] == 'says "no", then, yes'
    assert rows[1]["answer"] == "多行\n答案"
    assert rows[0]["created"] == T0.isoformat(timespec="seconds")
    assert json.loads(rows[0]["citations"])[1]["title"] == "申請須知"
    assert rows[0]["source"] == "public" and rows[1]["rating"] == "down"
    only_down = list(
        csv.DictReader(io.StringIO(database.feedback.export_csv(FeedbackFilter(rating="down"))))
    )
    assert [int(r["id"]) for r in only_down] == [second.id]


@pytest.mark.parametrize(
    "changes",
    [{"rating": "meh"}, {"source": "robot"}, {"comment": "x" * 4001}],
    ids=["rating", "source", "comment-length"],
)
def test_bad_values_are_refused_and_nothing_is_stored(
    database: Database, changes: dict[str, object]
) -> None:
    with pytest.raises(FeedbackError):
        database.feedback.add(rating(**changes))
    assert database.feedback.count() == 0
