from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine.service import QuizService
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqliteQuizStore
from tests.fakes import FakeClock

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
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with Database.open(tmp_path / "quiz.db") as database:
        await migrate(database)
        yield database


@pytest.fixture
def store(db: Database) -> SqliteQuizStore:
    return SqliteQuizStore(db)


@pytest.fixture
def service(store: SqliteQuizStore, bank: YamlQuestionBank, clock: FakeClock) -> QuizService:
    return QuizService(store, bank, clock, random.Random(7), default_timezone="UTC", cards=FsrsCardScheduler())
