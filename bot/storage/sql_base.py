"""Shared pieces of the SQL stores (SQLite or PostgreSQL): database access and instant encoding."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from bot.engine.errors import StorageUnavailable
from bot.storage.database import Database, Row, WriteRefused

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
    """Turn a refused write (read-only file, disk full, locked too long, server gone) into ``StorageUnavailable``.

    The backend rolls the statement back, so the caller can tell the user nothing was saved.
    """
    try:
        yield
    except WriteRefused as exc:
        log.warning("database write refused: %s", exc)
        raise StorageUnavailable() from exc


class SqlBase:
    """Holds the database and small query helpers for the store mixins."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def _one(self, sql: str, params: Sequence[object]) -> Row | None:
        return await self._db.fetch_one(sql, params)

    async def _all(self, sql: str, params: Sequence[object]) -> list[Row]:
        return await self._db.fetch_all(sql, params)

    async def _run(self, sql: str, params: Sequence[object]) -> int:
        return await self._db.execute(sql, params)
