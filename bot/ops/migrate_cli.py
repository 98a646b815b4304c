"""``quizbot migrate-to-postgres``: the thin command around ``bot.storage.copy_to_postgres``.

The URL may come from ``QUIZBOT_DATABASE_URL`` instead of ``--to``, so its password need not sit in the shell
history; either way only the redacted URL is ever printed.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from bot.settings import Settings
from bot.storage.database import DatabaseError

if TYPE_CHECKING:
    from bot.storage.copy_to_postgres import CopyReport

COMMAND = "migrate-to-postgres"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the subcommand."""
    p = sub.add_parser(COMMAND, help="copy the SQLite database into an empty PostgreSQL database and verify it")
    p.add_argument("--from", type=Path, dest="source", metavar="PATH",
                   help="the SQLite file (default: QUIZBOT_DATABASE_PATH); read-only, a running bot is not disturbed")
    p.add_argument("--to", dest="target", metavar="URL",
                   help="postgresql://user:password@host:port/database, empty (default: QUIZBOT_DATABASE_URL)")


def migrate_command(args: argparse.Namespace, settings: Settings, out: Console, err: Console) -> int:
    """Copy, print the per-table check; 0 only when every table matched and the copy was committed."""
    url = args.target or (settings.database_url.reveal() if settings.database_url else "")
    if not url:
        _say(err, f"quizbot {COMMAND}: give --to postgresql://... or set QUIZBOT_DATABASE_URL")
        return 2
    # Imported here: the other commands need no PostgreSQL driver loaded (as in bot.storage.connect).
    from bot.storage.copy_to_postgres import CopyError, copy_to_postgres
    from bot.storage.postgres import redact

    source = args.source or settings.database_path
    started = time.perf_counter()
    try:
        report = asyncio.run(copy_to_postgres(source, url))
    except CopyError as exc:
        if exc.report is not None:
            _say(out, format_report(exc.report))
        _say(err, f"quizbot {COMMAND}: {exc}")
        return 1
    except DatabaseError as exc:  # e.g. a source file that is not QuizBot's
        _say(err, f"quizbot {COMMAND}: {exc}")
        return 1
    _say(out, format_report(report))
    seconds = time.perf_counter() - started
    _say(out, f"copied {report.rows} rows from {source} to {redact(url)} in {seconds:.1f} s; every table matches. "
              "Set QUIZBOT_DATABASE_URL to it and start the bot.")
    return 0


def format_report(report: CopyReport) -> str:
    """One line per table: rows on each side and whether counts and column checksums agree."""
    width = max([len("table"), *(len(t.table) for t in report.tables)])
    lines = [f"{'table':<{width}}  {'sqlite':>9}  {'postgres':>9}  check"]
    for t in report.tables:
        verdict = "ok" if t.ok else ("ROWS DIFFER" if t.source_rows != t.target_rows else "CHECKSUM DIFFERS")
        lines.append(f"{t.table:<{width}}  {t.source_rows:>9}  {t.target_rows:>9}  {verdict}")
    return "\n".join(lines)


def _say(console: Console, text: str) -> None:
    """Print as is: brackets are not markup, paths stay on one line."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)
