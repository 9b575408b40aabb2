"""The database's clock: leases and claims are stamped and compared on one clock.

Replicas on different machines disagree about the time by a little or a lot; the database is
the one thing they share, so every expiry that decides who holds what is read from it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session


def database_now(session: Session) -> datetime:
    """Now, by the database's clock (aware, UTC)."""
    if session.get_bind().dialect.name == "sqlite":
        return datetime.now(UTC)  # an embedded file: the database's clock is this machine's
    now = session.execute(text("SELECT clock_timestamp()")).scalar_one()
    assert isinstance(now, datetime)
    return now.astimezone(UTC)
