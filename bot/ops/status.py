"""What a running bot leaves in the ``meta`` table, and a read-only look at it from another process.

The scheduler writes ``heartbeat`` (an ISO instant) every minute and clears it
on a clean stop; the composition root writes ``adapter:<platform>`` when an
adapter starts and stops. ``quizbot health`` (the container's HEALTHCHECK)
and ``quizbot restore`` read these rows through a ``mode=ro`` connection, so
they never take a write lock on the live file. A heartbeat older than
``STALE_AFTER`` means the scheduler (or the whole process) is gone: three
missed beats, so one slow minute does not flap the container's health.

On PostgreSQL several processes share the table, so each writes its rows
under its host name (``heartbeat@web-1``, ``adapter:slack@web-1``; see
``process_meta``): a container's health probe runs on the same host as its
bot, so it judges exactly that process, and one process stopping cannot mark
another's adapter stopped. The host, not the pid, because a container's bot
is always pid 1 and a restarted process should overwrite its own row rather
than leave one per pid behind. Two processes on one host share a row; run
them in separate containers (or accept that health sees either of them).
SQLite keeps the plain keys: one process owns the file.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import sqlite3
from collections.abc import Coroutine, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar

from bot.scheduling.runtime import HEARTBEAT_KEY
from bot.storage.database import DatabaseError, Executor
from bot.storage.migrations import MIGRATIONS_DIR, POSTGRES_DIR, current_version, discover, has_tables
from bot.storage.readonly import open_readonly_postgres, readonly_uri

log = logging.getLogger(__name__)

ADAPTER_PREFIX = "adapter:"
HOST_MARK = "@"  # separates a row's key from the host that wrote it (PostgreSQL)
STALE_AFTER = timedelta(minutes=3)
# Other hosts' beats older than this are not listed: containers replaced by a deploy leave their last row behind.
FORGET_AFTER = timedelta(days=1)
LEASE_TABLE = "scheduler_lease"
_LEASE_QUERY = f"SELECT name, owner, expires_at FROM {LEASE_TABLE} ORDER BY name"  # noqa: S608 - a constant name
CONNECTED = "connected"
STOPPED = "stopped"

_SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every QuizBot schema since 0003 has; a file without them was not made by QuizBot.
QUIZBOT_TABLES = frozenset({"meta", "rounds", "attempts", "server_config"})


class MetaWriter(Protocol):
    """The store's key-value bookkeeping (``SqlQuizStore.set_meta``)."""

    async def set_meta(self, key: str, value: str) -> None:
        """Store one value."""
        ...


async def record_adapter(meta: MetaWriter, platform: str, state: str, at: datetime) -> None:
    """Record that ``platform``'s adapter is ``connected`` or ``stopped`` since ``at``."""
    await meta.set_meta(ADAPTER_PREFIX + platform, json.dumps({"state": state, "since": at.isoformat()}))


def this_host() -> str:
    """The name this process's rows carry on a shared database (a container's hostname is its id)."""
    return socket.gethostname()


def host_key(key: str, host: str | None) -> str:
    """``key`` as written by ``host``; the plain key when there is one process (SQLite)."""
    return key if host is None else f"{key}{HOST_MARK}{host}"


@dataclass(frozen=True)
class HostMeta:
    """A ``MetaWriter`` that files this process's bookkeeping rows under its host name."""

    meta: MetaWriter
    host: str

    async def set_meta(self, key: str, value: str) -> None:
        """Store ``value`` at ``key@host``."""
        await self.meta.set_meta(host_key(key, self.host), value)


def process_meta(meta: MetaWriter, dialect: str, host: str | None = None) -> MetaWriter:
    """Where this process records its heartbeat and adapters: per host on PostgreSQL, plain keys on SQLite."""
    return HostMeta(meta, host or this_host()) if dialect == "postgres" else meta


def head_version(dialect: str = "sqlite") -> int:
    """The schema version this code migrates to."""
    migrations = discover(POSTGRES_DIR if dialect == "postgres" else MIGRATIONS_DIR)
    return migrations[-1].version if migrations else 0


@dataclass(frozen=True)
class Lease:
    """Who holds a lease (the scheduler's: one active scheduler among the processes) and until when."""

    name: str
    owner: str
    expires_at: datetime | None


@dataclass(frozen=True)
class DbStatus:
    """The schema version and the bookkeeping rows of one QuizBot database."""

    version: int
    meta: Mapping[str, str]
    host: str | None = None  # whose rows are judged: None on SQLite (plain keys), this host on PostgreSQL
    leases: tuple[Lease, ...] = field(default=())

    @property
    def heartbeat(self) -> datetime | None:
        """The scheduler's last beat; None when it never beat or stopped cleanly."""
        return _instant(self.meta.get(host_key(HEARTBEAT_KEY, self.host), ""))

    def other_hosts(self, now: datetime) -> dict[str, datetime]:
        """The last beat of each other host that beat within ``FORGET_AFTER`` (PostgreSQL), by host name."""
        prefix = HEARTBEAT_KEY + HOST_MARK
        beats = {key.removeprefix(prefix): _instant(value) for key, value in self.meta.items()
                 if key.startswith(prefix) and key != host_key(HEARTBEAT_KEY, self.host)}
        return {host: beat for host, beat in sorted(beats.items()) if beat is not None and now - beat <= FORGET_AFTER}

    def heartbeat_age(self, now: datetime) -> timedelta | None:
        """How long ago the scheduler beat."""
        beat = self.heartbeat
        return None if beat is None else now - beat

    def running(self, now: datetime) -> bool:
        """True while a fresh heartbeat says a bot process is using this file."""
        age = self.heartbeat_age(now)
        return age is not None and age <= STALE_AFTER

    def adapter_state(self, platform: str) -> str | None:
        """``connected``, ``stopped`` or None when this adapter never started on this file."""
        raw = self.meta.get(host_key(ADAPTER_PREFIX + platform, self.host))
        if raw is None:
            return None
        try:
            return str(json.loads(raw)["state"])
        except (ValueError, KeyError, TypeError):
            return None


def inspect(path: Path) -> DbStatus:
    """Read the version and meta rows read-only; raise ``DatabaseError`` for a missing or foreign file."""
    check_file(path)
    try:
        with closing(connect_readonly(path)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            missing = QUIZBOT_TABLES - tables
            if missing:
                raise DatabaseError(f"{path} is not a QuizBot database; missing tables: {', '.join(sorted(missing))}")
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            meta = {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta")}
            rows = conn.execute(_LEASE_QUERY).fetchall() if LEASE_TABLE in tables else []  # before 0006: none
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable SQLite database: {exc}") from exc
    return DbStatus(version, meta, leases=_leases(rows))


def check_file(path: Path) -> None:
    """Refuse a missing, empty or non-SQLite file before SQLite opens it."""
    if not path.is_file():
        raise DatabaseError(f"{path} does not exist")
    with path.open("rb") as handle:
        if handle.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise DatabaseError(f"{path} is not an SQLite database")


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A ``mode=ro`` connection: SQLite refuses writes and never creates the file."""
    return sqlite3.connect(readonly_uri(path), uri=True, timeout=5)


def _instant(text: str) -> datetime | None:
    """An ISO instant; a naive one (written by hand, or by an old tool) is read as UTC, never compared naive."""
    try:
        value = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _leases(rows: Sequence[Sequence[object]]) -> tuple[Lease, ...]:
    return tuple(Lease(str(name), str(owner), _instant(str(expires))) for name, owner, expires in rows)


T = TypeVar("T")


def run_sync(coro: Coroutine[object, object, T]) -> T:
    """Run ``coro`` to completion on a loop of its own, also when the caller already runs one.

    The ops commands are synchronous (the SQLite side is plain ``sqlite3``),
    but asyncpg needs a loop; a worker thread gives it one without nesting
    ``asyncio.run`` in a caller's running loop.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _inspect_postgres(url: str, host: str) -> DbStatus:
    async with open_readonly_postgres(url) as db:
        version = await current_version(db, "postgres")
        meta = {str(row[0]): str(row[1]) for row in await db.fetch_all("SELECT key, value FROM meta")}
        rows = await _pg_leases(db)
    return DbStatus(version, meta, host, _leases(rows))


async def _pg_leases(db: Executor) -> list[tuple[object, ...]]:
    exists = await db.fetch_one("SELECT to_regclass(?) IS NOT NULL", (LEASE_TABLE,))
    if not (exists and exists[0]):
        return []  # a database from before migration 0006
    return [tuple(row) for row in await db.fetch_all(_LEASE_QUERY)]


def inspect_postgres(url: str, host: str | None = None) -> DbStatus:
    """The version, meta rows and leases of the QuizBot database at ``url``, judged for ``host`` (default: this one).

    Read-only; raises ``DatabaseError`` (password redacted) for an unreachable or foreign database.
    """
    return run_sync(_inspect_postgres(url, host or this_host()))


async def _postgres_schema(url: str) -> tuple[int, bool]:
    async with open_readonly_postgres(url, quizbot_only=False) as db:
        return await current_version(db, "postgres"), await has_tables(db, "postgres")


def postgres_schema(url: str) -> tuple[int, bool]:
    """(schema version, whether any table exists) of the database at ``url``; for ``doctor``, which accepts empty."""
    return run_sync(_postgres_schema(url))
