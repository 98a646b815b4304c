"""``quizbot health``: is the bot on this database alive? Exit 0 or 1, for a container HEALTHCHECK.

It runs in a second process beside the bot, so it learns everything from the
database through a read-only connection: the schema version (migrated to
head at start), the scheduler's heartbeat (written each minute; stale after
three minutes) and the state each configured adapter recorded when it
started or stopped. It never opens the writer, so a health probe cannot
create, migrate or lock the file.

On PostgreSQL (``QUIZBOT_DATABASE_URL``) it judges the process on its own
host (see ``bot.ops.status``): the probe of one container must not pass
because another container beats. Other processes' beats and the scheduler
lease are listed as ``info`` lines that never fail the probe: restarting a
healthy container cannot mend another one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console

from bot.ops.status import CONNECTED, STALE_AFTER, DbStatus, Lease, head_version, inspect, inspect_postgres
from bot.settings import Settings
from bot.storage.database import DatabaseError

_PG_FIX = ("check QUIZBOT_DATABASE_URL (host, port, database, user, password) and that the server runs; "
           "start the bot once so it migrates the database")


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, whether it passed, what was seen and how to fix it.

    An ``info`` finding is printed but never fails the command.
    """

    name: str
    ok: bool
    detail: str
    fix: str = ""
    info: bool = False


def health_checks(settings: Settings, now: datetime, host: str | None = None) -> list[Check]:
    """Database, schema, scheduler heartbeat and each configured adapter (of ``host``'s process on PostgreSQL)."""
    url = settings.database_url.reveal() if settings.database_url else None
    where = database_label(settings)
    try:
        status = inspect_postgres(url, host) if url else inspect(settings.database_path)
    except DatabaseError as exc:
        fix = _PG_FIX if url else "start the bot once so it creates and migrates the file"
        return [Check("database", False, str(exc), fix)]
    checks = [Check("database", True, f"{where} is readable"), _schema(status, "postgres" if url else "sqlite"),
              _scheduler(status, now)]
    checks.extend(_adapter(status, platform) for platform in settings.platforms)
    checks.extend(_other_host(host, beat, now) for host, beat in status.other_hosts(now).items())
    checks.extend(_lease(lease, now) for lease in status.leases)
    return checks


def database_label(settings: Settings) -> str:
    """The database as messages name it: the SQLite path, or the URL without its password."""
    if settings.database_url is None:
        return str(settings.database_path)
    from bot.storage.postgres import redact  # loads asyncpg: only when PostgreSQL is configured

    return redact(settings.database_url.reveal())


def _schema(status: DbStatus, dialect: str) -> Check:
    head = head_version(dialect)
    if status.version == head:
        return Check("schema", True, f"migrated to head (version {head})")
    return Check("schema", False, f"schema version {status.version}, this code's head is {head}",
                 "the bot migrates at start; restart it, or upgrade QuizBot if the database is newer")


def _scheduler(status: DbStatus, now: datetime) -> Check:
    age = status.heartbeat_age(now)
    of = f" from this host ({status.host})" if status.host else ""
    if age is None:
        return Check("scheduler", False, f"no heartbeat{of} (not started, or stopped cleanly)",
                     "start the bot" + (" on this host" if of else ""))
    seconds = int(age.total_seconds())
    if status.running(now):
        return Check("scheduler", True, f"heartbeat{of} {seconds} s ago")
    stale = int(STALE_AFTER.total_seconds())
    return Check("scheduler", False, f"last heartbeat{of} {seconds} s ago (stale after {stale} s)",
                 "the process is hung or gone; check its logs and restart it")


def _adapter(status: DbStatus, platform: str) -> Check:
    state = status.adapter_state(platform)
    if state == CONNECTED:
        return Check(f"adapter {platform}", True, "connected")
    return Check(f"adapter {platform}", False, f"{state or 'never started'}",
                 f"check the bot's log for the {platform} adapter's startup error")


def _other_host(host: str, beat: datetime, now: datetime) -> Check:
    seconds = int((now - beat).total_seconds())
    state = "" if now - beat <= STALE_AFTER else " (stale: hung, gone, or replaced)"
    return Check(f"process {host}", True, f"heartbeat {seconds} s ago{state}", info=True)


def _lease(lease: Lease, now: datetime) -> Check:
    if lease.expires_at is None:
        return Check(f"lease {lease.name}", True, f"held by {lease.owner}", info=True)
    seconds = int((lease.expires_at - now).total_seconds())
    if seconds >= 0:
        return Check(f"lease {lease.name}", True, f"held by {lease.owner} for {seconds} s more", info=True)
    return Check(f"lease {lease.name}", True, f"free (last held by {lease.owner}, expired {-seconds} s ago)",
                 info=True)


def print_checks(checks: Sequence[Check], out: Console) -> int:
    """One line per check (and its fix when it failed); 0 when every judged check passed, else 1."""
    for check in checks:
        mark = "info" if check.info else "ok  " if check.ok else "FAIL"
        out.print(f"{mark} {check.name}: {check.detail}", markup=False, highlight=False, soft_wrap=True)
        if not check.ok and check.fix:
            out.print(f"     fix: {check.fix}", markup=False, highlight=False, soft_wrap=True)
    return 0 if all(check.ok or check.info for check in checks) else 1
