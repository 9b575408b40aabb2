"""Alembic, driven from code: `kuber migrate` and start-up call `upgrade(url)`.

The migration scripts ship inside the package, so an installed Kuber can migrate without
an alembic.ini or a checkout.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.store.engine import make_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # Percent signs in passwords would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


#: The PostgreSQL advisory lock replicas take before migrating ("kuber" in ASCII).
MIGRATION_LOCK = 0x6B75626572


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`. Replicas starting together on PostgreSQL take turns
    under an advisory lock: the first migrates, the others find nothing left to do."""
    config = alembic_config(url)
    engine = make_engine(url)
    if engine.dialect.name != "postgresql":
        engine.dispose()
        command.upgrade(config, revision)
        return
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()  # the lock is the session's: it outlives this transaction
            try:
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
            finally:
                connection.rollback()
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
    finally:
        engine.dispose()


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
