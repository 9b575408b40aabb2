"""Kuber's own state: the audit log, pending approvals, locks and channel context.

SQLite is the embedded default; PostgreSQL works through `KUBER_DATABASE_URL`. The schema
is owned by Alembic migrations (`kuber migrate`, also applied at start-up).
"""

from bot.store.engine import Store, open_store

__all__ = ["Store", "open_store"]
