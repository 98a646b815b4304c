"""``health``, ``doctor``, ``backup`` and ``restore`` with QUIZBOT_DATABASE_URL, on a real PostgreSQL server.

Several bot processes share one PostgreSQL database; each files its heartbeat and adapter rows under its
host name, and ``health`` judges the process on its own host (a container's probe runs beside its bot).
"""

from __future__ import annotations

import random
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.app import Core, start_platforms
from bot.engine.service import QuizService
from bot.ops.doctor import doctor_checks
from bot.ops.health import health_checks
from bot.ops.status import STOPPED, head_version, process_meta, record_adapter, this_host
from bot.scheduling.runtime import SchedulingRuntime
from bot.settings import Settings
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import WriteRefused
from bot.storage.postgres import PostgresDatabase
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from bot.storage.readonly import open_readonly_postgres
from tests.conftest import FIXTURE_BANK
from tests.fakes import FakeClock, FlakyNotifier
from tests.ops.test_health import RecordingPlatform, failed
from tests.pg_cluster import free_port
from tests.test_cli import quizbot

PASSWORD = "s3cret-Pw"  # noqa: S105 - the test cluster trusts loopback, so any password connects


def with_password(dsn: str) -> str:
    """The dsn with a password in it: the server ignores it (trust), so only our printing is under test."""
    return dsn.replace("://postgres@", f"://postgres:{PASSWORD}@", 1)


def leaks(result: subprocess.CompletedProcess[str]) -> bool:
    """Whether a command printed the password, also when the console wrapped it across lines."""
    return PASSWORD in "".join((result.stdout + result.stderr).split())


def pg_settings(url: str, tmp_path: Path, env: dict[str, str] | None = None) -> Settings:
    return Settings.from_env({"QUIZBOT_DATABASE_URL": url, "QUIZBOT_DATABASE_PATH": str(tmp_path / "absent.db"),
                              "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK), **(env or {})}, env_file=None)


def cli_env(url: str, tmp_path: Path) -> dict[str, str]:
    return {"QUIZBOT_DATABASE_URL": url, "QUIZBOT_DATABASE_PATH": str(tmp_path / "absent.db"),
            "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)}


class Process:
    """One bot process's worth of the stack: its own pool, store and service on the shared database."""

    def __init__(self, db: PostgresDatabase, clock: FakeClock) -> None:
        self.db = db
        self.store = SqlQuizStore(db)
        bank = YamlQuestionBank.load(FIXTURE_BANK)
        self.service = QuizService(self.store, bank, clock, random.Random(7), default_timezone="UTC",
                                   cards=FsrsCardScheduler())
        self.core = Core(db, self.store, bank, self.service)

    def scheduling(self, clock: FakeClock, host: str) -> SchedulingRuntime:
        return SchedulingRuntime(self.service, self.store, SqlDailyStore(self.db), {"console": FlakyNotifier()},
                                 clock, meta=process_meta(self.store, self.db.dialect, host))


@pytest.fixture
async def two(pg_dsn: str, clock: FakeClock) -> AsyncIterator[tuple[Process, Process]]:
    async with PostgresDatabase.open(pg_dsn) as first, PostgresDatabase.open(pg_dsn) as second:
        yield Process(first, clock), Process(second, clock)


async def test_health_judges_this_hosts_process_and_lists_the_others(
    two: tuple[Process, Process], pg_dsn: str, clock: FakeClock, tmp_path: Path
) -> None:
    here, there = two
    slack = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}
    settings = pg_settings(with_password(pg_dsn), tmp_path, slack)
    local, remote = here.scheduling(clock, this_host()), there.scheduling(clock, "web-2")
    await local.start()
    await remote.start()
    try:
        async with AsyncExitStack() as stack:  # the composition root records this process's adapter
            await start_platforms(here.core, {"slack": RecordingPlatform()}, stack)
            # Another process stopping its Slack adapter must not mark this one's stopped.
            await record_adapter(process_meta(there.store, "postgres", "web-2"), "slack", STOPPED, clock.now())
            checks = health_checks(settings, clock.now() + timedelta(seconds=30))
            assert failed(checks) == {}
            details = {c.name: (c.detail, c.info) for c in checks}
            assert details["database"] == (f"{settings_label(pg_dsn)} is readable", False)
            assert details["scheduler"] == (f"heartbeat from this host ({this_host()}) 30 s ago", False)
            assert details["adapter slack"] == ("connected", False)
            assert details["process web-2"] == ("heartbeat 30 s ago", True)

            clock.advance(minutes=5)  # this process beats on; the other has hung
            await local.heartbeat()
            checks = health_checks(settings, clock.now())
            assert failed(checks) == {}, "a hung peer must not fail this host's probe"
            assert {c.name: c.detail for c in checks}["process web-2"] == (
                "heartbeat 300 s ago (stale: hung, gone, or replaced)")
            assert failed(health_checks(settings, clock.now(), host="web-2")) == {
                "scheduler": "last heartbeat from this host (web-2) 300 s ago (stale after 180 s)",
                "adapter slack": "stopped"}
            assert failed(health_checks(settings, clock.now(), host="web-3"))["scheduler"] == (
                "no heartbeat from this host (web-3) (not started, or stopped cleanly)")
    finally:
        await local.close()
        await remote.close()
    assert failed(health_checks(settings, clock.now()))["scheduler"].startswith("no heartbeat from this host")


def settings_label(dsn: str) -> str:
    return with_password(dsn).replace(PASSWORD, "***")


async def test_health_shows_the_scheduler_lease(two: tuple[Process, Process], pg_dsn: str, clock: FakeClock,
                                                tmp_path: Path) -> None:
    here, _ = two
    await here.db.execute("INSERT INTO scheduler_lease (name, owner, expires_at) VALUES (?, ?, ?)",
                          ("scheduler", "web-1:1:ab", (clock.now() + timedelta(seconds=80)).isoformat()))
    settings = pg_settings(pg_dsn, tmp_path)
    [lease] = [c for c in health_checks(settings, clock.now()) if c.name == "lease scheduler"]
    assert (lease.detail, lease.info) == ("held by web-1:1:ab for 80 s more", True)
    [lease] = [c for c in health_checks(settings, clock.now() + timedelta(seconds=100)) if c.name.startswith("lease")]
    assert lease.detail == "free (last held by web-1:1:ab, expired 20 s ago)"


async def test_health_reads_only_and_refuses_an_unmigrated_database(pg_database: str, tmp_path: Path,
                                                                    clock: FakeClock) -> None:
    [check] = health_checks(pg_settings(with_password(pg_database), tmp_path), clock.now())
    assert not check.ok and check.name == "database"
    assert "is not a QuizBot database (or was never migrated)" in check.detail and PASSWORD not in check.detail
    assert "postgres:***@" in check.detail
    conn = await asyncpg.connect(pg_database, timeout=10)
    try:  # the probe created nothing: no version table, no meta
        assert await conn.fetchval("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'") == 0
    finally:
        await conn.close()
    assert not (tmp_path / "absent.db").exists()


async def test_the_read_only_session_refuses_writes(pg_dsn: str) -> None:
    async with open_readonly_postgres(pg_dsn) as db:
        assert await db.fetch_one("SHOW default_transaction_read_only") == ("on",)
        with pytest.raises(WriteRefused, match="read-only transaction"):
            await db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", ("x", "y"))


async def test_health_and_backup_commands_on_postgres_never_print_the_password(
    two: tuple[Process, Process], pg_dsn: str, clock: FakeClock, tmp_path: Path
) -> None:
    here, _ = two
    env = cli_env(with_password(pg_dsn), tmp_path)
    down = quizbot("health", env=env)
    assert down.returncode == 1 and "FAIL scheduler: no heartbeat from this host" in down.stdout
    # The subprocess judges by the wall clock, so the beat is written with it (as in test_health).
    await process_meta(here.store, "postgres").set_meta("heartbeat", datetime.now(UTC).isoformat())
    up = quizbot("health", env=env)
    assert up.returncode == 0, up.stdout
    assert "ok   schema: migrated to head" in up.stdout and "postgres:***@127.0.0.1" in up.stdout

    folder = tmp_path / "backups"
    backup = quizbot("backup", "--to", f"{folder}/", env=env)
    assert backup.returncode == 1 and "pg_dump --format=custom" in backup.stderr
    assert "Nothing was changed." in backup.stderr
    source = tmp_path / "old.db"
    source.write_bytes(b"SQLite format 3\x00not really")
    restore = quizbot("restore", "--from", str(source), env=env)
    assert restore.returncode == 1 and "pg_restore --clean" in restore.stderr
    assert "stop every bot process" in restore.stderr
    for result in (down, up, backup, restore):
        assert not leaks(result)
    assert not folder.exists() and not (tmp_path / "absent.db").exists()
    assert source.read_bytes() == b"SQLite format 3\x00not really"
    assert await here.store.get_meta(f"heartbeat@{this_host()}")  # the database kept its rows


def verdict(checks: list) -> dict[str, tuple[bool, str]]:
    return {c.name: (c.ok, c.detail) for c in checks}


async def test_doctor_on_postgres(pg_dsn: str, pg_database: str, tmp_path: Path) -> None:
    base = {"QUIZBOT_DATABASE_PATH": str(tmp_path / "absent.db"), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)}
    migrated = verdict(doctor_checks({**base, "QUIZBOT_DATABASE_URL": with_password(pg_dsn)}, env_file=None))
    assert migrated["database"][0] and migrated["database"][1].endswith(f"at schema version {head_version('postgres')}")
    assert "postgres:***@" in migrated["database"][1]

    empty = verdict(doctor_checks({**base, "QUIZBOT_DATABASE_URL": pg_database}, env_file=None))
    assert empty["database"] == (True, f"{pg_database} is empty; QuizBot creates its tables at first start")

    gone = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/quizbot"
    checks = doctor_checks({**base, "QUIZBOT_DATABASE_URL": gone, "QUIZBOT_BACKUP_DIR": str(tmp_path)}, env_file=None)
    unreachable = verdict(checks)
    assert unreachable["database"][0] is False
    assert unreachable["database"][1].startswith("cannot connect to PostgreSQL at postgresql://postgres:***@127.0.0.1:")
    assert unreachable["backups"] == (False, "QUIZBOT_BACKUP_DIR is ignored on PostgreSQL: the bot makes no "
                                             "automatic backups there")
    assert all(PASSWORD not in c.detail + c.fix for c in checks)

    conn = await asyncpg.connect(pg_database, timeout=10)
    try:
        await conn.execute("CREATE TABLE invoices (id INT)")
    finally:
        await conn.close()
    foreign = verdict(doctor_checks({**base, "QUIZBOT_DATABASE_URL": pg_database}, env_file=None))
    assert foreign["database"] == (False, f"{pg_database} holds tables QuizBot did not create")
