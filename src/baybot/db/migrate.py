"""Schema migrations with Alembic, applied by the program itself at start (`upgrade head`).

Several replicas may start at once against one database: on PostgreSQL an advisory lock makes
them migrate one after another (the later ones find the schema at head and do nothing); on
SQLite the migration transaction takes the write lock at BEGIN for the same effect.

A new migration: change schema.py, then
    python -c "from alembic import command; from baybot.db.migrate import alembic_config; \
command.revision(alembic_config(), 'what changed')"
and write its upgrade() by hand (tests/db checks that it matches schema.py).
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from .engine import SQLITE_BEGIN_OPTION, DatabaseError

SCRIPT_LOCATION = "baybot.db:migrations"
# pg_advisory_xact_lock key: any fixed number no other program on the server uses ("BayB").
PG_MIGRATION_LOCK = 0x42617942


def alembic_config() -> Config:
    """Alembic's configuration, from this package alone (no alembic.ini to ship)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; a no-op when it is there already."""
    config = alembic_config()
    options = {SQLITE_BEGIN_OPTION: "BEGIN IMMEDIATE"} if engine.dialect.name == "sqlite" else {}
    try:
        with engine.connect().execution_options(**options) as connection, connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK}
                )
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as exc:
        raise DatabaseError(f"cannot migrate the database schema: {exc}") from exc
