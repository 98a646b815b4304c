"""The ``health``, ``doctor``, ``backup`` and ``restore`` subcommands, kept out of ``__main__``."""

from __future__ import annotations

import argparse
import os
import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from bot.ops.backup import BackupError, backup_database, backup_name, postgres_refusal, restore_database
from bot.ops.doctor import doctor_checks
from bot.ops.health import database_label, health_checks, print_checks
from bot.settings import Settings
from bot.storage.database import DatabaseError

COMMANDS = frozenset({"health", "backup", "restore"})


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the operations subcommands."""
    sub.add_parser("health", help="exit 0 if the bot on the database (on PostgreSQL: this host's bot process) is "
                                  "alive, else 1 (HEALTHCHECK)")
    sub.add_parser("doctor", help="check settings, tokens, database, bank and timezone data; print fixes")
    p_backup = sub.add_parser("backup", help="copy the SQLite database consistently, also while the bot runs "
                                             "(PostgreSQL: use pg_dump)")
    p_backup.add_argument("--to", required=True, metavar="PATH", dest="dest",
                          help="a new file, or a folder (existing, or ending in /) to write quizbot-<UTC time>.db into")
    p_restore = sub.add_parser("restore", help="replace the SQLite database with a backup; the bot must be stopped "
                                               "(PostgreSQL: use pg_restore)")
    p_restore.add_argument("--from", type=Path, required=True, metavar="PATH", dest="source",
                           help="a backup made by quizbot backup")


def doctor_command(environ: Mapping[str, str], out: Console) -> int:
    """Run before settings are parsed, so it can report invalid ones."""
    return print_checks(doctor_checks(environ), out)


def run_command(args: argparse.Namespace, settings: Settings, out: Console, err: Console) -> int:
    """Dispatch one of ``COMMANDS``; refusals print one line and exit 1."""
    now = datetime.now(UTC)
    try:
        if args.command == "health":
            return print_checks(health_checks(settings, now), out)
        if args.command in {"backup", "restore"} and settings.database_url is not None:  # before any file is touched
            raise BackupError(postgres_refusal(args.command, database_label(settings)))
        if args.command == "backup":
            written = backup_database(settings.database_path, _backup_target(args.dest, now))
            _say(out, f"backup written to {written} ({written.stat().st_size} bytes)")
            return 0
        saved = restore_database(args.source, settings.database_path, now)
        kept = f"; the previous file is saved as {saved}" if saved else ""
        _say(out, f"restored {settings.database_path} from {args.source}{kept}")
        return 0
    except (BackupError, DatabaseError, OSError, sqlite3.Error) as exc:
        _say(err, f"quizbot {args.command}: {exc}")
        return 1


def _backup_target(text: str, now: datetime) -> Path:
    """A folder (existing, or written with a trailing slash) gets a timestamped name; anything else is the file."""
    path = Path(text)
    if path.is_dir() or text.endswith(("/", os.sep)):
        return path / backup_name(now)
    return path


def _say(console: Console, text: str) -> None:
    """Print as is: paths stay on one line and brackets are not markup."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)
