"""Disk full or a read-only database when someone answers: the user is told, the bot keeps running, no partial write.

Faults are made inside SQLite, deterministically:
- read-only: ``PRAGMA query_only`` on the bot's connection, so every write fails
  as on a file system remounted read-only (SQLITE_READONLY);
- disk full: ``PRAGMA max_page_count`` pinned at the file's current size (after
  checking no free page is left), then one table's only page filled with tiny
  ballast rows until SQLite reports SQLITE_FULL. The player's larger row needs a
  page that cannot be had, exactly as when the disk is full.
"""

from __future__ import annotations

import io
import random
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from rich.console import Console

from bot.adapters.console_adapter.session import CONSOLE_SERVER, ConsoleSession
from bot.engine.errors import StorageUnavailable
from bot.engine.model import Period, PlayerKey
from bot.engine.outcomes import RoundOpened
from bot.engine.service import QuizService
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.quiz_store import SqlQuizStore
from tests.reliability.conftest import snapshot

PLAYER = CONSOLE_SERVER.player("ada-lovelace-1815")  # longer than any ballast key
BALLAST_ROWS = 5000
Fault = Callable[[Database, int], "AsyncIterator[None]"]


def _pinned(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    assert conn.execute("PRAGMA freelist_count").fetchone() == (0,)
    size = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {size}")
    return conn


def _fill(conn: sqlite3.Connection, sql: str, row: Callable[[int], tuple]) -> None:
    for i in range(BALLAST_ROWS):
        try:
            conn.execute(sql, row(i))
        except sqlite3.OperationalError as exc:
            assert "full" in str(exc)
            return
    raise AssertionError("the table never filled up")


@asynccontextmanager
async def read_only(db: Database, _round_id: int) -> AsyncIterator[None]:
    await db.conn.execute("PRAGMA query_only = ON")
    try:
        yield
    finally:
        await db.conn.execute("PRAGMA query_only = OFF")


@asynccontextmanager
async def _pin(db: Database) -> AsyncIterator[None]:
    size = (await (await db.conn.execute("PRAGMA page_count")).fetchone())[0]
    await db.conn.execute(f"PRAGMA max_page_count = {size}")
    try:
        yield
    finally:
        await db.conn.execute("PRAGMA max_page_count = 1073741823")


@asynccontextmanager
async def disk_full_for_answers(db: Database, round_id: int) -> AsyncIterator[None]:
    """The answers table's only page is full: the answer itself cannot be stored."""
    with _pinned(db.path) as conn:
        _fill(conn, "INSERT INTO attempts VALUES (?, 'console', 'local', ?, 'q', '0', 0, 0, 't', 'practice', 't', 1,"
                    " 0, 'w', 'm', NULL)", lambda i: (round_id, f"{i:05d}"))
    async with _pin(db):
        yield


@asynccontextmanager
async def disk_full_for_cards(db: Database, _round_id: int) -> AsyncIterator[None]:
    """The review-cards table is full: the answer fits, the card a wrong answer creates does not."""
    with _pinned(db.path) as conn:
        _fill(conn, "INSERT INTO cards VALUES ('console', 'local', ?, 'q', 1, 'x', 't', 0, 0)",
              lambda i: (f"{i:05d}",))
    async with _pin(db):
        yield


def scripted(lines: list[str]):
    async def read_line(_prompt: str) -> str | None:
        return lines.pop(0) if lines else None
    return read_line


def wrong_letter(opened: RoundOpened) -> str:
    return next(letter for i, letter in enumerate(opened.question.letters) if i not in opened.question.answer)


def answers_of(db: Database, player: PlayerKey) -> list[tuple]:
    with sqlite3.connect(db.path) as conn:
        return conn.execute("SELECT round_id, choices FROM attempts WHERE user_id = ?", (player.user_id,)).fetchall()


FIRST_WRITE_FAULTS = [pytest.param(read_only, id="read-only"), pytest.param(disk_full_for_answers, id="disk-full")]


@pytest.mark.parametrize("fault", FIRST_WRITE_FAULTS)
async def test_failed_answer_writes_nothing_and_the_service_recovers(
    service: QuizService, db: Database, fault: Fault
) -> None:
    await service.update_config(CONSOLE_SERVER, "topics", "s3-encryption")  # single-answer items
    opened = await service.open_daily(CONSOLE_SERVER)
    async with fault(db, opened.round.id):
        before = snapshot(db.path)
        with pytest.raises(StorageUnavailable, match="could not be saved"):
            await service.submit_answer(opened.round.id, PLAYER, frozenset({0}))
        assert snapshot(db.path) == before
        assert (await service.stats(PLAYER)).answered == 0  # reads still work
    result = await service.submit_answer(opened.round.id, PLAYER, frozenset({0}))  # space freed: it goes through
    assert answers_of(db, PLAYER) == [(opened.round.id, str(min(result.chosen)))]


def console(service: QuizService, lines: list[str]) -> tuple[ConsoleSession, io.StringIO]:
    buffer = io.StringIO()
    out = Console(file=buffer, width=120, color_system=None)
    return ConsoleSession(service, PLAYER, out, scripted(lines)), buffer



@pytest.mark.parametrize("fault", FIRST_WRITE_FAULTS)
async def test_console_player_is_told_and_the_session_goes_on(service: QuizService, db: Database, fault: Fault) -> None:
    await service.update_config(CONSOLE_SERVER, "topics", "s3-encryption")
    opened = await service.open_daily(CONSOLE_SERVER)
    async with fault(db, opened.round.id):
        before = snapshot(db.path)
        session, buffer = console(service, [opened.question.key_letters(), "/stats"])
        await session.repl()
        assert snapshot(db.path) == before
    text = buffer.getvalue()
    assert "could not be saved" in text.lower() or "try again" in text.lower()
    assert "answered" in text  # /stats after the failure still ran
    session.read_line = scripted([opened.question.key_letters()])
    await session.repl()  # the question is still open for this player once the disk has room
    assert "Correct!" in buffer.getvalue()
    assert len(answers_of(db, PLAYER)) == 1


async def test_disk_full_between_answer_and_review_card_leaves_no_partial_write(
    service: QuizService, db: Database
) -> None:
    await service.update_config(CONSOLE_SERVER, "topics", "s3-encryption")
    opened = await service.open_daily(CONSOLE_SERVER)
    wrong = frozenset({"ABCDEF".index(wrong_letter(opened))})
    async with disk_full_for_cards(db, opened.round.id):
        before = snapshot(db.path)
        try:
            await service.submit_answer(opened.round.id, PLAYER, wrong)
        except StorageUnavailable:
            assert snapshot(db.path) == before, "the answer was stored although the caller got an error"
        else:  # acceptable too: the answer counts and the card is best-effort
            assert len(answers_of(db, PLAYER)) == 1


async def test_closing_on_a_read_only_database_is_clean(tmp_path, bank, clock) -> None:
    async with Database.open(tmp_path / "quiz.db") as db:
        await migrate(db)
        service = QuizService(SqlQuizStore(db), bank, clock, random.Random(1), default_timezone="UTC",
                              cards=FsrsCardScheduler())
        opened = await service.open_daily(CONSOLE_SERVER)
        await service.submit_answer(opened.round.id, PLAYER, opened.question.answer)
        await service.leaderboard(CONSOLE_SERVER, Period.ALL, player=PLAYER)  # queries optimize wants to analyze
        await db.conn.execute("PRAGMA query_only = ON")
