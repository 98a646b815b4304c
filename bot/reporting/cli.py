"""The ``quizbot content analytics`` and ``quizbot export`` commands: open read-only, report, print.

Both only read the database, through a ``mode=ro`` connection to the SQLite
file or a read-only session on PostgreSQL, so they can run while the bot is
serving answers from the same database.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from datetime import date, datetime
from pathlib import Path

from rich.console import Console, JustifyMethod
from rich.table import Table

from bot.engine.model import LETTERS, Period, ServerKey
from bot.reporting.analytics import Analytics, ItemStats, collect
from bot.reporting.export import ExportFile, ExportFormat, export_file
from bot.settings import Settings
from bot.storage.analytics_store import SqlAnalyticsStore
from bot.storage.export_store import SqlExportStore
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.readonly import open_report_database

log = logging.getLogger(__name__)


def report_target(db: str | None, settings: Settings) -> str | Path:
    """``--db`` (a file or a ``postgresql://`` URL) if given, else ``QUIZBOT_DATABASE_URL``, else the SQLite file."""
    if db:
        return db
    return settings.database_url.reveal() if settings.database_url else settings.database_path


def _picks_text(item: ItemStats) -> str:
    """``A 20%  *B* 60%`` with the key's letters starred, so a misplaced key stands out."""
    parts = []
    for index in range(len(item.picks)):
        letter = LETTERS[index]
        mark = "*" if index in item.question.answer else ""
        parts.append(f"{mark}{letter}{mark} {item.pick_pct(index):.0f}%")
    return "  ".join(parts)


def analytics_table(report: Analytics) -> Table:
    """Rich table of the items that were asked, answered or reported; flagged first."""
    table = Table(title=f"question analytics (flags need ≥ {report.min_answers} answers; * marks the key)")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("question", "left"), ("asked", "right"), ("answers", "right"), ("% correct", "right"), ("picks", "left"),
        ("reports\nopen/all", "right"), ("flag", "left"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify, no_wrap=name == "picks")
    for item in report.items:
        if not (item.asked or item.answers or item.reports_total):
            continue
        pct = "-" if item.pct_correct is None else f"{item.pct_correct:.0f}%"
        flag = "; ".join(item.flags).replace("_", " ")
        style = "red" if item.flags else None
        table.add_row(item.question.id, str(item.asked), str(item.answers), pct, _picks_text(item),
                      f"{item.reports_open}/{item.reports_total}", flag, style=style)
    return table


async def _analytics(db: str | Path, content_dir: Path, min_answers: int) -> Analytics:
    bank = YamlQuestionBank.load(content_dir)
    async with open_report_database(db) as conn:
        return await collect(SqlAnalyticsStore(conn), bank.all(), min_answers=min_answers)


def analytics_command(db: str | Path, content_dir: Path, *, min_answers: int, as_json: bool, out: Console) -> int:
    """Print the analytics (JSON or a table); exit 0 even with flags, since flags are advice, not failures."""
    report = asyncio.run(_analytics(db, content_dir, min_answers))
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
        return 0
    out.print(analytics_table(report))
    never = sum(1 for item in report.items if not item.asked and not item.answers)
    out.print(f"{len(report.items)} items · {len(report.items) - never} asked · {never} never asked · "
              f"{len(report.flagged)} flagged", soft_wrap=True)
    for item in report.flagged:
        out.print(f"[red]{item.question.id}[/red]: likely wrong key or unclear prompt "
                  f"({', '.join(item.flags).replace('_', ' ')}; key {item.question.key_letters()})", soft_wrap=True)
    if report.not_in_bank:
        out.print(f"[yellow]{len(report.not_in_bank)} answered question id(s) are no longer in the bank: "
                  f"{', '.join(qid for qid, _, _ in report.not_in_bank)}[/yellow]", soft_wrap=True)
    return 0


async def _export(db: str | Path, server: ServerKey, period: Period, fmt: ExportFormat, at: date | None,
                  now: datetime, default_timezone: str) -> ExportFile:
    async with open_report_database(db) as conn:
        return await export_file(SqlExportStore(conn), server, period, fmt, now=now, at=at,
                                 default_timezone=default_timezone)


def export_command(
    db: str | Path, server: ServerKey, period: Period, fmt: ExportFormat, *, at: date | None, out_path: Path | None,
    now: datetime, default_timezone: str, err: Console,
) -> int:
    """Write the export to ``out_path`` (bytes as built) or to stdout."""
    file = asyncio.run(_export(db, server, period, fmt, at, now, default_timezone))
    if out_path is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(file.content)  # bytes as built: the CSV keeps its CRLF row ends
        sys.stdout.buffer.flush()
        return 0
    out_path.write_bytes(file.content)
    err.print(f"wrote {out_path} ({len(file.content)} bytes)", markup=False, highlight=False)
    return 0
