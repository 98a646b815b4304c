"""``SqlLeaseStore``: named leases (SQLite or PostgreSQL), so one process among several does a job.

A lease is one row: who holds it and until when. Taking and renewing it is a
single upsert, so the database itself decides between contenders, with no
read-then-write gap: on PostgreSQL ``INSERT … ON CONFLICT DO UPDATE`` either
inserts or locks the existing row and evaluates the ``WHERE`` against its
latest committed version (a second contender waits for the first and then sees
the new owner and expiry); on SQLite every write holds the database lock.
``RETURNING`` yields a row only when this statement inserted or updated it,
which is exactly "the caller holds the lease now". Instants are ISO UTC text
(``sql_base.to_text``): fixed width, so text order is time order (the
PostgreSQL columns use the "C" collation for that reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage.database import Database
from bot.storage.sql_base import epoch, from_text, to_text, writes

_ACQUIRE = (
    "INSERT INTO scheduler_lease (name, owner, expires_at) VALUES (?, ?, ?)"
    " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at"
    " WHERE scheduler_lease.owner = excluded.owner OR scheduler_lease.expires_at < ?"
    " RETURNING owner"
)


@dataclass(frozen=True)
class Lease:
    """Who holds a lease and until when."""

    name: str
    owner: str
    expires_at: datetime


class SqlLeaseStore:
    """The ``scheduler_lease`` table; every method is one statement."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def acquire_or_renew(self, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Hold ``name`` until ``now + ttl`` if it is free, expired or already ours; False when another holds it.

        Raises ``StorageUnavailable`` when the database refuses the statement: the caller cannot know
        whether it still holds the lease and must behave as if it does not.
        """
        async with writes():
            row = await self._db.fetch_one(_ACQUIRE, (name, owner, to_text(now + ttl), to_text(now)))
        return row is not None

    async def release(self, name: str, owner: str) -> bool:
        """Give the lease up at once (a clean shutdown), so a peer need not wait for it to expire."""
        async with writes():
            return await self._db.execute(
                "DELETE FROM scheduler_lease WHERE name = ? AND owner = ?", (name, owner)) == 1

    async def holder(self, name: str) -> Lease | None:
        """The current row of ``name`` (possibly expired), or None when nobody took it yet."""
        row = await self._db.fetch_one("SELECT owner, expires_at FROM scheduler_lease WHERE name = ?", (name,))
        if row is None:
            return None
        return Lease(name, row["owner"], from_text(row["expires_at"]) or epoch())
