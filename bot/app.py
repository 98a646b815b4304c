"""Composition root: the only module that wires storage, engine and adapters together."""

from __future__ import annotations

import asyncio
import logging
import random
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Protocol, TextIO

from rich.console import Console

from bot.adapters.console_adapter.notifier import ConsoleNotifier
from bot.adapters.console_adapter.session import CONSOLE_SERVER, ConsoleSession, ReadLine
from bot.engine.ports import Clock, Notifier
from bot.engine.service import QuizService, SystemClock
from bot.ops.backup import BackupRotation
from bot.ops.metrics import MeteredNotifier, MeteredQuizService, Metrics, serve
from bot.ops.status import CONNECTED, STOPPED, process_meta, record_adapter
from bot.scheduling.runtime import SchedulingRuntime
from bot.settings import Secret, Settings
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.connect import open_database
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import Database
from bot.storage.lease_store import SqlLeaseStore
from bot.storage.migrations import migrate
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start as configured; the message says why."""


@dataclass(frozen=True)
class Core:
    """What every adapter shares: the database, the store, the bank and the service."""

    db: Database
    store: SqlQuizStore
    bank: YamlQuestionBank
    service: QuizService


@asynccontextmanager
async def open_core(
    settings: Settings, *, clock: Clock | None = None, rng: random.Random | None = None,
    metrics: Metrics | None = None,
) -> AsyncIterator[Core]:
    """Load and validate the bank, open and migrate the database, build the service (metered if asked)."""
    bank = YamlQuestionBank.load(settings.content_dir)
    url = settings.database_url.reveal() if settings.database_url else None
    async with open_database(settings.database_path, url) as db:
        await migrate(db)
        store = SqlQuizStore(db)
        make = QuizService if metrics is None else partial(MeteredQuizService, metrics=metrics)
        service = make(
            store, bank, clock or SystemClock(), rng or random.Random(),  # noqa: S311 - not security relevant
            default_timezone=settings.default_timezone, cards=FsrsCardScheduler(),
        )
        yield Core(db, store, bank, service)


def stdin_reader(stream: TextIO = sys.stdin) -> ReadLine:
    """Read lines off the event loop; prompt only when a person is typing."""
    interactive = stream.isatty()

    async def read_line(prompt: str) -> str | None:
        if interactive:
            try:
                return await asyncio.to_thread(input, prompt)
            except EOFError:
                return None
        line = await asyncio.to_thread(stream.readline)
        return line or None

    return read_line


def console_session(core: Core, settings: Settings, read_line: ReadLine, out: Console) -> ConsoleSession:
    """The console adapter for the local player."""
    return ConsoleSession(core.service, CONSOLE_SERVER.player(settings.console_user), out, read_line)


class PlatformRuntime(Protocol):
    """What an adapter's builder returns: a notifier for the scheduler, start and close."""

    @property
    def notifier(self) -> Notifier:
        """The adapter's Notifier."""
        ...

    async def start(self) -> None:
        """Connect; return once running."""
        ...

    async def close(self) -> None:
        """Disconnect and release resources."""
        ...


def build_platforms(core: Core, settings: Settings) -> dict[str, PlatformRuntime]:
    """The chat adapters whose credentials are set."""
    runtimes: dict[str, PlatformRuntime] = {}
    if settings.discord_token:
        # Imported only when configured: the console needs no chat SDK loaded.
        from bot.adapters.discord_adapter import build_discord

        runtimes["discord"] = build_discord(
            core.service, core.store, token=settings.discord_token.reveal(), dev_guild_id=settings.discord_dev_guild_id,
            db=core.db, shards=settings.discord_shards, shard_ids=settings.discord_shard_ids,
        )
    if "slack" in settings.platforms:
        from bot.adapters.slack_adapter import build_slack

        runtimes["slack"] = build_slack(
            core.service, core.db, bot_token=_reveal(settings.slack_bot_token),
            app_token=_reveal(settings.slack_app_token), signing_secret=_reveal(settings.slack_signing_secret),
            client_id=settings.slack_client_id, client_secret=_reveal(settings.slack_client_secret),
            http_port=settings.slack_port,
        )
    return runtimes


def _reveal(secret: Secret | None) -> str | None:
    return secret.reveal() if secret else None


async def run(settings: Settings, read_line: ReadLine, out: Console) -> None:
    """Start the adapters whose credentials are set; with none, the console adapter."""
    metrics = Metrics() if settings.metrics_port is not None else None
    async with open_core(settings, metrics=metrics) as core, AsyncExitStack() as stack:
        if metrics is not None:
            stack.enter_context(serve(metrics, settings.metrics_addr, settings.metrics_port or 0))
        platforms = build_platforms(core, settings)
        missing = set(settings.platforms) - set(platforms)
        if missing:
            raise StartupError(f"credentials for {', '.join(sorted(missing))} are set, but that adapter is not in"
                               " this build; unset them or upgrade QuizBot")
        notifiers: dict[str, Notifier] = {name: rt.notifier for name, rt in platforms.items()}
        if not platforms:
            log.info("no platform tokens set: starting the console adapter on %s", core.db.label)
            notifiers["console"] = ConsoleNotifier(out)
        await start_platforms(core, platforms, stack)
        scheduling = build_scheduling(core, settings, notifiers, metrics)
        await scheduling.start()
        stack.push_async_callback(scheduling.close)
        if platforms:
            await _until_stopped()
        else:
            await console_session(core, settings, read_line, out).repl()


async def start_platforms(core: Core, platforms: dict[str, PlatformRuntime], stack: AsyncExitStack) -> None:
    """Start each adapter and record it as connected; on the way out record it stopped, then close it."""
    clock = SystemClock()
    for name, runtime in platforms.items():
        await runtime.start()
        stack.push_async_callback(runtime.close)
        await record_adapter(process_meta(core.store, core.db.dialect), name, CONNECTED, clock.now())
        stack.push_async_callback(_record_stopped, core, name, clock)
        log.info("%s adapter started", name)


def build_scheduling(
    core: Core, settings: Settings, notifiers: dict[str, Notifier], metrics: Metrics | None
) -> SchedulingRuntime:
    """The scheduler with its heartbeat, the daily backup when a folder is set, and metered deliveries."""
    if metrics is not None:
        notifiers = {name: MeteredNotifier(n, name, metrics) for name, n in notifiers.items()}
    backup = None
    if settings.backup_dir is not None and core.db.dialect == "sqlite":
        backup = BackupRotation(settings.database_path, settings.backup_dir, settings.backup_keep)
    elif settings.backup_dir is not None:
        log.warning("QUIZBOT_BACKUP_DIR is ignored on PostgreSQL: back it up with pg_dump or the server's own backups")
    return SchedulingRuntime(core.service, core.store, SqlDailyStore(core.db), notifiers, SystemClock(),
                             meta=process_meta(core.store, core.db.dialect), backup=backup,
                             leases=SqlLeaseStore(core.db))


async def _record_stopped(core: Core, name: str, clock: Clock) -> None:
    await record_adapter(process_meta(core.store, core.db.dialect), name, STOPPED, clock.now())


async def _until_stopped() -> None:
    """Wait for SIGINT or SIGTERM (a container stop), then return so everything closes in order."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()
    log.info("stopping")


async def play(
    settings: Settings, read_line: ReadLine, out: Console, *, count: int, topic: str | None, domain: int | None
) -> tuple[int, int]:
    """Practice ``count`` questions in the terminal through the same service and database."""
    async with open_core(settings) as core:
        return await console_session(core, settings, read_line, out).play(count, topic, domain)
