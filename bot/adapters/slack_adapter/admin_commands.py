"""Admin subcommands: ``reports [resolve ID NOTE]``, ``serverstats`` and ``export [period] [format]``.

Each checks the caller first (workspace admins/owners and configured
QuizBot admins) and refuses everyone else before reading anything.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.adapters.slack_adapter import study_blocks
from bot.adapters.slack_adapter.invocation import Invocation, reply, reply_text, require_admin
from bot.engine.errors import QuizError
from bot.engine.model import Period
from bot.engine.ports import Clock
from bot.engine.service import QuizService
from bot.reporting.export import ExportFormat, export_file
from bot.storage.database import Database
from bot.storage.export_store import SqlExportStore

REPORTS_USAGE = "Usage: /quiz reports, or /quiz reports resolve ID NOTE"
EXPORT_USAGE = "Usage: /quiz export [week|month|all] [csv|json]"


async def reports(service: QuizService, inv: Invocation) -> None:
    """``reports`` lists the open question reports; ``reports resolve ID NOTE`` closes one."""
    await require_admin(service, inv, "see and resolve question reports")
    server, args = inv.player.server, inv.args
    if not args:
        await reply(inv, study_blocks.reports_message(await service.admin.open_reports(server)))
        return
    report_id = args[1].lstrip("#") if len(args) >= 2 else ""
    if args[0].lower() != "resolve" or not report_id.isdigit():
        raise QuizError(REPORTS_USAGE)
    await service.admin.resolve_report(server, int(report_id), inv.player.user_id, " ".join(args[2:]))
    await reply_text(inv, f"Report #{report_id} resolved.")


async def server_stats(service: QuizService, inv: Invocation) -> None:
    """``serverstats``: participation per day, accuracy per domain, the hardest questions."""
    await require_admin(service, inv, "see server stats")
    if inv.args:
        raise QuizError("Usage: /quiz serverstats")
    await reply(inv, study_blocks.server_stats_message(await service.admin.server_stats(inv.player.server)))


def export_args(args: tuple[str, ...]) -> tuple[Period, ExportFormat]:
    """Period and format in either order; this week as CSV by default."""
    periods = {p.value for p in Period}
    formats = {f.value for f in ExportFormat}
    words = [a.lower() for a in args]
    chosen_periods = [w for w in words if w in periods]
    chosen_formats = [w for w in words if w in formats]
    if len(chosen_periods) > 1 or len(chosen_formats) > 1 or len(words) != len(chosen_periods) + len(chosen_formats):
        raise QuizError(EXPORT_USAGE)
    period = Period(chosen_periods[0]) if chosen_periods else Period.WEEK
    return period, ExportFormat(chosen_formats[0]) if chosen_formats else ExportFormat.CSV


@dataclass(frozen=True)
class Exporter:
    """The admins' ``/quiz export``: the same export as ``quizbot export``, read from the bot's database.

    It needs the database connection and the clock (for "this week"), which
    the other subcommands do not, so it is a bound handler rather than a function.
    """

    db: Database
    clock: Clock

    async def command(self, service: QuizService, inv: Invocation) -> None:
        """``export [week|month|all] [csv|json]``: in a code block when small, else how to get the file."""
        await require_admin(service, inv, "export answers")
        period, fmt = export_args(inv.args)
        server = inv.player.server
        config = await service.config(server)
        file = await export_file(SqlExportStore(self.db), server, period, fmt, now=self.clock.now(),
                                 default_timezone=config.timezone)
        command = (f"quizbot export --server {server.platform}:{server.server_id} --period {period.value}"
                   f" --format {fmt.value} --out {file.filename}")
        await reply(inv, study_blocks.export_message(file, command))
