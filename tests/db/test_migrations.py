"""The schema is created by the migrations, matches the tables the code queries, and can be
brought to head by several processes starting at once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from baybot.db import Database, DatabaseError, sqlite_url
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
