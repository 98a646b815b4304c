"""Teams, spaced repetition, review and mock exams through the service on real SQLite."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from bot.engine.errors import InvalidConfig, NoQuestionsAvailable
from bot.engine.model import Period, QuestionType, ServerKey
from bot.engine.outcomes import ExamReport, ExamStep
from bot.engine.service import QuizService
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.quiz_store import SqlQuizStore
from tests.fakes import FakeClock, StaticBank, make_question, right, wrong

SERVER = ServerKey("discord", "g1")


def bank_of(n: int = 40) -> StaticBank:
    return StaticBank([make_question(f"sqs-{i:03d}", topic=("sqs", "sns", "kms-encryption", "codedeploy")[i % 4],
                                     domain=1 + i % 4) for i in range(n)])


def service_on(store: SqlQuizStore, clock: FakeClock, bank: StaticBank | None = None, seed: int = 1) -> QuizService:
    return QuizService(store, bank or bank_of(), clock, random.Random(seed), default_timezone="UTC",
                       cards=FsrsCardScheduler())


async def daily(service: QuizService, answers: dict[str, bool]) -> None:
    opened = await service.open_daily(SERVER)
    for user, ok in answers.items():
        await service.submit_answer(opened.round.id, SERVER.player(user), (right if ok else wrong)(opened.question))
    await service.reveal(opened.round.id)


# -- teams ---------------------------------------------------------------------------------------


async def test_team_board_ranks_per_active_member_not_by_total(store: SqlQuizStore, clock: FakeClock) -> None:
    service = service_on(store, clock)
    teams = service.teams
    await teams.create(SERVER, "Lambda Lions")
    await teams.create(SERVER, "S3 Sharks")
    for user in ("a1", "a2", "a3", "a4"):
        await teams.join(SERVER.player(user), "lambda lions")
    for user in ("b1", "b2"):
        await teams.join(SERVER.player(user), "S3 Sharks")
    # Lions: 3 of 4 right each day (30 points/day over 3 active); Sharks: both right (20 over 2).
    for _ in range(2):
        await daily(service, {"a1": True, "a2": True, "a3": True, "a4": False, "b1": True, "b2": True})
        clock.advance(days=1)
    key, board = await teams.board(SERVER, Period.WEEK)
    assert key.startswith("w2026-W")
    assert [(s.team, s.points, s.active, s.members, s.per_member) for s in board] == [
        ("S3 Sharks", 40, 2, 2, 20.0), ("Lambda Lions", 60, 4, 4, 15.0)]
    assert board[0].streak == 2 and board[1].streak == 2


async def test_points_stay_with_the_team_the_player_was_in(store: SqlQuizStore, clock: FakeClock) -> None:
    service = service_on(store, clock)
    await service.teams.create(SERVER, "Red")
    await service.teams.create(SERVER, "Blue")
    player = SERVER.player("mover")
    await service.teams.join(player, "Red")
    await daily(service, {"mover": True})
    clock.advance(days=1)
    await service.teams.join(player, "Blue")
    await daily(service, {"mover": True})
    _key, board = await service.teams.board(SERVER, Period.ALL)
    points = {s.team: (s.points, s.members) for s in board}
    assert points == {"Red": (10, 0), "Blue": (10, 1)}
    assert (await service.teams.mine(player)).name == "Blue"


async def test_team_admin_operations_and_errors(store: SqlQuizStore, clock: FakeClock) -> None:
    teams = service_on(store, clock).teams
    await teams.create(SERVER, "Alpha")
    with pytest.raises(InvalidConfig, match="already exists"):
        await teams.create(SERVER, "ALPHA")
    renamed = await teams.rename(SERVER, "alpha", "Omega")
    assert renamed.name == "Omega"
    await teams.sync_members(SERVER, "Omega", ["u1", "u2", "u3"])
    assert (await teams.sync_members(SERVER, "Omega", ["u2", "u4"])).members == 2
    with pytest.raises(InvalidConfig, match="No team called 'Alpha'"):
        await teams.join(SERVER.player("u9"), "Alpha")
    await teams.delete(SERVER, "omega")
    assert await teams.list(SERVER) == ()
    assert await teams.mine(SERVER.player("u2")) is None
    with pytest.raises(InvalidConfig, match="not in a team"):
        await teams.leave(SERVER.player("u2"))
    await teams.create(SERVER, "Alpha")  # the name is free again after deletion


# -- spaced repetition --------------------------------------------------------------------------------


async def test_missed_question_comes_back_on_the_fsrs_schedule(store: SqlQuizStore, clock: FakeClock) -> None:
    service = service_on(store, clock)
    player = SERVER.player("ann")
    opened = await service.open_practice(player)
    await service.submit_answer(opened.round.id, player, wrong(opened.question))
    with pytest.raises(NoQuestionsAvailable, match="next review: 2026-11-25 12:00 UTC"):
        await service.open_review(player)
    stats = await service.stats(player)
    assert stats.study.due_now == 0 and stats.study.next_due is not None
    clock.advance(days=1)
    review = await service.open_review(player)
    assert review.question.id == opened.question.id
    await service.submit_answer(review.round.id, player, right(review.question))
    card = await store.get_card(player, opened.question.id)
    assert card.reviews == 2 and card.lapses == 1
    assert card.due - clock.now() >= timedelta(days=2)  # a right answer pushes it further out
    assert (await service.stats(player)).study.due_now == 0


async def test_right_first_answer_creates_no_card(store: SqlQuizStore, clock: FakeClock) -> None:
    service = service_on(store, clock)
    player = SERVER.player("bo")
    opened = await service.open_practice(player)
    await service.submit_answer(opened.round.id, player, right(opened.question))
    assert await store.cards(player) == []
    with pytest.raises(NoQuestionsAvailable, match="nothing scheduled"):
        await service.open_review(player)


async def test_stats_show_readiness_coverage_points_and_weakest_topics(store, clock) -> None:
    service = service_on(store, clock)
    player = SERVER.player("cy")
    for _n in range(16):
        opened = await service.open_practice(player)
        ok = opened.question.topic != "kms-encryption"
        await service.submit_answer(opened.round.id, player, (right if ok else wrong)(opened.question))
    await daily(service, {"cy": True})
    stats = await service.stats(player)
    assert stats.points == 10
    study = stats.study
    assert study.weakest_topics[0] == "kms-encryption"
    assert sum(seen for _name, seen, _total in study.coverage) == 17
    assert all(total == 10 for _name, _seen, total in study.coverage)
    assert 0 <= study.overall_readiness <= 100
    assert dict(study.readiness)["Security"] < dict(study.readiness)["Deployment"]


async def test_unfiltered_draws_cover_domains_and_a_domain_filter_is_exact(store, clock) -> None:
    service = service_on(store, clock, seed=11)
    domains = [(await service.open_practice(SERVER.player("p"))).question.domain for _ in range(20)]
    assert set(domains) == {1, 2, 3, 4}
    assert {(await service.open_practice(SERVER.player("q"), domain=3)).question.domain for _ in range(5)} == {3}


# -- mock exams ---------------------------------------------------------------------------------------


async def test_exam_runs_without_verdicts_and_reports_at_the_end(store, clock) -> None:
    service = service_on(store, clock)
    player = SERVER.player("ex")
    step = await service.exams.start(player, 8)
    assert isinstance(step, ExamStep) and (step.position, step.count) == (1, 8)
    assert step.remaining == timedelta(minutes=16)
    seen = []
    while isinstance(step, ExamStep):
        seen.append(step.question.id)
        answer = right(step.question) if step.position % 2 else wrong(step.question)
        step = await service.exams.answer(player, answer)
    report = step
    assert isinstance(report, ExamReport) and len(set(seen)) == 8
    assert (report.correct, report.count, report.passed, report.timed_out) == (4, 8, False, False)
    assert len(report.missed) == 4 and sum(d.answered for d in report.by_domain) == 8
    assert (await service.leaderboard(SERVER, Period.ALL)).entries == ()  # exams never score
    clock.advance(days=1)
    assert len(await service.study.due(player)) == 4  # missed items joined the review queue
    assert await service.exams.current(player) is None


async def test_exam_resumes_after_restart_and_times_out(tmp_path: Path) -> None:
    clock = FakeClock()
    async with Database.open(tmp_path / "exam.db") as db:
        await migrate(db)
        service = service_on(SqlQuizStore(db), clock)
        player = SERVER.player("zed")
        first = await service.exams.start(player, 5)
        second = await service.exams.answer(player, right(first.question))
    async with Database.open(tmp_path / "exam.db") as db:
        service = service_on(SqlQuizStore(db), clock)
        resumed = await service.exams.start(player, 30)  # resumes instead of starting a new one
        assert isinstance(resumed, ExamStep) and resumed.position == 2 and resumed.count == 5
        assert resumed.question.id == second.question.id
        clock.advance(minutes=11)
        report = await service.exams.answer(player, right(resumed.question))
        assert isinstance(report, ExamReport) and report.timed_out
        assert (report.correct, report.count) == (1, 5)


async def test_exam_count_is_bounded(store, clock) -> None:
    with pytest.raises(InvalidConfig, match="1 to 65"):
        await service_on(store, clock).exams.start(SERVER.player("x"), 0)


async def test_multi_questions_work_in_exams(store, clock) -> None:
    bank = StaticBank([make_question(f"sqs-{i:03d}", kind=QuestionType.MULTI, answer=frozenset({0, 2}), choices=5)
                       for i in range(3)])
    service = service_on(store, clock, bank)
    player = SERVER.player("m")
    step = await service.exams.start(player, 3)
    while isinstance(step, ExamStep):
        step = await service.exams.answer(player, frozenset({0, 2}))
    assert step.correct == 3 and step.passed


async def test_server_stats_participation_domains_and_hardest(store, clock) -> None:
    service = service_on(store, clock)
    for day in range(3):
        await daily(service, {f"u{n}": n % 2 == 0 for n in range(day + 5)})
        clock.advance(days=1)
    stats = await service.admin.server_stats(SERVER)
    assert [n for _day, n in stats.participation] == [5, 6, 7]
    assert [d for d, _n in stats.participation] == sorted(d for d, _n in stats.participation)
    assert sum(d.answered for d in stats.by_domain) == 18
    assert len(stats.hardest) == 3 and all(n >= 5 for _q, n, _c in stats.hardest)
    accuracies = [c / n for _q, n, c in stats.hardest]
    assert accuracies == sorted(accuracies)


async def test_a_stale_exam_click_is_refused_not_applied_to_the_next_question(store, clock) -> None:
    from bot.engine.errors import AlreadyAnswered

    service = service_on(store, clock)
    player = SERVER.player("dbl")
    first = await service.exams.start(player, 3)
    second = await service.exams.answer(player, right(first.question), round_id=first.round.id)
    with pytest.raises(AlreadyAnswered):
        await service.exams.answer(player, right(first.question), round_id=first.round.id)
    assert (await service.exams.current(player)).round.id == second.round.id
