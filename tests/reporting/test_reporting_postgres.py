"""``quizbot content analytics`` and ``quizbot export`` on PostgreSQL give what they give on SQLite.

The same play (same clock, same seed) is recorded in an SQLite file and in a real PostgreSQL database; the
commands must print the same bytes from either, read the database only, and never print the URL's password.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.engine.service import QuizService
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.postgres import PostgresDatabase
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from tests.conftest import FIXTURE_BANK
from tests.fakes import FakeClock
from tests.ops.test_ops_postgres import PASSWORD, leaks, with_password
from tests.pg_cluster import free_port
from tests.reporting.test_reporting_cli import seed_bad_daily
from tests.test_cli import quizbot

EXPORT = ("export", "--server", "discord:g1", "--period", "week", "--at", "2026-11-25")


@dataclass
class Played:
    sqlite: Path
    url: str  # with a password, which the trusting test server ignores


async def play(db: Database) -> None:
    clock = FakeClock()
    service = QuizService(SqlQuizStore(db), YamlQuestionBank.load(FIXTURE_BANK), clock, random.Random(7),
                          default_timezone="UTC", cards=FsrsCardScheduler())
    await seed_bad_daily(service, clock)


@pytest.fixture
async def played(pg_dsn: str, tmp_path: Path) -> AsyncIterator[Played]:
    path = tmp_path / "quiz.db"
    async with Database.open(path) as sqlite:
        await migrate(sqlite)
        await play(sqlite)
    async with PostgresDatabase.open(pg_dsn) as pg:
        await play(pg)
        yield Played(path, with_password(pg_dsn))


def env_for(content: dict[str, str] | None = None) -> dict[str, str]:
    return {"QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK), **(content or {})}


async def test_analytics_on_postgres_matches_sqlite(played: Played, tmp_path: Path) -> None:
    on_sqlite = quizbot("content", "analytics", "--json", "--db", str(played.sqlite), env=env_for())
    on_pg = quizbot("content", "analytics", "--json", "--db", played.url, env=env_for())
    assert on_pg.returncode == 0, on_pg.stderr
    assert '"flagged": 1' in on_pg.stdout and on_pg.stdout == on_sqlite.stdout
    table = quizbot("content", "analytics", env=env_for({"QUIZBOT_DATABASE_URL": played.url,
                                                          "QUIZBOT_DATABASE_PATH": str(tmp_path / "absent.db")}))
    assert table.returncode == 0, table.stderr
    assert "5 items · 2 asked · 3 never asked · 1 flagged" in table.stdout
    assert not (tmp_path / "absent.db").exists()
    for result in (on_pg, table):
        assert not leaks(result)


@pytest.mark.parametrize("fmt", ["csv", "json"])
async def test_export_on_postgres_matches_sqlite_byte_for_byte(played: Played, fmt: str, tmp_path: Path) -> None:
    expected, out = tmp_path / f"sqlite.{fmt}", tmp_path / f"postgres.{fmt}"
    on_sqlite = quizbot(*EXPORT, "--format", fmt, "--out", str(expected),
                        env=env_for({"QUIZBOT_DATABASE_PATH": str(played.sqlite)}))
    on_pg = quizbot(*EXPORT, "--format", fmt, "--out", str(out), env=env_for({"QUIZBOT_DATABASE_URL": played.url}))
    assert on_sqlite.returncode == 0 and on_pg.returncode == 0, on_pg.stderr
    assert out.read_bytes() == expected.read_bytes()
    answers = len(json.loads(out.read_bytes())["answers"]) if fmt == "json" else len(out.read_bytes().splitlines()) - 1
    assert answers == 11  # the week's answers, not an empty export that would match too
    assert not leaks(on_pg)


async def test_reports_refuse_an_unmigrated_or_unreachable_postgres(pg_database: str) -> None:
    empty = quizbot("content", "analytics", "--db", with_password(pg_database), env=env_for())
    said = " ".join(empty.stderr.split())  # the console wraps long lines
    assert empty.returncode == 1
    assert "is not a QuizBot database (or was never migrated)" in said and "postgres:***@" in said
    gone = f"postgresql://postgres:{PASSWORD}@127.0.0.1:{free_port()}/quizbot"
    unreachable = quizbot(*EXPORT, "--format", "csv", env=env_for({"QUIZBOT_DATABASE_URL": gone}))
    assert unreachable.returncode == 1
    said = " ".join(unreachable.stderr.split())
    assert "cannot connect to PostgreSQL at postgresql://postgres:***@127.0.0.1:" in said
    for result in (empty, unreachable):
        assert not leaks(result)
