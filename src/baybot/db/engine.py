"""One SQLAlchemy engine per database URL, tuned for each back end.

SQLite (one host, the default) runs in WAL mode so readers never wait for the writer, with
real transactions (pysqlite's own handling skips BEGIN before DDL and reads); PostgreSQL goes
through psycopg 3 with a connection pool shared by the threads of one process.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

from ..errors import BayBotError

# A writer waits this long for another process's write lock before SQLite gives up: long
# enough for a burst of rate-limit upserts from several workers, short enough to fail visibly.
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Connections each process keeps open to PostgreSQL, and how many more it may open in a burst:
# the server's default of 100 connections then serves several replicas with room to spare.
PG_POOL_SIZE = 5
PG_MAX_OVERFLOW = 10
# Seconds to wait for a pooled connection before failing the request instead of hanging it.
POOL_TIMEOUT_S = 10
# The execution option that makes a SQLite transaction take the write lock at BEGIN, so two
# processes migrating one file cannot both read "no tables yet" and then both create them.
SQLITE_BEGIN_OPTION = "baybot_sqlite_begin"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


class DatabaseError(BayBotError):
    """A database that cannot be opened, migrated or written."""


def normalise_url(url: str | URL) -> URL:
    """`postgresql://` and `postgres://` mean psycopg 3 (SQLAlchemy's default is psycopg2)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite or postgresql"
        )
    return parsed


def sqlite_url(path: Path) -> str:
    """The URL of a SQLite file (the default store, beside the index)."""
    return f"sqlite:///{Path(path).resolve()}"


def get_engine(url: str | URL) -> Engine:
    """The process's engine for `url`, created once: its pool is shared by every repository."""
    parsed = normalise_url(url)
    key = parsed.render_as_string(hide_password=False)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _create(parsed)
            _engines[key] = engine
        return engine


def dispose_engine(url: str | URL) -> None:
    """Close the pool of `url` (tests and shutdown); a later get_engine opens a new one."""
    key = normalise_url(url).render_as_string(hide_password=False)
    with _engines_lock:
        engine = _engines.pop(key, None)
    if engine is not None:
        engine.dispose()


def _create(url: URL) -> Engine:
    if url.get_backend_name() == "postgresql":
        return create_engine(
            url,
            pool_size=PG_POOL_SIZE,
            max_overflow=PG_MAX_OVERFLOW,
            pool_timeout=POOL_TIMEOUT_S,
            pool_pre_ping=True,  # a replica survives a PostgreSQL restart
            hide_parameters=True,  # errors never carry password hashes or visitors' questions
        )
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"cannot create the folder of {url.database}: {exc}") from exc
    engine = create_engine(
        url,
        pool_timeout=POOL_TIMEOUT_S,
        connect_args={"check_same_thread": False},
        hide_parameters=True,  # errors never carry password hashes or visitors' questions
    )
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (_sqlite_begin)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql(connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "BEGIN"))
