from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading

import pytest

from baybot.staff.feedback import COLUMNS, FeedbackError, FeedbackStore


@pytest.fixture(scope="module")
def answer(assistant):
    return assistant.ask("What is the income threshold of Top Talent Pass category A?")


def test_ratings_keep_the_question_answer_citations_generator_and_index_version(tmp_path, answer):
    store = FeedbackStore(tmp_path / "fb" / "feedback.db")
    saved = store.record(answer, "down", "  wrong year  ", index_version="v-1")
    assert saved.id == 1 and saved.comment == "wrong year" and saved.rating == "down"
    [item] = store.all()
    assert item == saved
    assert item.question == answer.question and item.answer == answer.text
    assert item.generator == "extractive" and item.index_version == "v-1"
    cited = json.loads(item.citations)
    assert [c["doc_id"] for c in cited] == [c.doc_id for c in answer.citations] and cited
    store.close()
    reopened = FeedbackStore(tmp_path / "fb" / "feedback.db")
    assert reopened.all() == [saved]  # nothing lost across a restart
    journal = sqlite3.connect(tmp_path / "fb" / "feedback.db").execute("PRAGMA journal_mode")
    assert journal.fetchone()[0] == "wal"


def test_export_is_csv_of_every_rating_oldest_first(tmp_path, answer):
    store = FeedbackStore(tmp_path / "feedback.db")
    for rating in ("up", "down", "up"):
        store.record(answer, rating, '番号,"quoted"', index_version="v-2")
    rows = list(csv.reader(io.StringIO(store.export_csv())))
    assert tuple(rows[0]) == COLUMNS
    assert [r[2] for r in rows[1:]] == ["up", "down", "up"]
    assert rows[1][3] == '番号,"quoted"'
    assert [f.id for f in store.all(limit=2)] == [3, 2]


def test_concurrent_ratings_are_all_stored(tmp_path, answer):
    store = FeedbackStore(tmp_path / "feedback.db")

    def rate(i: int) -> None:
        for j in range(10):
            store.record(answer, "up" if (i + j) % 2 else "down", f"{i}-{j}", index_version="v")

    threads = [threading.Thread(target=rate, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(f.comment for f in store.all()) == sorted(
        f"{i}-{j}" for i in range(8) for j in range(10)
    )


def test_bad_ratings_and_unwritable_places_are_clear_errors(tmp_path, answer):
    store = FeedbackStore(tmp_path / "feedback.db")
    with pytest.raises(FeedbackError, match="rating must be"):
        store.record(answer, "meh", index_version="v")
    with pytest.raises(FeedbackError, match="longer than"):
        store.record(answer, "up", "x" * 5000, index_version="v")
    assert store.all() == []
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(FeedbackError, match="cannot open the feedback database"):
        FeedbackStore(blocker / "feedback.db")


WRITER = """
import sys
from baybot.answer.assistant import Answer
from baybot.staff.feedback import FeedbackStore
store = FeedbackStore(sys.argv[1])
answer = Answer("q", "a [1]", False, (), "extractive", "q", "en", 0.9)
while True:
    saved = store.record(answer, "up", "crash test", index_version="v")
    print(saved.id, flush=True)
"""


def test_kill_9_while_rating_loses_no_committed_feedback(tmp_path):
    import random
    import subprocess
    import sys
    import time

    path = tmp_path / "feedback.db"
    rng = random.Random(3)
    for _ in range(10):
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
        )
        time.sleep(rng.uniform(1.0, 2.5))
        writer.kill()
        printed = [int(line) for line in writer.communicate()[0].split()]
        store = FeedbackStore(path)
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {f.id for f in store.all()}
        assert printed and set(printed) <= stored  # every acknowledged rating survived
        store.close()
