"""Online backups beside a live writer, the daily rotation, and a restore that refuses what it must."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger

from bot.engine.model import ServerKey
from bot.engine.service import QuizService
from bot.ops.backup import BackupError, BackupRotation, backup_database, restore_database
from bot.ops.status import inspect, record_adapter
from bot.scheduling.runtime import BACKUP_JOB, SchedulingRuntime
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import Database, DatabaseError
from bot.storage.quiz_store import SqlQuizStore
from tests.conftest import FIXTURE_BANK
from tests.fakes import FakeClock, FlakyNotifier, right
from tests.test_cli import quizbot

SERVER = ServerKey("discord", "g1")


def count(path: Path, sql: str) -> int:
    with sqlite3.connect(path) as conn:
        value = int(conn.execute(sql).fetchone()[0])
    conn.close()
    return value


async def answer_once(service: QuizService, user: str) -> None:
    opened = await service.open_daily(SERVER)
    await service.submit_answer(opened.round.id, SERVER.player(user), right(opened.question))


async def test_backup_runs_beside_an_open_write_transaction_and_copies_committed_data_only(
    service: QuizService, db: Database, tmp_path: Path
) -> None:
    await answer_once(service, "alice")  # committed, still in the -wal file
    dest = tmp_path / "backups" / "b.db"
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO meta (key, value) VALUES ('uncommitted', 'x')")
        # The writer holds its lock for the whole copy; the backup must neither wait nor see this row.
        await asyncio.wait_for(asyncio.to_thread(backup_database, Path(db.path), dest), timeout=30)
    assert count(dest, "SELECT count(*) FROM attempts") == 1
    assert count(dest, "SELECT count(*) FROM meta WHERE key = 'uncommitted'") == 0
    assert inspect(dest).version == inspect(Path(db.path)).version
    assert sorted(p.name for p in dest.parent.iterdir()) == ["b.db"]  # one file: no .partial, -wal or -shm
    with pytest.raises(BackupError, match="already exists"):
        backup_database(Path(db.path), dest)


def test_backup_refuses_a_file_quizbot_did_not_make(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    conn.close()
    with pytest.raises(DatabaseError, match="not a QuizBot database"):
        backup_database(other, tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()


async def test_rotation_keeps_the_newest_n_and_leaves_other_files(db: Database, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    rotation = BackupRotation(Path(db.path), folder, keep=2)
    day = datetime(2026, 11, 20, 3, 17, tzinfo=UTC)
    for n in range(4):
        await rotation(day + timedelta(days=n))
    assert sorted(p.name for p in folder.iterdir()) == [
        "notes.txt", "quizbot-20261122T031700Z.db", "quizbot-20261123T031700Z.db"]


async def test_runtime_schedules_the_daily_backup_and_survives_a_failing_one(
    service: QuizService, store: SqlQuizStore, db: Database, clock: FakeClock, tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    folder = tmp_path / "backups"
    live = SchedulingRuntime(service, store, SqlDailyStore(db), {"console": FlakyNotifier()}, clock,
                             backup=BackupRotation(Path(db.path), folder, keep=3))
    await live.start()
    try:
        job = live.scheduler.runner.scheduler.get_job(BACKUP_JOB)
        assert isinstance(job.trigger, CronTrigger)
        first = job.trigger.get_next_fire_time(None, clock.now())
        assert first == datetime(2026, 11, 25, 3, 17, tzinfo=UTC)  # clock is 2026-11-24 12:00 UTC
        await job.func()
        assert [p.name for p in folder.iterdir()] == ["quizbot-20261124T120000Z.db"]
        with caplog.at_level(logging.ERROR, logger="bot.ops.backup"):
            await job.func()  # same second: the name exists, the backup is refused, the scheduler carries on
        assert "daily backup failed" in caplog.text and "already exists" in caplog.text
    finally:
        await live.close()


async def test_restore_refuses_while_the_bot_beats_then_restores_and_keeps_the_old_file(
    service: QuizService, store: SqlQuizStore, db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    live = Path(db.path)
    backup = backup_database(live, tmp_path / "before-answers.db")
    await answer_once(service, "alice")
    await store.set_meta("heartbeat", clock.now().isoformat())
    await record_adapter(store, "discord", "connected", clock.now())
    with pytest.raises(BackupError, match=r"a bot is running on .* \(heartbeat 120 s ago\)"):
        restore_database(backup, live, clock.now() + timedelta(minutes=2))
    assert count(live, "SELECT count(*) FROM attempts") == 1
    later = clock.now() + timedelta(minutes=3, seconds=1)  # the bot stopped beating: its last beat is stale
    saved = restore_database(backup, live, later)
    assert count(live, "SELECT count(*) FROM attempts") == 0
    assert saved is not None and count(saved, "SELECT count(*) FROM attempts") == 1
    status = inspect(live)
    assert status.heartbeat is None and status.adapter_state("discord") is None


def test_restore_refuses_foreign_and_newer_files(tmp_path: Path) -> None:
    target = tmp_path / "quiz.db"
    text = tmp_path / "thesis.txt"
    text.write_text("chapter one\n")
    newer = tmp_path / "newer.db"
    with sqlite3.connect(newer) as conn:
        conn.execute("CREATE TABLE meta (key, value)")
        for table in ("rounds", "attempts", "server_config"):
            conn.execute(f"CREATE TABLE {table} (x)")
        conn.execute("PRAGMA user_version = 999")
    conn.close()
    now = datetime(2026, 11, 24, tzinfo=UTC)
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        restore_database(text, target, now)
    with pytest.raises(BackupError, match="schema version 999, newer than this code"):
        restore_database(newer, target, now)
    assert not target.exists()


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    env = {"QUIZBOT_DATABASE_PATH": str(tmp_path / "data" / "q.db"), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)}
    assert quizbot("run", stdin="A\n/quit\n", env=env).returncode == 0
    made = quizbot("backup", "--to", f"{tmp_path}/backups/", env=env)
    assert made.returncode == 0, made.stderr
    (copy,) = (tmp_path / "backups").iterdir()
    assert copy.name.startswith("quizbot-") and str(copy) in made.stdout.replace("\n", "")
    with sqlite3.connect(env["QUIZBOT_DATABASE_PATH"]) as conn:
        conn.execute("INSERT OR REPLACE INTO meta VALUES ('heartbeat', ?)", (datetime.now(UTC).isoformat(),))
    conn.close()
    refused = quizbot("restore", "--from", str(copy), env=env)
    assert refused.returncode == 1 and "a bot is running on" in refused.stderr
    with sqlite3.connect(env["QUIZBOT_DATABASE_PATH"]) as conn:
        conn.execute("UPDATE meta SET value = '' WHERE key = 'heartbeat'")
    conn.close()
    restored = quizbot("restore", "--from", str(copy), env=env)
    assert restored.returncode == 0, restored.stderr
    assert "the previous file is saved as" in restored.stdout
    foreign = quizbot("restore", "--from", str(tmp_path / "nothing.db"), env=env)
    assert foreign.returncode == 1 and "does not exist" in foreign.stderr
