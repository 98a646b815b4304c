"""Heartbeat from the live scheduler, adapter states from the composition root, read back by ``quizbot health``."""

from __future__ import annotations

import sqlite3
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.triggers.interval import IntervalTrigger
from rich.console import Console

from bot.app import Core, start_platforms
from bot.engine.service import QuizService
from bot.ops.health import health_checks, print_checks
from bot.ops.status import inspect
from bot.scheduling.runtime import HEARTBEAT_JOB, SchedulingRuntime
from bot.settings import Settings
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import Database
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from tests.conftest import FIXTURE_BANK
from tests.fakes import FakeClock, FlakyNotifier
from tests.test_cli import quizbot


class RecordingPlatform:
    """A ``PlatformRuntime`` that records start and close instead of connecting anywhere."""

    def __init__(self) -> None:
        self.notifier = FlakyNotifier()
        self.events: list[str] = []

    async def start(self) -> None:
        self.events.append("start")

    async def close(self) -> None:
        self.events.append("close")


def settings_for(path: Path, env: dict[str, str] | None = None) -> Settings:
    return Settings.from_env(
        {"QUIZBOT_DATABASE_PATH": str(path), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK), **(env or {})}, env_file=None)


def runtime(service: QuizService, store: SqlQuizStore, db: Database, clock: FakeClock) -> SchedulingRuntime:
    return SchedulingRuntime(service, store, SqlDailyStore(db), {"console": FlakyNotifier()}, clock, meta=store)


def failed(checks: list) -> dict[str, str]:
    return {c.name: c.detail for c in checks if not c.ok}


async def test_scheduler_beats_at_start_and_every_minute_and_clears_on_close(
    service: QuizService, store: SqlQuizStore, db: Database, clock: FakeClock
) -> None:
    path = Path(db.path)
    live = runtime(service, store, db, clock)
    await live.start()
    try:
        assert inspect(path).heartbeat == clock.now()
        job = live.scheduler.runner.scheduler.get_job(HEARTBEAT_JOB)
        assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval == timedelta(minutes=1)
        clock.advance(minutes=1)
        await job.func()  # what APScheduler runs each minute
        assert inspect(path).heartbeat == clock.now()
    finally:
        await live.close()
    assert inspect(path).heartbeat is None and await store.get_meta("heartbeat") == ""


async def test_health_passes_with_a_fresh_beat_and_fails_after_three_minutes(
    service: QuizService, store: SqlQuizStore, db: Database, clock: FakeClock
) -> None:
    settings = settings_for(Path(db.path))
    live = runtime(service, store, db, clock)
    await live.start()
    try:
        assert failed(health_checks(settings, clock.now() + timedelta(minutes=3))) == {}
        stale = failed(health_checks(settings, clock.now() + timedelta(minutes=3, seconds=1)))
        assert stale == {"scheduler": "last heartbeat 181 s ago (stale after 180 s)"}
    finally:
        await live.close()
    assert failed(health_checks(settings, clock.now())) == {
        "scheduler": "no heartbeat (not started, or stopped cleanly)"}


async def test_adapters_are_recorded_connected_then_stopped_and_health_requires_each(
    service: QuizService, store: SqlQuizStore, db: Database, clock: FakeClock
) -> None:
    path = Path(db.path)
    settings = settings_for(path, {"DISCORD_TOKEN": "a.b.c", "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    core = Core(db, store, YamlQuestionBank.load(FIXTURE_BANK), service)
    await store.set_meta("heartbeat", clock.now().isoformat())
    discord = RecordingPlatform()
    assert failed(health_checks(settings, clock.now())) == {
        "adapter discord": "never started", "adapter slack": "never started"}
    async with AsyncExitStack() as stack:
        await start_platforms(core, {"discord": discord}, stack)
        assert inspect(path).adapter_state("discord") == "connected"
        assert failed(health_checks(settings, clock.now())) == {"adapter slack": "never started"}
    assert discord.events == ["start", "close"]
    assert inspect(path).adapter_state("discord") == "stopped"


async def test_health_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (key, value)")
        for table in ("rounds", "attempts", "server_config"):
            conn.execute(f"CREATE TABLE {table} (x)")
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    checks = health_checks(settings_for(path), datetime(2026, 11, 24, tzinfo=UTC))
    assert failed(checks)["schema"].startswith("schema version 2, this code's head is ")
    console = Console(record=True, width=200)
    assert print_checks(checks, console) == 1
    assert "fix: the bot migrates at start" in console.export_text()


def test_quizbot_health_exit_codes(tmp_path: Path) -> None:
    env = {"QUIZBOT_DATABASE_PATH": str(tmp_path / "q.db"), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)}
    missing = quizbot("health", env=env)
    assert missing.returncode == 1 and "FAIL database:" in missing.stdout
    assert quizbot("run", stdin="/quit\n", env=env).returncode == 0  # creates, migrates, beats, clears on exit
    stopped = quizbot("health", env=env)
    assert stopped.returncode == 1 and "FAIL scheduler: no heartbeat" in stopped.stdout
    with sqlite3.connect(env["QUIZBOT_DATABASE_PATH"]) as conn:  # a beat as a live bot would have written it
        conn.execute("UPDATE meta SET value = ? WHERE key = 'heartbeat'", (datetime.now(UTC).isoformat(),))
    conn.close()
    alive = quizbot("health", env=env)
    assert alive.returncode == 0, alive.stdout
    assert "ok   schema: migrated to head" in alive.stdout and "ok   scheduler: heartbeat" in alive.stdout
