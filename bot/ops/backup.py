"""Backups with SQLite's online backup API, a daily rotation, and a guarded restore.

Why the backup API and not a file copy: copying ``quizbot.db`` while the bot
runs can miss pages still in the ``-wal`` file or catch a half-written
checkpoint. ``sqlite3.Connection.backup`` copies a consistent snapshot from a
read-only connection. It runs in one step (``pages=-1``): in WAL mode a reader
never blocks the writer, whereas a stepped backup restarts every time the bot
writes between steps and may never finish on a busy server.

A backup is written to ``NAME.partial``, checked with ``PRAGMA quick_check``
and only then renamed, so a crash never leaves a truncated file that looks
like a good backup.

On PostgreSQL both commands refuse before touching anything and name the
server's own tools: ``pg_dump`` takes a consistent snapshot of a live
database and ``pg_restore`` puts it back, which a file copy cannot match.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.ops.status import (
    ADAPTER_PREFIX,
    HEARTBEAT_KEY,
    HOST_MARK,
    check_file,
    connect_readonly,
    head_version,
    inspect,
)
from bot.storage.database import DatabaseError

log = logging.getLogger(__name__)

_ROTATED = re.compile(r"^quizbot-\d{8}T\d{6}Z\.db$")


class BackupError(Exception):
    """A backup or restore was refused or failed; nothing was overwritten."""


def postgres_refusal(command: str, label: str) -> str:
    """Why ``quizbot backup``/``restore`` does nothing on PostgreSQL, and the command to use instead."""
    if command == "backup":
        how = ('back it up with pg_dump, e.g. pg_dump --format=custom --file=quizbot.dump "$QUIZBOT_DATABASE_URL" '
               "(safe while the bot runs)")
    else:
        how = ("stop every bot process, then restore a pg_dump file with pg_restore, e.g. pg_restore --clean "
               '--if-exists --dbname="$QUIZBOT_DATABASE_URL" quizbot.dump')
    return f"the database is PostgreSQL ({label}); {how}. Nothing was changed."


def backup_name(now: datetime) -> str:
    """``quizbot-YYYYMMDDTHHMMSSZ.db``: sorts by time, and only such names are ever pruned."""
    return f"quizbot-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.db"


def backup_database(source: Path, dest: Path) -> Path:
    """Copy the QuizBot database ``source`` into the new file ``dest``; safe while the bot runs."""
    inspect(source)  # refuses a missing or foreign file before anything is created
    if dest.exists():
        raise BackupError(f"{dest} already exists; choose a new file name (backups never overwrite)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with closing(connect_readonly(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm to carry along
            _quick_check(dst, dest)
        partial.replace(dest)
    finally:
        partial.unlink(missing_ok=True)
    return dest


def _quick_check(conn: sqlite3.Connection, name: Path) -> None:
    result = conn.execute("PRAGMA quick_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(f"{name}: the copy failed its integrity check ({result[0] if result else 'no result'})")


def prune(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` rotated backups; other files in the folder are never touched."""
    rotated = sorted(p for p in directory.iterdir() if p.is_file() and _ROTATED.match(p.name))
    doomed = rotated[:-keep] if keep > 0 else rotated
    for path in doomed:
        path.unlink()
    return doomed


@dataclass(frozen=True)
class BackupRotation:
    """The scheduler's daily job: one timestamped backup into ``directory``, keeping the newest ``keep``."""

    source: Path
    directory: Path
    keep: int

    async def __call__(self, now: datetime) -> Path | None:
        """Run off the event loop (the copy is file I/O that would stall answers); log a failure, never raise.

        A failed backup must not stop the scheduler: it is logged at ERROR (and
        counted by log-based alerting) and the next day's run tries again.
        """
        try:
            return await asyncio.to_thread(self.run, now)
        except (BackupError, DatabaseError, OSError, sqlite3.Error) as exc:
            log.error("daily backup failed: %s", exc)
            return None

    def run(self, now: datetime) -> Path:
        """Back up, then prune."""
        dest = backup_database(self.source, self.directory / backup_name(now))
        removed = prune(self.directory, self.keep)
        log.info("backup written to %s (%d bytes); %d old backup(s) removed", dest, dest.stat().st_size, len(removed))
        return dest


def restore_database(source: Path, target: Path, now: datetime) -> Path | None:
    """Replace ``target`` with the backup ``source``; return where the previous file was saved.

    Refuses a source that is not a QuizBot database or is newer than this code,
    a target that is not QuizBot's, and a target with a fresh heartbeat (a bot is
    running on it). The bot must stay stopped until this returns.
    """
    version = inspect(source).version
    with closing(connect_readonly(source)) as src:
        _quick_check(src, source)
    if version > head_version():
        raise BackupError(f"{source} has schema version {version}, newer than this code's {head_version()}")
    saved = _save_current(target, now) if target.exists() and target.stat().st_size else None
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(connect_readonly(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        # The copied heartbeat and adapter rows describe the process that made the backup, not a running one.
        dst.execute("DELETE FROM meta WHERE key = ? OR key LIKE ? OR key LIKE ?",
                    (HEARTBEAT_KEY, HEARTBEAT_KEY + HOST_MARK + "%", ADAPTER_PREFIX + "%"))
        dst.commit()
    log.info("restored %s from %s", target, source)
    return saved


def _save_current(target: Path, now: datetime) -> Path:
    """Refuse a running or foreign target; otherwise back it up beside itself before it is replaced."""
    check_file(target)
    status = inspect(target)
    if status.running(now):
        age = status.heartbeat_age(now)
        seconds = int(age.total_seconds()) if age else 0
        raise BackupError(f"a bot is running on {target} (heartbeat {seconds} s ago); stop it, then restore")
    saved = target.with_name(f"{target.stem}.pre-restore-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}{target.suffix}")
    return backup_database(target, saved)
