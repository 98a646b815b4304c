"""Read-only connections for reports and checks, so a running bot's writer is never disturbed.

The SQLite file is opened through a ``file:...?mode=ro`` URI: SQLite itself
refuses every write, takes no write lock and never creates a missing file, so
a mistyped path cannot leave an empty database behind. In WAL mode readers do
not block the writer, so analytics and exports can run beside the bot.

PostgreSQL gets the same promise from the server: every session of the pool
starts with ``default_transaction_read_only`` on, so a report, ``health`` or
``doctor`` cannot write even through a bug, and it never migrates. Both
return a ``Database`` the report stores take as is.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import aiosqlite

from bot.storage.database import Database, DatabaseError, SqliteDatabase

PG_SCHEMES = ("postgresql://", "postgres://")
PG_READ_ONLY = {"default_transaction_read_only": "on"}
# A probe (a container HEALTHCHECK has 10 s) must fail fast on an unreachable server, not after asyncpg's 60 s.
PG_CONNECT_TIMEOUT = 5.0

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


def is_postgres_url(target: str | Path) -> bool:
    """Whether ``target`` (a ``--db`` value or a setting) names a PostgreSQL database rather than a file."""
    return isinstance(target, str) and target.startswith(PG_SCHEMES)


@asynccontextmanager
async def open_readonly_postgres(url: str, *, quizbot_only: bool = True) -> AsyncIterator[Database]:
    """A small read-only pool on ``url``; refuse (unless ``quizbot_only`` is off) a database QuizBot did not make.

    ``quizbot_only=False`` is for the checks that report an empty database as
    "migrated at first start" instead of refusing it.
    """
    # Imported here, as in bot.storage.connect: the SQLite default needs no PostgreSQL driver loaded.
    import asyncpg

    from bot.storage.postgres import PostgresDatabase, redact, scrub

    try:
        pool = await asyncpg.create_pool(url, min_size=1, max_size=2, timeout=PG_CONNECT_TIMEOUT, command_timeout=60,
                                         server_settings=PG_READ_ONLY)
    except (OSError, ValueError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        reason = scrub(str(exc) or type(exc).__name__, url)
        raise DatabaseError(f"cannot connect to PostgreSQL at {redact(url)}: {reason}") from exc
    try:
        database = PostgresDatabase(pool, url)
        if quizbot_only:
            rows = await database.fetch_all(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
            missing = _REQUIRED_TABLES - {str(row[0]) for row in rows}
            if missing:
                raise DatabaseError(f"{database.label} is not a QuizBot database (or was never migrated); missing "
                                    f"tables: {', '.join(sorted(missing))}")
        log.debug("opened %s read-only", database.label)
        yield database
    finally:
        await pool.close()


def open_report_database(target: str | Path) -> AbstractAsyncContextManager[Database]:
    """Read-only: PostgreSQL for a ``postgresql://`` URL, else the SQLite file at ``target``."""
    if is_postgres_url(target):
        return open_readonly_postgres(str(target))
    return open_readonly(target)
