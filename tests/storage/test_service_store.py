"""The service over the real SQLite store and the real migrations."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from bot.engine.errors import (
    AlreadyAnswered,
    InvalidChoice,
    InvalidConfig,
    NoQuestionsAvailable,
    NotYourRound,
    RoundClosed,
    RoundNotFound,
)
from bot.engine.model import Period, ServerKey
from bot.engine.service import QuizService
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from tests.conftest import FIXTURE_BANK
from tests.fakes import FakeClock, StaticBank, make_question, right, wrong

SERVER = ServerKey("discord", "g1")
ALICE, BOB, CAROL = SERVER.player("alice"), SERVER.player("bob"), SERVER.player("carol")


async def test_correct_daily_answer_scores_ten_and_shows_on_boards(service: QuizService) -> None:
    opened = await service.open_daily(SERVER)
    result = await service.submit_answer(opened.round.id, ALICE, right(opened.question))
    assert (result.correct, result.points) == (True, 10)
    wrong_result = await service.submit_answer(opened.round.id, BOB, wrong(opened.question))
    assert (wrong_result.correct, wrong_result.points) == (False, 0)
    for period in Period:
        board = await service.leaderboard(SERVER, period, player=BOB)
        assert [(e.rank, e.user_id, e.points, e.answered) for e in board.entries] == [
            (1, "alice", 10, 1), (2, "bob", 0, 1)]
        assert board.me is not None and board.me.rank == 2


async def test_second_answer_is_refused_and_first_stands(service: QuizService) -> None:
    opened = await service.open_daily(SERVER)
    await service.submit_answer(opened.round.id, ALICE, wrong(opened.question))
    with pytest.raises(AlreadyAnswered):
        await service.submit_answer(opened.round.id, ALICE, right(opened.question))
    board = await service.leaderboard(SERVER, Period.ALL)
    assert [(e.user_id, e.points, e.answered) for e in board.entries] == [("alice", 0, 1)]


async def test_concurrent_duplicate_clicks_count_once(service: QuizService, store: SqlQuizStore) -> None:
    opened = await service.open_daily(SERVER)
    clicks = [service.submit_answer(opened.round.id, ALICE, right(opened.question)) for _ in range(50)]
    results = await asyncio.gather(*clicks, return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, AlreadyAnswered) for r in results if isinstance(r, Exception))
    assert await store.answer_count(opened.round.id) == 1
    board = await service.leaderboard(SERVER, Period.ALL)
    assert [(e.points, e.answered) for e in board.entries] == [(10, 1)]


async def test_reveal_reports_key_distribution_and_closes_round(service: QuizService) -> None:
    opened = await service.open_daily(SERVER)
    q = opened.question
    await service.submit_answer(opened.round.id, ALICE, right(q))
    await service.submit_answer(opened.round.id, BOB, right(q))
    await service.submit_answer(opened.round.id, CAROL, wrong(q))
    reveal = await service.reveal(opened.round.id)
    assert reveal.answered == 3 and reveal.correct == 2
    assert reveal.percent_correct == pytest.approx(66.67, abs=0.01)
    assert sum(reveal.distribution) == 3 * len(q.answer)
    for index in q.answer:
        assert reveal.distribution[index] >= 2
    assert reveal.correct_users == ("alice", "bob")
    with pytest.raises(RoundClosed, match="closed"):
        await service.submit_answer(opened.round.id, SERVER.player("dave"), right(q))
    again = await service.reveal(opened.round.id)
    assert again.round.revealed_at == reveal.round.revealed_at


async def test_round_from_another_server_is_not_found(service: QuizService) -> None:
    opened = await service.open_daily(SERVER)
    with pytest.raises(RoundNotFound):
        await service.submit_answer(opened.round.id, ServerKey("slack", "T1").player("alice"), right(opened.question))
    with pytest.raises(RoundNotFound):
        await service.submit_answer(9999, ALICE, frozenset({0}))


async def test_invalid_choice_is_rejected_without_storing(service: QuizService, store: SqlQuizStore) -> None:
    opened = await service.open_daily(SERVER)
    with pytest.raises(InvalidChoice):
        await service.submit_answer(opened.round.id, ALICE, frozenset({7}))
    assert await store.answer_count(opened.round.id) == 0


async def test_practice_is_private_and_off_the_board_unless_enabled(service: QuizService) -> None:
    opened = await service.open_practice(ALICE)
    with pytest.raises(NotYourRound):
        await service.submit_answer(opened.round.id, BOB, right(opened.question))
    result = await service.submit_answer(opened.round.id, ALICE, right(opened.question))
    assert result.points == 5
    assert (await service.leaderboard(SERVER, Period.ALL)).entries == ()
    stats = await service.stats(ALICE)
    assert (stats.answered, stats.correct) == (1, 1)

    await service.update_config(SERVER, "practice_on_board", "on")
    opened = await service.open_practice(ALICE)
    await service.submit_answer(opened.round.id, ALICE, right(opened.question))
    board = await service.leaderboard(SERVER, Period.ALL)
    assert [(e.user_id, e.points) for e in board.entries] == [("alice", 5)]


async def test_practice_filters_by_topic_and_domain(service: QuizService) -> None:
    for _ in range(4):
        opened = await service.open_practice(ALICE, topic="sqs")
        assert opened.question.topic == "sqs"
    opened = await service.open_practice(ALICE, domain=2)
    assert opened.question.domain == 2
    with pytest.raises(InvalidConfig, match="Unknown topic 'kinesis'"):
        await service.open_practice(ALICE, topic="kinesis")
    with pytest.raises(InvalidConfig, match="Domain must be"):
        await service.open_practice(ALICE, domain=9)


async def test_week_and_month_boards_roll_over_in_the_server_timezone(service: QuizService, clock: FakeClock) -> None:
    await service.update_config(SERVER, "timezone", "Asia/Tokyo")
    clock.set("2026-11-30T14:30:00+00:00")  # Mon 23:30 in Tokyo, ISO week 49, November
    opened = await service.open_daily(SERVER)
    await service.submit_answer(opened.round.id, ALICE, right(opened.question))
    clock.set("2026-11-30T15:30:00+00:00")  # Tue 00:30 in Tokyo: December 1st, same week
    month = await service.leaderboard(SERVER, Period.MONTH)
    week = await service.leaderboard(SERVER, Period.WEEK)
    assert month.period_key == "m2026-12" and month.entries == ()
    assert week.period_key == "w2026-W49" and [e.points for e in week.entries] == [10]


async def test_deck_does_not_repeat_until_exhausted_and_survives_restart(tmp_path: Path) -> None:
    bank = YamlQuestionBank.load(FIXTURE_BANK)
    seen: list[str] = []
    for restart in range(2):
        async with Database.open(tmp_path / "deck.db") as db:
            await migrate(db)
            service = QuizService(SqlQuizStore(db), bank, FakeClock(), random.Random(restart),
                                  default_timezone="UTC", cards=FsrsCardScheduler())
            for _ in range(3 if restart == 0 else 2):
                seen.append((await service.open_daily(SERVER)).question.id)
    assert sorted(seen) == sorted(q.id for q in bank.all())


async def test_bank_growth_joins_the_current_deck(store: SqlQuizStore, clock: FakeClock) -> None:
    bank = StaticBank([make_question("sqs-001"), make_question("sqs-002")])
    service = QuizService(store, bank, clock, random.Random(1), default_timezone="UTC", cards=FsrsCardScheduler())
    first = (await service.open_daily(SERVER)).question.id
    bank.add(make_question("sqs-003"))
    rest = {(await service.open_daily(SERVER)).question.id for _ in range(2)}
    assert rest == {"sqs-001", "sqs-002", "sqs-003"} - {first}


async def test_daily_filter_with_no_match_raises(service: QuizService, store: SqlQuizStore) -> None:
    await service.update_config(SERVER, "domain", "4")
    with pytest.raises(NoQuestionsAvailable):
        await service.open_daily(SERVER)


async def test_stats_by_domain_and_topic(service: QuizService) -> None:
    for _ in range(5):
        opened = await service.open_practice(ALICE)
        answer = right(opened.question) if opened.question.topic == "sqs" else wrong(opened.question)
        await service.submit_answer(opened.round.id, ALICE, answer)
    stats = await service.stats(ALICE)
    assert stats.answered == 5
    topics = {s.name: (s.answered, s.correct) for s in stats.by_topic}
    assert topics == {"sqs": (3, 3), "s3-encryption": (2, 0)}
    domains = {s.name: s.accuracy for s in stats.by_domain}
    assert domains == {"Development with AWS Services": 1.0, "Security": 0.0}


async def test_streak_counts_consecutive_daily_rounds(service: QuizService, clock: FakeClock) -> None:
    async def day(correct: bool | None) -> None:
        opened = await service.open_daily(SERVER)
        if correct is not None:
            await service.submit_answer(opened.round.id, ALICE, (right if correct else wrong)(opened.question))
        await service.reveal(opened.round.id)
        clock.advance(days=1)

    for outcome in (True, True, True):
        await day(outcome)
    stats = await service.stats(ALICE)
    assert (stats.current_streak, stats.best_streak) == (3, 3)
    await day(False)
    await day(True)
    stats = await service.stats(ALICE)
    assert (stats.current_streak, stats.best_streak) == (1, 3)
    await day(None)  # missed a scheduled day
    await service.open_daily(SERVER)  # today's question is open, not answered yet
    stats = await service.stats(ALICE)
    assert (stats.current_streak, stats.best_streak) == (0, 3)


async def test_config_defaults_and_validation(service: QuizService) -> None:
    config = await service.config(SERVER)
    assert (config.timezone, config.enabled, config.post_time) == ("UTC", False, "09:00")
    with pytest.raises(InvalidConfig, match="Set a channel"):
        await service.update_config(SERVER, "enabled", "on")
    await service.update_config(SERVER, "channel", "C42")
    updated = await service.update_config(SERVER, "enabled", "on")
    assert (await service.config(SERVER)) == updated
    with pytest.raises(InvalidConfig):
        await service.update_config(SERVER, "timezone", "Atlantis/Capital")
    assert (await service.config(SERVER)).timezone == "UTC"
