"""One writer connection with the pragmas DESIGN.md asks for, and a transaction lock.

aiosqlite runs one thread per connection; coroutines sharing it would
interleave ``BEGIN``/``COMMIT`` (verified in platforms.md §5.1), so every
multi-statement transaction takes ``Database.lock``. Hot writes are single
statements in autocommit mode and need no lock.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

log = logging.getLogger(__name__)

MIN_SQLITE = (3, 35, 0)
PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA busy_timeout=5000",
    "PRAGMA foreign_keys=ON",
)


class DatabaseError(Exception):
    """The database file cannot be used (corrupt, foreign, too new); nothing was changed."""


class Database:
    """Owns the writer connection; use ``async with Database.open(path)``."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self.lock = asyncio.Lock()

    @classmethod
    @asynccontextmanager
    async def open(cls, path: str | Path) -> AsyncIterator[Database]:
        """Connect, apply pragmas, and close (with ``PRAGMA optimize``) on exit."""
        if sqlite3.sqlite_version_info < MIN_SQLITE:
            raise DatabaseError(f"SQLite {sqlite3.sqlite_version} is too old; QuizBot needs 3.35 or newer (RETURNING)")
        target = str(path)
        if target != ":memory:":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            _refuse_non_sqlite(Path(target))
        conn = await aiosqlite.connect(target, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            try:
                for pragma in PRAGMAS:
                    await conn.execute(pragma)
                await conn.execute("SELECT count(*) FROM sqlite_master")
            except sqlite3.DatabaseError as exc:
                raise DatabaseError(f"{target} is not a usable SQLite database: {exc}") from exc
            yield cls(conn, target)
            try:
                await conn.execute("PRAGMA optimize")
            except sqlite3.OperationalError as exc:  # read-only or full: closing must still succeed
                log.warning("skipped PRAGMA optimize on close: %s", exc)
        finally:
            await conn.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the lock; rolls back on any error."""
        async with self.lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            await self.conn.execute("COMMIT")


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _refuse_non_sqlite(path: Path) -> None:
    """Refuse a non-empty file that is not SQLite before SQLite touches it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        head = handle.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise DatabaseError(f"{path} exists but is not an SQLite database; refusing to touch it.")
