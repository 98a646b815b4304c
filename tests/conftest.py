from __future__ import annotations

import asyncio
import random
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from bot.engine.service import QuizService
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.postgres import PostgresDatabase
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from tests.fakes import FakeClock

if TYPE_CHECKING:  # imported at run time by pytest_plugins, first, so that pytest can rewrite its asserts
    from tests.pg_cluster import PgCluster

# The throwaway PostgreSQL cluster's fixtures (pg_cluster, pg_database); as a plugin, not imported names, so
# fixtures here can take ``pg_cluster`` as a parameter without shadowing an import.
pytest_plugins = ["tests.pg_cluster"]

ROOT = Path(__file__).resolve().parents[1]
FIXTURE_BANK = Path(__file__).resolve().parent / "fixtures" / "bank"
NOTES_DIR = ROOT.parent / "shared" / "notes"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def bank() -> YamlQuestionBank:
    return YamlQuestionBank.load(FIXTURE_BANK)


@pytest.fixture
def backend() -> str:
    """The store backend of the ``db`` fixture; test packages with store contracts parametrise it."""
    return "sqlite"


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PgCluster) -> str:
    """A database migrated once per session; each test's database is a cheap copy of it."""
    name = "quizbot_template"
    dsn = pg_cluster.create_database(name, template="template0")

    async def migrate_template() -> None:
        async with PostgresDatabase.open(dsn, max_size=1) as database:
            await migrate(database)

    with ThreadPoolExecutor(max_workers=1) as pool:  # a loop of its own: session fixtures run outside the tests' loop
        pool.submit(asyncio.run, migrate_template()).result(timeout=120)
    return name


@pytest.fixture
def pg_dsn(pg_cluster: PgCluster, pg_template: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test; dropped after."""
    name = f"quizbot_test_{uuid.uuid4().hex[:12]}"
    dsn = pg_cluster.create_database(name, template=pg_template)
    try:
        yield dsn
    finally:
        pg_cluster.drop_database(name)


@pytest.fixture
async def db(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    if backend == "postgres":
        async with PostgresDatabase.open(request.getfixturevalue("pg_dsn")) as pg:
            await migrate(pg)
            yield pg
        return
    async with Database.open(tmp_path / "quiz.db") as database:
        await migrate(database)
        yield database


@pytest.fixture
def store(db: Database) -> SqlQuizStore:
    return SqlQuizStore(db)


@pytest.fixture
def service(store: SqlQuizStore, bank: YamlQuestionBank, clock: FakeClock) -> QuizService:
    return QuizService(store, bank, clock, random.Random(7), default_timezone="UTC", cards=FsrsCardScheduler())
