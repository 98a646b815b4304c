"""What a running bot leaves in the ``meta`` table, and a read-only look at it from another process.

The scheduler writes ``heartbeat`` (an ISO instant) every minute and clears it
on a clean stop; the composition root writes ``adapter:<platform>`` when an
adapter starts and stops. ``quizbot health`` (the container's HEALTHCHECK)
and ``quizbot restore`` read these rows through a ``mode=ro`` connection, so
they never take a write lock on the live file. A heartbeat older than
``STALE_AFTER`` means the scheduler (or the whole process) is gone: three
missed beats, so one slow minute does not flap the container's health.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.scheduling.runtime import HEARTBEAT_KEY
from bot.storage.database import DatabaseError
from bot.storage.migrations import discover
from bot.storage.readonly import readonly_uri

log = logging.getLogger(__name__)

ADAPTER_PREFIX = "adapter:"
STALE_AFTER = timedelta(minutes=3)
CONNECTED = "connected"
STOPPED = "stopped"

_SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every QuizBot schema since 0003 has; a file without them was not made by QuizBot.
QUIZBOT_TABLES = frozenset({"meta", "rounds", "attempts", "server_config"})


class MetaWriter(Protocol):
    """The store's key-value bookkeeping (``SqliteQuizStore.set_meta``)."""

    async def set_meta(self, key: str, value: str) -> None:
        """Store one value."""
        ...


async def record_adapter(meta: MetaWriter, platform: str, state: str, at: datetime) -> None:
    """Record that ``platform``'s adapter is ``connected`` or ``stopped`` since ``at``."""
    await meta.set_meta(ADAPTER_PREFIX + platform, json.dumps({"state": state, "since": at.isoformat()}))


def head_version() -> int:
    """The schema version this code migrates to."""
    migrations = discover()
    return migrations[-1].version if migrations else 0


@dataclass(frozen=True)
class DbStatus:
    """The schema version and the bookkeeping rows of one QuizBot database."""

    version: int
    meta: Mapping[str, str]

    @property
    def heartbeat(self) -> datetime | None:
        """The scheduler's last beat; None when it never beat or stopped cleanly."""
        text = self.meta.get(HEARTBEAT_KEY, "")
        try:
            return datetime.fromisoformat(text) if text else None
        except ValueError:
            return None

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
        raw = self.meta.get(ADAPTER_PREFIX + platform)
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
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable SQLite database: {exc}") from exc
    return DbStatus(version, meta)


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
