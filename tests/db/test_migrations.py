"""The schema is created by the migrations, matches the tables the code queries, and can be
brought to head by several processes starting at once."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from baybot.db import Database, DatabaseError, FeedbackFilter, sqlite_url
from baybot.db.engine import get_engine, normalise_url
from baybot.db.migrate import current_revision, head_revision, upgrade
from baybot.db.schema import metadata


def test_upgrade_reaches_head_and_matches_the_tables_the_code_uses(database_url: str) -> None:
    engine = get_engine(database_url)
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision() is not None
    assert set(inspect(engine).get_table_names()) >= {t.name for t in metadata.sorted_tables}
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_upgrade_again_is_a_no_op_that_keeps_rows(database: Database) -> None:
    database.staff.add("keeper", "not-a-real-hash")
    upgrade(database.engine)
    assert database.staff.names() == ["keeper"]


def test_replicas_starting_together_migrate_once_without_errors(database_url: str) -> None:
    """Without the migration lock, two of these would both create the tables and one fail."""
    engine = get_engine(database_url)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start() -> None:
        barrier.wait()
        try:
            upgrade(engine)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert current_revision(engine) == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(sqlite_url(tmp_path / "nested" / "folder" / "baybot.db"))
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        database.close()


def test_postgresql_urls_use_psycopg_3_and_other_databases_are_refused() -> None:
    assert normalise_url("postgresql://u:p@db:5432/baybot").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@db/baybot").drivername == "postgresql+psycopg"
    assert normalise_url("sqlite:////srv/baybot.db").drivername == "sqlite"
    with pytest.raises(DatabaseError, match="unsupported"):
        normalise_url("mysql://u@db/baybot")


# The table the earlier single-process feedback store created in feedback.db.
LEGACY_SCHEMA = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL,
    rating TEXT NOT NULL CHECK (rating IN ('up', 'down')), comment TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, refused INTEGER NOT NULL,
    citations TEXT NOT NULL, generator TEXT NOT NULL, index_version TEXT NOT NULL)
"""


def test_ratings_in_an_earlier_feedback_file_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "feedback.db"
    cited = [
        {
            "n": 1,
            "doc_id": "d1",
            "chunk_id": "d1#2",
            "title": "Notice",
            "url": None,
            "published": "2024-05-06",
        }
    ]
    with sqlite3.connect(path) as legacy:
        legacy.execute(LEGACY_SCHEMA)
        for created, rating in (
            ("2026-01-02T03:04:05+00:00", "down"),
            ("2026-01-03T00:00:00+00:00", "up"),
        ):
            legacy.execute(
                "INSERT INTO feedback (created, rating, comment, question, answer, refused, "
                "citations, generator, index_version) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    created,
                    rating,
                    "old note",
                    "old question",
                    "old answer",
                    1,
                    json.dumps(cited),
                    "extractive",
                    "v0",
                ),
            )
        legacy.execute("DELETE FROM feedback WHERE rating = 'up'")  # ids need not be dense
    database = Database(sqlite_url(path))
    try:
        [kept] = database.feedback.list()
        assert (kept.id, kept.rating, kept.refused, kept.source, kept.language) == (
            1,
            "down",
            True,
            "staff",
            "und",
        )
        assert kept.created == dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
        assert kept.citations[0].chunk_id == "d1#2" and kept.citations[0].url is None
        assert (
            database.feedback.count(FeedbackFilter(since=dt.datetime(2026, 1, 2, tzinfo=dt.UTC)))
            == 1
        )
        with database.engine.connect() as connection:
            assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    finally:
        database.close()
