"""Composition root: the only module that wires storage, engine and adapters together."""

from __future__ import annotations

import asyncio
import logging
import random
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TextIO

from rich.console import Console

from bot.adapters.console_adapter.notifier import ConsoleNotifier
from bot.adapters.console_adapter.session import CONSOLE_SERVER, ConsoleSession, ReadLine
from bot.engine.ports import Clock
from bot.engine.service import QuizService, SystemClock
from bot.scheduling.runtime import SchedulingRuntime
from bot.settings import Settings
from bot.storage.daily_store import SqliteDailyStore
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqliteQuizStore

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The bot cannot start as configured; the message says why."""


@dataclass(frozen=True)
class Core:
    """What every adapter shares: the database, the store, the bank and the service."""

    db: Database
    store: SqliteQuizStore
    bank: YamlQuestionBank
    service: QuizService


@asynccontextmanager
async def open_core(
    settings: Settings, *, clock: Clock | None = None, rng: random.Random | None = None
) -> AsyncIterator[Core]:
    """Load and validate the bank, open and migrate the database, build the service."""
    bank = YamlQuestionBank.load(settings.content_dir)
    async with Database.open(settings.database_path) as db:
        await migrate(db)
        store = SqliteQuizStore(db)
        service = QuizService(
            store, bank, clock or SystemClock(), rng or random.Random(),  # noqa: S311 - not security relevant
            default_timezone=settings.default_timezone,
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


async def run(settings: Settings, read_line: ReadLine, out: Console) -> None:
    """Start the adapters whose credentials are set; with none, the console adapter."""
    if settings.platforms:
        raise StartupError(
            f"credentials for {', '.join(settings.platforms)} are set, but this build ships only the console"
            " adapter (Discord and Slack adapters are on the roadmap); unset the tokens to play in the terminal"
        )
    async with open_core(settings) as core:
        log.info("no platform tokens set: starting the console adapter on %s", settings.database_path)
        scheduling = SchedulingRuntime(core.service, core.store, SqliteDailyStore(core.db),
                                       {"console": ConsoleNotifier(out)}, SystemClock())
        await scheduling.start()
        try:
            await console_session(core, settings, read_line, out).repl()
        finally:
            await scheduling.close()


async def play(
    settings: Settings, read_line: ReadLine, out: Console, *, count: int, topic: str | None, domain: int | None
) -> tuple[int, int]:
    """Practice ``count`` questions in the terminal through the same service and database."""
    async with open_core(settings) as core:
        return await console_session(core, settings, read_line, out).play(count, topic, domain)
