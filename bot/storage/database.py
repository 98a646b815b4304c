"""The database behind every store: one small interface, two backends.

Stores write one SQL text for both backends: ``?`` placeholders, upserts with
``ON CONFLICT``, ``RETURNING`` instead of ``lastrowid``. ``SqliteDatabase``
(the embedded default) runs it on aiosqlite; ``PostgresDatabase`` (in
``bot.storage.postgres``, for several processes) rewrites the placeholders and
runs it on an asyncpg pool. Driver exceptions are translated here, so no
store catches ``sqlite3`` or ``asyncpg`` errors.

aiosqlite runs one thread per connection; coroutines sharing it would
interleave ``BEGIN``/``COMMIT`` (verified in platforms.md §5.1), so every
multi-statement transaction takes ``SqliteDatabase.lock``. Hot writes are
single statements in autocommit mode and need no lock.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, Protocol

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
    """The database cannot be used (corrupt, foreign, too new, unreachable); nothing was changed."""


class WriteRefused(Exception):
    """The backend refused a statement for a reason outside the query (read-only, disk full, locked, gone)."""


class IntegrityViolation(Exception):
    """A statement broke a constraint (unique name, foreign key); nothing was written."""


class Row(Protocol):
    """A result row: by position and by column name (``sqlite3.Row`` and ``asyncpg.Record`` both are)."""

    def __getitem__(self, key: int | str, /) -> Any: ...  # noqa: ANN401 - column values are dynamically typed

    def __iter__(self) -> Iterator[Any]: ...

    def __len__(self) -> int: ...


class Executor(abc.ABC):
    """Runs statements: the database itself (autocommit) or one open transaction."""

    @abc.abstractmethod
    async def fetch_all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        """Every row of a query (or of an ``INSERT … RETURNING``)."""

    async def fetch_one(self, sql: str, params: Sequence[object] = ()) -> Row | None:
        """The first row, or None."""
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None

    @abc.abstractmethod
    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run a statement; return how many rows it changed."""


class Database(Executor):
    """One backend; use ``open_database`` (or ``Database.open`` for an SQLite file)."""

    dialect: str
    label: str  # for messages: the SQLite path or the PostgreSQL URL without its password

    @abc.abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Executor]:
        """One serialised read-write transaction (like SQLite's ``BEGIN IMMEDIATE``); rolls back on error."""

    @staticmethod
    def open(path: str | Path) -> AbstractAsyncContextManager[SqliteDatabase]:
        """Open the embedded SQLite database at ``path``."""
        return SqliteDatabase.open(path)


# Primary result codes of an environment refusing work: BUSY, LOCKED, NOMEM, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
_REFUSED_CODES = frozenset({5, 6, 7, 8, 10, 13, 14, 15})


@contextmanager
def _sqlite_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise IntegrityViolation(str(exc)) from exc
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode & 0xFF not in _REFUSED_CODES:
            raise  # a mistake in the SQL itself is a bug, not a refused write
        raise WriteRefused(str(exc)) from exc


class _SqliteExecutor(Executor):
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    # One trip to aiosqlite's thread per read: execute + fetch + close as separate awaits
    # cost three, and each trip (~80 us) is what bounds the answer path, not SQLite.
    async def fetch_all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with _sqlite_errors():
            return list(await self.conn.execute_fetchall(sql, params))  # type: ignore[arg-type]

    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        with _sqlite_errors():
            cursor = await self.conn.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
            return count


class SqliteDatabase(Database, _SqliteExecutor):
    """Owns the writer connection; ``async with SqliteDatabase.open(path)``."""

    dialect = "sqlite"

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        super().__init__(conn)
        self.path = path
        self.label = path
        self.lock = asyncio.Lock()

    @classmethod
    @asynccontextmanager
    async def open(cls, path: str | Path) -> AsyncIterator[SqliteDatabase]:  # type: ignore[override]
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
                # Fetched, not just executed: a row left pending keeps a read snapshot open, and this
                # connection's first write then fails at once (SQLITE_BUSY_SNAPSHOT) if another wrote since.
                await conn.execute_fetchall("SELECT count(*) FROM sqlite_master")
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
    async def _transaction(self) -> AsyncIterator[Executor]:
        async with self.lock:
            with _sqlite_errors():
                await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteExecutor(self.conn)
            except BaseException:
                await self.conn.execute("ROLLBACK")
                raise
            try:
                with _sqlite_errors():
                    await self.conn.execute("COMMIT")
            except WriteRefused:  # a full disk can refuse the commit itself: leave no transaction open
                if self.conn.in_transaction:
                    await self.conn.execute("ROLLBACK")
                raise

    def transaction(self) -> AbstractAsyncContextManager[Executor]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the lock; rolls back on any error."""
        return self._transaction()


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _refuse_non_sqlite(path: Path) -> None:
    """Refuse a non-empty file that is not SQLite before SQLite touches it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with path.open("rb") as handle:
        head = handle.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise DatabaseError(f"{path} exists but is not an SQLite database; refusing to touch it.")
