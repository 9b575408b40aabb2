"""Alembic environment: runs migrations online against the URL `bot.store.migrate` sets."""

from alembic import context
from sqlmodel import SQLModel

import bot.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from bot.store.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata


def run_on(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if connection.in_transaction():
        connection.commit()


def run_migrations_online() -> None:
    # `bot.store.migrate` hands over its connection when it holds the migration lock on it.
    given = config.attributes.get("connection")
    if given is not None:
        run_on(given)
        return
    url = config.get_main_option("sqlalchemy.url")
    assert url is not None
    engine = make_engine(url)
    with engine.connect() as connection:
        run_on(connection)
    engine.dispose()


run_migrations_online()
