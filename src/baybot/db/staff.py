"""Staff accounts: name, password hash and the failed sign-in count behind the lock-out.

Failures are counted in one UPDATE … RETURNING, so replicas sharing the database lock an
account after N failures in total, not N on each replica.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, case, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import baybot.db.schema as schema

from .engine import DatabaseError
from .records import utc_now


class StaffExistsError(DatabaseError):
    """A staff account of that name exists already."""


@dataclass(frozen=True)
class StaffAccount:
    name: str
    password_hash: str  # argon2, PHC string format
    created: dt.datetime
    failed_count: int  # failures since the last success or lock-out
    locked_until: dt.datetime | None

    def locked(self, now: dt.datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


class StaffRepository:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, name: str, password_hash: str, *, now: dt.datetime | None = None) -> StaffAccount:
        account = StaffAccount(name, password_hash, now or utc_now(), 0, None)
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(schema.staff).values(
                        name=account.name,
                        password_hash=account.password_hash,
                        created=account.created,
                        failed_count=0,
                        locked_until=None,
                    )
                )
        except IntegrityError as exc:
            raise StaffExistsError(f"a staff account named {name!r} exists already") from exc
        except SQLAlchemyError as exc:
            raise DatabaseError(f"cannot add the staff account {name!r}: {exc}") from exc
        return account

    def get(self, name: str) -> StaffAccount | None:
        with self._engine.connect() as connection:
            row = connection.execute(select(*_COLUMNS).where(schema.staff.c.name == name)).first()
        return StaffAccount(*row) if row else None

    def names(self) -> list[str]:
        with self._engine.connect() as connection:
            return list(
                connection.execute(
                    select(schema.staff.c.name).order_by(schema.staff.c.name)
                ).scalars()
            )

    def set_password_hash(self, name: str, password_hash: str) -> bool:
        """False when there is no such account."""
        return self._update(name, password_hash=password_hash) is not None

    def remove(self, name: str) -> bool:
        """Delete the account and (by cascade) its sessions; False when there was none."""
        with self._engine.begin() as connection:
            result = connection.execute(delete(schema.staff).where(schema.staff.c.name == name))
        return result.rowcount > 0

    def record_failure(
        self, name: str, *, max_failures: int, lock_for: dt.timedelta, now: dt.datetime
    ) -> StaffAccount | None:
        """Count one failed sign-in; the `max_failures`-th locks the account for `lock_for`
        and starts the count again. None when there is no such account."""
        reached = schema.staff.c.failed_count + 1 >= max_failures
        return self._update(
            name,
            failed_count=case((reached, 0), else_=schema.staff.c.failed_count + 1),
            locked_until=case((reached, now + lock_for), else_=schema.staff.c.locked_until),
        )

    def clear_failures(self, name: str) -> None:
        """After a successful sign-in."""
        self._update(name, failed_count=0, locked_until=None)

    def _update(self, name: str, **values: object) -> StaffAccount | None:
        with self._engine.begin() as connection:
            row = connection.execute(
                update(schema.staff)
                .where(schema.staff.c.name == name)
                .values(**values)
                .returning(*_COLUMNS)
            ).first()
        return StaffAccount(*row) if row else None


_COLUMNS = tuple(
    schema.staff.c[name]
    for name in ("name", "password_hash", "created", "failed_count", "locked_until")
)
