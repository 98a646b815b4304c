"""``PostgresDatabase``: the stores' SQL on PostgreSQL (asyncpg), for several bot processes.

The stores write ``?`` placeholders; they are rewritten once per statement text
to asyncpg's ``$1, $2 …`` (outside string literals). Single statements run on
the pool in autocommit mode, as on SQLite. ``transaction()`` takes one
transaction-scoped advisory lock first, so read-then-write transactions (the
next daily sequence number, a membership switch) are serialised across every
process exactly as ``BEGIN IMMEDIATE`` serialises them within one SQLite file.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from functools import lru_cache
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

from bot.storage.database import Database, DatabaseError, Executor, IntegrityViolation, Row, WriteRefused

log = logging.getLogger(__name__)

# Any fixed 64-bit key; it names "the QuizBot write transaction" among advisory locks.
TRANSACTION_LOCK = 0x5155_495A  # "QUIZ"
_REFUSED = (
    asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.InsufficientResourcesError,
    asyncpg.ReadOnlySQLTransactionError, asyncpg.CannotConnectNowError, asyncpg.LockNotAvailableError,
    asyncpg.QueryCanceledError, asyncpg.DeadlockDetectedError, asyncpg.SerializationError, OSError, TimeoutError,
)


@lru_cache(maxsize=512)
def to_dollar(sql: str) -> str:
    """Rewrite ``?`` placeholders to ``$n``, leaving quoted literals and identifiers alone."""
    out: list[str] = []
    n = 0
    quote: str | None = None
    for ch in sql:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "?":
            n += 1
            out.append(f"${n}")
            continue
        out.append(ch)
    return "".join(out)


def _changed(status: str) -> int:
    """Rows changed, from a command tag such as ``INSERT 0 1`` or ``UPDATE 3``."""
    last = status.rsplit(" ", 1)[-1]
    return int(last) if last.isdigit() else 0


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def scrub(text: str, url: str) -> str:
    """``text`` without the URL's password (plain or percent-encoded): driver messages may quote the DSN."""
    password = urlsplit(url).password
    for form in {password, unquote(password)} if password else ():
        text = text.replace(form, "***")
    return text


@contextmanager
def _pg_errors() -> Iterator[None]:
    try:
        yield
    except asyncpg.IntegrityConstraintViolationError as exc:
        raise IntegrityViolation(str(exc)) from exc
    except _REFUSED as exc:
        raise WriteRefused(str(exc) or type(exc).__name__) from exc


class _PgExecutor(Executor):
    def __init__(self, conn: asyncpg.Connection | asyncpg.Pool) -> None:
        self._on = conn

    async def fetch_all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        with _pg_errors():
            return list(await self._on.fetch(to_dollar(sql), *params))

    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        """Run a statement; without parameters it may be a whole script (a migration file)."""
        with _pg_errors():
            if not params:
                return _changed(await self._on.execute(sql))
            return _changed(await self._on.execute(to_dollar(sql), *params))


class PostgresDatabase(Database, _PgExecutor):
    """A connection pool; ``async with PostgresDatabase.open(url)``."""

    dialect = "postgres"

    def __init__(self, pool: asyncpg.Pool, url: str) -> None:
        super().__init__(pool)
        self.pool = pool
        self.url = url
        self.label = redact(url)

    @classmethod
    @asynccontextmanager
    async def open(  # type: ignore[override]
        cls, url: str, *, min_size: int = 1, max_size: int = 10
    ) -> AsyncIterator[PostgresDatabase]:
        """Connect a pool (refusing an unreachable server with a clear message) and close it on exit."""
        try:
            pool = await asyncpg.create_pool(url, min_size=min_size, max_size=max_size, command_timeout=60)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
            raise DatabaseError(f"cannot connect to PostgreSQL at {redact(url)}: {scrub(str(exc), url)}") from None
        try:
            yield cls(pool, url)
        finally:
            await pool.close()

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Executor]:
        with _pg_errors():
            conn = await self.pool.acquire()
        try:
            with _pg_errors():  # the commit itself can be refused too
                async with conn.transaction():
                    await conn.execute("SELECT pg_advisory_xact_lock($1)", TRANSACTION_LOCK)
                    yield _PgExecutor(conn)
        finally:
            await self.pool.release(conn)

    def transaction(self) -> AbstractAsyncContextManager[Executor]:
        """A transaction on one pooled connection, serialised across processes by an advisory lock."""
        return self._transaction()
