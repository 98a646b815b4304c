"""Read-only connections for reports, so a running bot's writer is never disturbed.

The file is opened through a ``file:...?mode=ro`` URI: SQLite itself refuses
every write, takes no write lock and never creates a missing file, so a
mistyped path cannot leave an empty database behind. In WAL mode readers do
not block the writer, so analytics and exports can run beside the bot.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.database import DatabaseError, SqliteDatabase

log = logging.getLogger(__name__)

_SQLITE_MAGIC = b"SQLite format 3\x00"
_REQUIRED_TABLES = frozenset({"rounds", "attempts", "board_totals", "server_config", "reports"})


def readonly_uri(path: Path) -> str:
    """The percent-encoded read-only URI of ``path`` (spaces and ``?`` in names stay literal)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def _refuse_unusable(path: Path) -> None:
    """Refuse a missing, empty or non-SQLite file with a message saying which."""
    if not path.exists():
        raise DatabaseError(f"database {path} does not exist; pass --db or set QUIZBOT_DATABASE_PATH")
    if not path.is_file() or path.stat().st_size == 0:
        raise DatabaseError(f"database {path} is empty or not a file; nothing to report")
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise DatabaseError(f"{path} is not an SQLite database")


@asynccontextmanager
async def open_readonly(path: str | Path) -> AsyncIterator[SqliteDatabase]:
    """Open a QuizBot database for reading only; refuse files QuizBot did not make."""
    target = Path(path)
    _refuse_unusable(target)
    conn = await aiosqlite.connect(readonly_uri(target), uri=True)
    try:
        conn.row_factory = sqlite3.Row
        try:
            await conn.execute("PRAGMA busy_timeout=5000")
            async with conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'") as cursor:
                tables = {row[0] for row in await cursor.fetchall()}
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"{target} is not a usable SQLite database: {exc}") from exc
        missing = _REQUIRED_TABLES - tables
        if missing:
            raise DatabaseError(
                f"{target} is not a QuizBot database (or predates its reports); missing tables: "
                f"{', '.join(sorted(missing))}"
            )
        log.debug("opened %s read-only", target)
        yield SqliteDatabase(conn, str(target))
    finally:
        await conn.close()
