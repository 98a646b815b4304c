"""``quizbot`` command line: run the bot, play in the terminal, check content, operate it."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from rich.console import Console

from bot import log as logsetup
from bot.app import StartupError, play, run, stdin_reader
from bot.content import check as content_check
from bot.engine.errors import QuizError
from bot.engine.model import Period, ServerKey
from bot.ops import cli as ops_cli
from bot.ops import migrate_cli
from bot.reporting import cli as reporting_cli
from bot.reporting.export import ExportFormat
from bot.scheduling.lifecycle import Event
from bot.scheduling.simulate import SimulationPlan, event_json, simulate
from bot.settings import Settings, SettingsError
from bot.storage.database import DatabaseError

log = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    """The CLI; argparse prints usage and exits 2 on unknown options."""
    parser = argparse.ArgumentParser(prog="quizbot", description="AWS DVA-C02 quiz bot for study groups.")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="start the bot (console adapter when no platform token is set)")
    p_play = sub.add_parser("play", help="practice questions in the terminal; reads answers from stdin")
    p_play.add_argument("--topic", help="topic slug, e.g. sqs")
    p_play.add_argument("--domain", type=int, choices=(1, 2, 3, 4), help="exam domain 1-4")
    p_play.add_argument("--count", type=int, default=10, help="number of questions (default 10)")
    p_sim = sub.add_parser("simulate", help="preview the daily schedule in simulated time (JSON lines)")
    p_sim.add_argument("--start", type=_instant, required=True, help="start instant, e.g. 2026-10-28T00:00Z")
    p_sim.add_argument("--days", type=int, default=14, help="days to simulate (default 14)")
    p_sim.add_argument("--servers", type=int, default=1, help="number of servers (default 1)")
    p_sim.add_argument("--tz", default="UTC", help="IANA timezone of the servers")
    p_sim.add_argument("--time", default="09:00", help="post time HH:MM (default 09:00)")
    p_sim.add_argument("--weekdays", default="mon-fri", help="e.g. mon-fri, mon-sun, mon,wed,fri")
    p_sim.add_argument("--reveal", default=None, help="reveal time HH:MM the same day (default: next post or 24 h)")
    p_sim.add_argument("--restart-at", type=_instant, action="append", default=[], help="restart instant (repeatable)")
    p_sim.add_argument("--seed", type=int, default=0, help="random seed for question draws")
    p_content = sub.add_parser("content", help="question bank tools")
    content_sub = p_content.add_subparsers(dest="content_command", required=True)
    p_check = content_sub.add_parser("check", help="validate the bank (and source quotes with --notes)")
    p_check.add_argument("--notes", type=Path, help="directory of the study notes, e.g. ../shared/notes")
    p_stats = content_sub.add_parser("stats", help="items per topic, domain, type and difficulty")
    p_stats.add_argument("--json", action="store_true", help="print JSON")
    p_analytics = content_sub.add_parser(
        "analytics", help="per-question answers, %% correct, pick rates and reports; flags likely wrong keys")
    p_analytics.add_argument("--db", help=_DB_HELP)
    p_analytics.add_argument("--json", action="store_true", help="print JSON")
    p_analytics.add_argument("--min-answers", type=_positive, default=5,
                             help="answers an item needs before it can be flagged (default 5)")
    _add_export_parser(sub)
    ops_cli.add_parsers(sub)
    migrate_cli.add_parser(sub)
    return parser


def _add_export_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p_export = sub.add_parser("export", help="one row per answer of a server and period, as CSV or JSON")
    p_export.add_argument("--server", type=_server, required=True, metavar="PLATFORM:SERVER_ID",
                          help="e.g. discord:123456789 or slack:T0123")
    p_export.add_argument("--period", choices=[p.value for p in Period], required=True,
                          help="week or month in the server's timezone, or all")
    p_export.add_argument("--at", type=_day, help="a date in the week/month to export (default: today there)")
    p_export.add_argument("--format", choices=[f.value for f in ExportFormat], required=True, dest="fmt")
    p_export.add_argument("--out", type=Path, help="file to write (default: stdout)")
    p_export.add_argument("--db", help=_DB_HELP)


_PLATFORMS = ("discord", "slack", "console")
# A string, not a Path: Path() would fold a URL's "//"; the URL's password is never printed.
_DB_HELP = "SQLite file or postgresql:// URL, read only (default: QUIZBOT_DATABASE_URL, else QUIZBOT_DATABASE_PATH)"


def _server(text: str) -> ServerKey:
    """``PLATFORM:SERVER_ID``; the platform is checked because a typo would silently export nothing."""
    platform, sep, server_id = text.partition(":")
    if not sep or not server_id.strip() or platform not in _PLATFORMS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not PLATFORM:SERVER_ID with PLATFORM one of {', '.join(_PLATFORMS)}, e.g. discord:123456789")
    return ServerKey(platform, server_id.strip())


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO date such as 2026-11-24") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def _instant(text: str) -> datetime:
    """ISO-8601 with an offset or Z; a naive time is refused (ambiguous across zones)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO-8601 instant such as 2026-10-28T00:00Z") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no offset; add Z or +01:00")
    return value.astimezone(UTC)


def _simulate(args: argparse.Namespace, settings: Settings, out: Console) -> int:
    if args.days < 1 or args.servers < 1:
        raise QuizError("--days and --servers must be at least 1")
    plan = SimulationPlan(
        start=args.start, days=args.days, servers=args.servers, timezone=args.tz, post_time=args.time,
        weekdays=args.weekdays, restarts=tuple(args.restart_at), seed=args.seed, reveal_time=args.reveal,
    )

    def emit(event: Event) -> None:
        if event.event in {"post", "reveal", "skip"}:
            out.print(event_json(event), markup=False, highlight=False, soft_wrap=True)

    asyncio.run(simulate(plan, settings.content_dir, emit))
    return 0


def _content(args: argparse.Namespace, settings: Settings, out: Console) -> int:
    if args.content_command == "check":
        return content_check.check(settings.content_dir, args.notes, out)
    if args.content_command == "analytics":
        return reporting_cli.analytics_command(reporting_cli.report_target(args.db, settings), settings.content_dir,
                                               min_answers=args.min_answers, as_json=args.json, out=out)
    return content_check.stats(settings.content_dir, args.json, out)


def _export(args: argparse.Namespace, settings: Settings, err: Console) -> int:
    return reporting_cli.export_command(
        reporting_cli.report_target(args.db, settings), args.server, Period(args.period), ExportFormat(args.fmt),
        at=args.at, out_path=args.out, now=datetime.now(UTC), default_timezone=settings.default_timezone, err=err,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``quizbot`` and ``python -m bot``."""
    args = build_parser().parse_args(argv)
    out = Console()
    err = Console(stderr=True)
    if args.command == "doctor":
        return ops_cli.doctor_command(os.environ, out)
    try:
        settings = Settings.from_env(os.environ)
    except SettingsError as exc:
        err.print(f"[red]configuration error:[/red] {exc}", markup=True)
        return 1
    logsetup.configure(settings.log_level, settings.log_format, settings.secret_values())
    command = args.command or "run"
    try:
        if command in ops_cli.COMMANDS:
            return ops_cli.run_command(args, settings, out, err)
        if command == migrate_cli.COMMAND:
            return migrate_cli.migrate_command(args, settings, out, err)
        if command == "content":
            return _content(args, settings, out)
        if command == "export":
            return _export(args, settings, err)
        if command == "simulate":
            return _simulate(args, settings, out)
        if command == "play":
            if args.count < 1:
                err.print("--count must be at least 1")
                return 2
            asyncio.run(play(settings, stdin_reader(), out, count=args.count, topic=args.topic, domain=args.domain))
            return 0
        asyncio.run(run(settings, stdin_reader(), out))
        return 0
    except (QuizError, DatabaseError, StartupError) as exc:
        err.print(f"quizbot: {exc}", markup=False, highlight=False)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
