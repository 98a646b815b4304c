"""Shared pieces of the SQLite stores: connection access and instant encoding."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from bot.engine.errors import StorageUnavailable
from bot.storage.database import Database

log = logging.getLogger(__name__)


def to_text(instant: datetime | None) -> str | None:
    """Store an aware instant as fixed-width UTC text."""
    if instant is None:
        return None
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


def from_text(text: str | None) -> datetime | None:
    """Inverse of ``to_text``."""
    return datetime.fromisoformat(text) if text else None


def epoch() -> datetime:
    """The zero instant, for NOT NULL columns read back as None."""
    return datetime(1970, 1, 1, tzinfo=UTC)




@asynccontextmanager
async def writes() -> AsyncIterator[None]:
    """Turn a refused write (read-only file, disk full, locked too long) into ``StorageUnavailable``.

    SQLite rolls the statement back, so the caller can tell the user nothing was saved.
    """
    try:
        yield
    except sqlite3.OperationalError as exc:
        log.warning("database write refused: %s", exc)
        raise StorageUnavailable() from exc


class SqlBase:
    """Holds the writer connection and small query helpers for the store mixins."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn = db.conn

    # One trip to aiosqlite's thread per read: execute + fetch + close as separate awaits
    # cost three, and each trip (~80 us) is what bounds the answer path, not SQLite.
    async def _one(self, sql: str, params: Sequence[object]) -> sqlite3.Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)  # type: ignore[arg-type]

    async def _all(self, sql: str, params: Sequence[object]) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))  # type: ignore[arg-type]
