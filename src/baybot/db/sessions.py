"""Staff sessions kept server-side, so signing out (or removing an account) ends them at once
on every replica. Only a SHA-256 of each token is stored: a leaked table opens no session."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, delete, insert, select

import baybot.db.schema as schema

from .records import utc_now

TOKEN_BYTES = 32  # 256 random bits: unguessable, so a fast hash suffices to store it


@dataclass(frozen=True)
class StaffSession:
    token_hash: str
    staff_name: str
    created: dt.datetime
    expires: dt.datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def create(
        self, staff_name: str, lifetime: dt.timedelta, *, now: dt.datetime | None = None
    ) -> tuple[str, StaffSession]:
        """A new session: the token to hand to the browser (never stored) and its record."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        created = now or utc_now()
        session = StaffSession(hash_token(token), staff_name, created, created + lifetime)
        with self._engine.begin() as connection:
            connection.execute(
                insert(schema.sessions).values(
                    token_hash=session.token_hash,
                    staff_name=staff_name,
                    created=session.created,
                    expires=session.expires,
                )
            )
        return token, session

    def get(self, token: str, *, now: dt.datetime | None = None) -> StaffSession | None:
        """The live session of `token`; None when unknown, revoked or expired."""
        table = schema.sessions
        with self._engine.connect() as connection:
            row = connection.execute(
                select(
                    table.c.token_hash, table.c.staff_name, table.c.created, table.c.expires
                ).where(
                    table.c.token_hash == hash_token(token), table.c.expires > (now or utc_now())
                )
            ).first()
        return StaffSession(*row) if row else None

    def revoke(self, token: str) -> bool:
        return self._delete(schema.sessions.c.token_hash == hash_token(token)) > 0

    def revoke_all(self, staff_name: str) -> int:
        """Every session of one account (a password change, a suspected leak)."""
        return self._delete(schema.sessions.c.staff_name == staff_name)

    def purge_expired(self, *, now: dt.datetime | None = None) -> int:
        return self._delete(schema.sessions.c.expires <= (now or utc_now()))

    def _delete(self, condition: ColumnElement[bool]) -> int:
        with self._engine.begin() as connection:
            return connection.execute(delete(schema.sessions).where(condition)).rowcount
