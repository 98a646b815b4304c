"""Answer batches from several processes on one PostgreSQL database must never deadlock (issue #11).

Each ``PostgresDatabase`` pool below stands for one bot process with its own store, so its own
coalesced answer batches. Their batches overlap: the same team_totals, board_totals and streak rows,
and the same attempts keys when a player's click reaches two workers. PostgreSQL aborts one of two
transactions that lock shared rows in opposite orders (deadlock_detected), which the store reports as
``StorageUnavailable``: the user is told nothing was saved. The answer batch is sorted by the attempts
key and migration 0007 makes the trigger-kept tables update in key order, so none may be refused, each
answer must be stored once, and every trigger-kept row must equal its aggregate over the attempts table.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from bot.engine.errors import AlreadyAnswered, StorageUnavailable
from bot.engine.model import Question, Round, ServerKey
from bot.engine.outcomes import AnswerResult
from bot.engine.service import QuizService
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.database import Database
from bot.storage.postgres import PostgresDatabase
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from tests.fakes import FakeClock

SERVER = ServerKey("discord", "guild-1")
PROCESSES = 3
TEAMS = 20
PLAYERS = 300
# Each wave: two new daily rounds, every player answers both. Even waves send each answer to one process:
# batches share no attempts key and meet only in the trigger-kept rows. Odd waves send a third of them to
# two processes: batches share attempts keys too (where sorted batches wait for each other's commit).
WAVES = 6
BURST_SECONDS = 30  # a deadlock is detected after deadlock_timeout (1 s); a hang must still end the test

# Recomputed from the attempts table: what the triggers must have kept, row for row, in key order.
EXPECTED_BOARD = (
    "SELECT a.platform, a.server_id, b.period, a.user_id, sum(a.points), count(*), sum(a.correct)"
    " FROM attempts AS a CROSS JOIN LATERAL (VALUES ('all'), (a.week_key), (a.month_key)) AS b (period)"
    " WHERE a.on_board = 1 GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
)
EXPECTED_TEAMS = (  # totals, and active = the distinct players behind them (team_active_count, 0008)
    "SELECT m.team_id, b.period, sum(a.points), count(*), sum(a.correct), count(DISTINCT a.user_id)"
    " FROM attempts AS a JOIN team_members AS m ON m.platform = a.platform AND m.server_id = a.server_id"
    " AND m.user_id = a.user_id AND m.left_at IS NULL"
    " CROSS JOIN LATERAL (VALUES ('all'), (a.week_key), (a.month_key)) AS b (period)"
    " WHERE a.on_board = 1 GROUP BY 1, 2 ORDER BY 1, 2"
)
EXPECTED_ACTIVE = (
    "SELECT DISTINCT m.team_id, b.period, a.user_id"
    " FROM attempts AS a JOIN team_members AS m ON m.platform = a.platform AND m.server_id = a.server_id"
    " AND m.user_id = a.user_id AND m.left_at IS NULL"
    " CROSS JOIN LATERAL (VALUES ('all'), (a.week_key), (a.month_key)) AS b (period)"
    " WHERE a.on_board = 1 ORDER BY 1, 2, 3"
)


@dataclass(frozen=True)
class Click:
    """One answer reaching one process."""

    process: int
    round_id: int
    user: str
    choices: frozenset[int]


@asynccontextmanager
async def processes(
    dsn: str, bank: YamlQuestionBank, clock: FakeClock
) -> AsyncIterator[tuple[Database, list[QuizService]]]:
    """A pool to read with, and ``PROCESSES`` services, each on its own pool and store as separate processes are."""
    async with AsyncExitStack() as stack:
        services = []
        for n in range(PROCESSES):
            db = await stack.enter_async_context(PostgresDatabase.open(dsn, max_size=4))
            services.append(QuizService(SqlQuizStore(db), bank, clock, random.Random(n), default_timezone="UTC",
                                        cards=FsrsCardScheduler()))
        yield await stack.enter_async_context(PostgresDatabase.open(dsn, max_size=1)), services


def _choices(question: Question, n: int) -> frozenset[int]:
    """Two in three right, the rest a wrong choice of the right size."""
    if n % 3:
        return question.answer
    wrong = [i for i in range(len(question.choices)) if i not in question.answer]
    return frozenset(wrong[: len(question.answer)])


async def _set_up(service: QuizService, rng: random.Random) -> None:
    """Teams with every player in one, assigned at random.

    Not round-robin: with player ``n`` in team ``n % TEAMS``, a batch in player order would reach the
    teams in team order as well, and hide the deadlock of row triggers behind sorted batches.
    """
    await service.update_config(SERVER, "channel", "c1")
    for t in range(TEAMS):
        await service.teams.create(SERVER, f"team {t:02d}")
    teams = [p % TEAMS for p in range(PLAYERS)]
    rng.shuffle(teams)
    for p, t in enumerate(teams):
        await service.teams.join(SERVER.player(f"u{p:03d}"), f"team {t:02d}")


def _clicks(rounds: Sequence[tuple[int, Question]], rng: random.Random, twice: float) -> list[Click]:
    """Every player answers every round once; the share ``twice`` of the answers is clicked again elsewhere."""
    clicks = []
    for round_id, question in rounds:
        for p in range(PLAYERS):
            first = rng.randrange(PROCESSES)
            choices = _choices(question, p + round_id)
            clicks.append(Click(first, round_id, f"u{p:03d}", choices))
            if rng.random() < twice:
                clicks.append(Click((first + rng.randrange(1, PROCESSES)) % PROCESSES, round_id, f"u{p:03d}", choices))
    rng.shuffle(clicks)
    return clicks


async def _burst(services: Sequence[QuizService], clicks: Sequence[Click]) -> list[object]:
    """Every click at once, each on its process; outcomes (result or exception) in click order."""
    async def one(click: Click) -> AnswerResult:
        return await services[click.process].submit_answer(click.round_id, SERVER.player(click.user), click.choices)

    async with asyncio.timeout(BURST_SECONDS):
        return await asyncio.gather(*(one(c) for c in clicks), return_exceptions=True)


def _streak_after(before: tuple[int, int, int], seq: int, first: bool, second: bool) -> set[tuple[int, int, int]]:
    """The legal (current, best, last_seq) after answering daily rounds ``seq`` and ``seq + 1`` from ``before``.

    Round ``seq + 1`` stored first makes round ``seq`` a late answer that changes nothing: both orders are legal.
    """
    current, best, last = before
    one = (current + 1 if last == seq - 1 else 1) if first else 0
    two = one + 1 if second else 0
    late = (current + 1 if last == seq else 1) if second else 0
    return {(two, max(best, one, two), seq + 1), (late, max(best, late), seq + 1)}


async def test_overlapping_answer_batches_of_three_processes_never_deadlock(
    pg_dsn: str, bank: YamlQuestionBank, clock: FakeClock
) -> None:
    rng = random.Random(11)
    streaks = {f"u{p:03d}": (0, 0, 0) for p in range(PLAYERS)}
    async with processes(pg_dsn, bank, clock) as (db, services):
        await _set_up(services[0], rng)
        for wave in range(WAVES):
            opened = [await services[0].open_daily(SERVER) for _ in range(2)]
            rounds = [(o.round.id, o.question) for o in opened]
            clicks = _clicks(rounds, rng, twice=1 / 3 if wave % 2 else 0.0)
            assert (len(clicks) > len(rounds) * PLAYERS) == bool(wave % 2)  # duplicate clicks in odd waves only
            outcomes = await _burst(services, clicks)

            refused = [o for o in outcomes if isinstance(o, StorageUnavailable)]
            unexpected = [o for o in outcomes if isinstance(o, BaseException) and not isinstance(
                o, StorageUnavailable | AlreadyAnswered)]
            assert (wave, len(refused), unexpected) == (wave, 0, [])
            stored = Counter((c.round_id, c.user) for c, o in zip(clicks, outcomes, strict=True)
                             if isinstance(o, AnswerResult))
            assert set(stored.values()) == {1} and len(stored) == len(rounds) * PLAYERS
            await _check_totals(db, (wave + 1) * len(rounds) * PLAYERS)
            streaks = await _check_streaks(db, streaks, [o.round for o in opened])


async def _check_streaks(
    db: Database, before: dict[str, tuple[int, int, int]], rounds: Sequence[Round]
) -> dict[str, tuple[int, int, int]]:
    """Every player's streak row is one of the legal outcomes of the wave's two answers; the rows read."""
    first, second = rounds
    correct = {(r[0], r[1]): bool(r[2]) for r in await db.fetch_all(
        "SELECT round_id, user_id, correct FROM attempts WHERE round_id IN (?, ?)", (first.id, second.id))}
    rows = {r[0]: (r[1], r[2], r[3]) for r in await db.fetch_all(
        "SELECT user_id, current, best, last_seq FROM streaks")}
    assert rows.keys() == before.keys()
    bad = [user for user, row in rows.items() if row not in _streak_after(
        before[user], first.daily_seq or 0, correct[first.id, user], correct[second.id, user])]
    assert bad == []
    return rows


async def _check_totals(db: Database, attempts: int) -> None:
    """Every trigger-kept board and team row equals its aggregate over the attempts table."""
    assert (await db.fetch_one("SELECT count(*) FROM attempts"))[0] == attempts  # type: ignore[index]
    assert await _read(db, "SELECT * FROM board_totals ORDER BY 1, 2, 3, 4") == await _read(db, EXPECTED_BOARD)
    assert await _read(db, "SELECT * FROM team_totals ORDER BY 1, 2") == await _read(db, EXPECTED_TEAMS)
    assert await _read(db, "SELECT * FROM team_active ORDER BY 1, 2, 3") == await _read(db, EXPECTED_ACTIVE)
    assert len(await _read(db, EXPECTED_TEAMS)) == TEAMS * 3  # every team scored, in all/week/month


async def _read(db: Database, sql: str) -> list[tuple[object, ...]]:
    return [tuple(r) for r in await db.fetch_all(sql)]
