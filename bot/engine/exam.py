"""Private mock exams: blueprint-weighted, timed like the real exam, revealed only at the end.

State lives in the store (the exam row lists its questions and the rounds
served so far), so an exam resumes after a restart. Every answer goes through
the normal answer path, so missed items join the review queue by themselves;
items left unanswered when time runs out are recorded as misses too.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from bot.engine.errors import AlreadyAnswered, InvalidConfig, NoQuestionsAvailable
from bot.engine.model import DOMAIN_NAMES, EXAM_WEIGHTS, DomainStat, Exam, PlayerKey, Question
from bot.engine.outcomes import AnswerResult, ExamReport, ExamStep, RoundOpened
from bot.engine.ports import Clock, QuestionBank, QuizStore
from bot.engine.selection import blueprint_counts
from bot.engine.study import StudyService
from bot.engine.study_ports import StudyStore

REAL_EXAM_ITEMS = 65
REAL_EXAM_MINUTES = 130
DEFAULT_COUNT = 20
OpenFixed = Callable[[PlayerKey, Question], Awaitable[RoundOpened]]
Submit = Callable[[int, PlayerKey, frozenset[int]], Awaitable[AnswerResult]]


def time_budget(count: int) -> timedelta:
    """The real exam's pace: 130 minutes for 65 items, i.e. two minutes an item."""
    return timedelta(minutes=REAL_EXAM_MINUTES * count / REAL_EXAM_ITEMS)


def pick_exam(questions: list[Question], count: int, seen: frozenset[str], rng: random.Random) -> list[Question]:
    """Blueprint-weighted items, unseen ones first within each domain, in shuffled order."""
    by_domain: dict[int, list[Question]] = defaultdict(list)
    for q in sorted(questions, key=lambda q: q.id):
        by_domain[q.domain].append(q)
    picked: list[Question] = []
    for domain, wanted in blueprint_counts(count, EXAM_WEIGHTS).items():
        pool = by_domain.get(domain, [])
        fresh = [q for q in pool if q.id not in seen]
        old = [q for q in pool if q.id in seen]
        rng.shuffle(fresh)
        rng.shuffle(old)
        picked.extend((fresh + old)[:wanted])
    leftovers = [q for q in questions if q not in picked]
    rng.shuffle(leftovers)
    picked.extend(leftovers[: count - len(picked)])
    rng.shuffle(picked)
    return picked


class ExamService:
    """Start, resume, answer and report mock exams."""

    def __init__(
        self, store: StudyStore, quiz_store: QuizStore, bank: QuestionBank, clock: Clock, rng: random.Random,
        study: StudyService, open_fixed: OpenFixed, submit: Submit,
    ) -> None:
        self._store, self._quiz_store, self._bank = store, quiz_store, bank
        self._clock, self._rng, self._study = clock, rng, study
        self._open_fixed, self._submit = open_fixed, submit

    async def start(self, player: PlayerKey, count: int = DEFAULT_COUNT) -> ExamStep | ExamReport:
        """Begin an exam of ``count`` items, or resume the one already running."""
        if await self._store.active_exam(player) is None:
            if not 1 <= count <= REAL_EXAM_ITEMS:
                raise InvalidConfig(f"An exam has 1 to {REAL_EXAM_ITEMS} questions.")
            seen = await self._store.seen_questions(player)
            chosen = pick_exam(list(self._bank.all()), count, seen, self._rng)
            if not chosen:
                raise NoQuestionsAvailable("The question bank is empty.")
            now = self._clock.now()
            await self._store.create_exam(Exam(0, player, now, now + time_budget(len(chosen)),
                                               tuple(q.id for q in chosen)))
        step = await self.current(player)
        assert step is not None  # noqa: S101 - an exam was just found or created
        return step

    async def current(self, player: PlayerKey) -> ExamStep | ExamReport | None:
        """The question to answer now, the report if time ran out, or None without an exam."""
        exam = await self._store.active_exam(player)
        if exam is None:
            return None
        if self._clock.now() >= exam.deadline:
            return await self._finish(exam, timed_out=True)
        if exam.round_ids and await self._quiz_store.get_attempt(exam.round_ids[-1], player) is None:
            return await self._step(exam, exam.round_ids[-1])
        if len(exam.round_ids) >= len(exam.question_ids):
            return await self._finish(exam, timed_out=False)
        question = self._bank.get(exam.question_ids[len(exam.round_ids)])
        if question is None:  # retired from the bank since the exam started: skip it
            exam = replace(exam, question_ids=tuple(q for q in exam.question_ids if self._bank.get(q)))
            return await self._finish(exam, timed_out=False)
        opened = await self._open_fixed(player, question)
        await self._store.add_exam_round(exam.id, opened.round.id)
        return await self._step(replace(exam, round_ids=(*exam.round_ids, opened.round.id)), opened.round.id)

    async def answer(
        self, player: PlayerKey, choices: frozenset[int], *, round_id: int | None = None
    ) -> ExamStep | ExamReport:
        """Record the answer to the current question (no verdict) and move on.

        With ``round_id`` (the question the button belongs to), a stale or double click
        is refused instead of answering the next question.
        """
        step = await self.current(player)
        if step is None:
            raise InvalidConfig("You have no exam running; start one with /quiz exam.")
        if isinstance(step, ExamReport):
            return step
        if round_id is not None and round_id != step.round.id:
            raise AlreadyAnswered(round_id)
        await self._submit(step.round.id, player, choices)
        after = await self.current(player)
        assert after is not None  # noqa: S101 - the exam is still active or just finished
        return after

    async def _step(self, exam: Exam, round_id: int) -> ExamStep:
        opened = await self._quiz_store.get_round(round_id)
        question = self._bank.get(opened.question_id) if opened else None
        if opened is None or question is None:
            raise NoQuestionsAvailable("This exam question is no longer available.")
        return ExamStep(exam, exam.round_ids.index(round_id) + 1, len(exam.question_ids), opened, question,
                        exam.deadline - self._clock.now())

    async def _finish(self, exam: Exam, *, timed_out: bool) -> ExamReport:
        player, correct = exam.player, 0
        stats: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        missed: list[Question] = []
        for index, question_id in enumerate(exam.question_ids):
            question = self._bank.get(question_id)
            if question is None:
                continue
            round_id = exam.round_ids[index] if index < len(exam.round_ids) else None
            attempt = await self._quiz_store.get_attempt(round_id, player) if round_id else None
            right = bool(attempt and attempt.correct)
            if attempt is None:
                await self._study.record(player, question, False)
            stats[question.domain][0] += 1
            stats[question.domain][1] += int(right)
            correct += int(right)
            if not right:
                missed.append(question)
        await self._store.finish_exam(exam.id, self._clock.now())
        by_domain = tuple(DomainStat(DOMAIN_NAMES[d], *stats[d]) for d in sorted(stats))
        return ExamReport(exam, correct, sum(a for a, _ in stats.values()), by_domain, tuple(missed), timed_out)
