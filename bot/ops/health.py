"""``quizbot health``: is the bot on this database alive? Exit 0 or 1, for a container HEALTHCHECK.

It runs in a second process beside the bot, so it learns everything from the
database through a read-only connection: the schema version (migrated to
head at start), the scheduler's heartbeat (written each minute; stale after
three minutes) and the state each configured adapter recorded when it
started or stopped. It never opens the writer, so a health probe cannot
create, migrate or lock the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from rich.console import Console

from bot.ops.status import CONNECTED, STALE_AFTER, DbStatus, head_version, inspect
from bot.settings import Settings
from bot.storage.database import DatabaseError


@dataclass(frozen=True)
class Check:
    """One finding: what was checked, whether it passed, what was seen and how to fix it."""

    name: str
    ok: bool
    detail: str
    fix: str = ""


def health_checks(settings: Settings, now: datetime) -> list[Check]:
    """Database, schema, scheduler heartbeat and each configured adapter."""
    try:
        status = inspect(settings.database_path)
    except DatabaseError as exc:
        return [Check("database", False, str(exc), "start the bot once so it creates and migrates the file")]
    checks = [Check("database", True, f"{settings.database_path} is readable"), _schema(status),
              _scheduler(status, now)]
    checks.extend(_adapter(status, platform) for platform in settings.platforms)
    return checks


def _schema(status: DbStatus) -> Check:
    head = head_version()
    if status.version == head:
        return Check("schema", True, f"migrated to head (version {head})")
    return Check("schema", False, f"schema version {status.version}, this code's head is {head}",
                 "the bot migrates at start; restart it, or upgrade QuizBot if the file is newer")


def _scheduler(status: DbStatus, now: datetime) -> Check:
    age = status.heartbeat_age(now)
    if age is None:
        return Check("scheduler", False, "no heartbeat (not started, or stopped cleanly)", "start the bot")
    seconds = int(age.total_seconds())
    if status.running(now):
        return Check("scheduler", True, f"heartbeat {seconds} s ago")
    stale = int(STALE_AFTER.total_seconds())
    return Check("scheduler", False, f"last heartbeat {seconds} s ago (stale after {stale} s)",
                 "the process is hung or gone; check its logs and restart it")


def _adapter(status: DbStatus, platform: str) -> Check:
    state = status.adapter_state(platform)
    if state == CONNECTED:
        return Check(f"adapter {platform}", True, "connected")
    return Check(f"adapter {platform}", False, f"{state or 'never started'}",
                 f"check the bot's log for the {platform} adapter's startup error")


def print_checks(checks: Sequence[Check], out: Console) -> int:
    """One line per check (and its fix when it failed); 0 when every check passed, else 1."""
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        out.print(f"{mark} {check.name}: {check.detail}", markup=False, highlight=False, soft_wrap=True)
        if not check.ok and check.fix:
            out.print(f"     fix: {check.fix}", markup=False, highlight=False, soft_wrap=True)
    return 0 if all(check.ok for check in checks) else 1
