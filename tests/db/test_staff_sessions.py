"""Staff accounts and their server-side sessions (both back ends)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from baybot.db import Database, StaffExistsError
from baybot.db.schema import sessions as sessions_table

T0 = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)
LOCK = dt.timedelta(minutes=15)


def test_names_are_unique(database: Database) -> None:
    database.staff.add("mei", "hash-1", now=T0)
    with pytest.raises(StaffExistsError):
        database.staff.add("mei", "hash-2")
    account = database.staff.get("mei")
    assert account is not None and account.password_hash == "hash-1" and account.created == T0
    assert database.staff.get("nobody") is None


def test_the_nth_failure_locks_and_restarts_the_count(database: Database) -> None:
    database.staff.add("kit", "hash")
    for expected in (1, 2):
        after = database.staff.record_failure("kit", max_failures=3, lock_for=LOCK, now=T0)
        assert after is not None and after.failed_count == expected and not after.locked(T0)
    locked = database.staff.record_failure("kit", max_failures=3, lock_for=LOCK, now=T0)
    assert locked is not None and locked.failed_count == 0
    assert locked.locked_until == T0 + LOCK
    assert locked.locked(T0 + LOCK - dt.timedelta(seconds=1)) and not locked.locked(T0 + LOCK)
    database.staff.clear_failures("kit")
    cleared = database.staff.get("kit")
    assert cleared is not None and cleared.locked_until is None and cleared.failed_count == 0
    assert database.staff.record_failure("ghost", max_failures=3, lock_for=LOCK, now=T0) is None


def test_a_session_lives_until_it_expires_or_is_revoked(database: Database) -> None:
    database.staff.add("ada", "hash")
    token, session = database.sessions.create("ada", dt.timedelta(hours=1), now=T0)
    assert database.sessions.get(token, now=T0 + dt.timedelta(minutes=59)) == session
    assert database.sessions.get(token, now=T0 + dt.timedelta(hours=1)) is None
    assert database.sessions.get(token + "x", now=T0) is None
    assert database.sessions.revoke(token)
    assert database.sessions.get(token, now=T0) is None
    assert not database.sessions.revoke(token)


def test_only_a_hash_of_the_token_is_stored(database: Database) -> None:
    database.staff.add("ada", "hash")
    token, _ = database.sessions.create("ada", dt.timedelta(hours=1))
    with database.engine.connect() as connection:
        stored = connection.execute(select(sessions_table.c.token_hash)).scalars().all()
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64


def test_revoke_all_purge_and_removing_an_account_end_its_sessions(database: Database) -> None:
    for name in ("ada", "bo"):
        database.staff.add(name, "hash")
    a1, _ = database.sessions.create("ada", dt.timedelta(hours=1), now=T0)
    a2, _ = database.sessions.create("ada", dt.timedelta(hours=1), now=T0)
    database.sessions.create("bo", dt.timedelta(minutes=5), now=T0)
    b_new, _ = database.sessions.create("bo", dt.timedelta(hours=1), now=T0)
    assert database.sessions.revoke_all("ada") == 2
    assert database.sessions.get(a1, now=T0) is None and database.sessions.get(a2, now=T0) is None
    assert database.sessions.purge_expired(now=T0 + dt.timedelta(minutes=10)) == 1
    assert database.sessions.get(b_new, now=T0) is not None
    assert database.staff.remove("bo") and not database.staff.remove("bo")
    assert database.sessions.get(b_new, now=T0) is None
    assert database.staff.names() == ["ada"]
