"""Render-neutral results the service returns; adapters turn them into messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.engine.model import DomainStat, Exam, Period, PlayerKey, Question, Round, ServerKey, Standing

PASS_PERCENT = 72.0


@dataclass(frozen=True)
class RoundOpened:
    """A new round and the question it asks."""

    round: Round
    question: Question


@dataclass(frozen=True)
class AnswerResult:
    """The verdict on one answer; the explanation is shown privately."""

    round: Round
    question: Question
    chosen: frozenset[int]
    correct: bool
    points: int

    @property
    def explanation(self) -> str:
        """Why the key is right."""
        return self.question.explanation


@dataclass(frozen=True)
class Reveal:
    """The end of a round: key, how people answered, and who got it right."""

    round: Round
    question: Question
    distribution: tuple[int, ...]
    answered: int
    correct: int
    correct_users: tuple[str, ...]

    @property
    def percent_correct(self) -> float:
        """Share of correct answers in percent, 0 when nobody answered."""
        return 100.0 * self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class Leaderboard:
    """A board for one server and period, plus the asking player's own row."""

    server: ServerKey
    period: Period
    period_key: str
    entries: tuple[Standing, ...]
    me: Standing | None


@dataclass(frozen=True)
class PlayerStats:
    """Personal figures across every round the player answered in this server."""

    player: PlayerKey
    answered: int
    correct: int
    by_domain: tuple[DomainStat, ...]
    by_topic: tuple[DomainStat, ...]
    current_streak: int
    best_streak: int
    points: int = 0
    study: StudyReport | None = None

    @property
    def accuracy(self) -> float:
        """Share of correct answers, 0.0 when nothing was answered."""
        return self.correct / self.answered if self.answered else 0.0


@dataclass(frozen=True)
class Recap:
    """The day's top answerers with their streaks, posted after a daily reveal."""

    reveal: Reveal
    top: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class StudyReport:
    """Spaced-repetition and exam-readiness figures for ``/quiz stats``."""

    due_now: int
    next_due: datetime | None
    readiness: tuple[tuple[str, int], ...]
    overall_readiness: int
    coverage: tuple[tuple[str, int, int], ...]
    weakest_topics: tuple[str, ...]


@dataclass(frozen=True)
class ExamStep:
    """The mock exam's current question; no verdict is shown until the end."""

    exam: Exam
    position: int
    count: int
    round: Round
    question: Question
    remaining: timedelta


@dataclass(frozen=True)
class ExamReport:
    """The end of a mock exam: score, pass/fail on the 72 % line, per-domain accuracy, missed items."""

    exam: Exam
    correct: int
    count: int
    by_domain: tuple[DomainStat, ...]
    missed: tuple[Question, ...]
    timed_out: bool

    @property
    def percent(self) -> float:
        """Score in percent."""
        return 100.0 * self.correct / self.count if self.count else 0.0

    @property
    def passed(self) -> bool:
        """The real exam's passing line is 720 of 1000."""
        return self.percent >= PASS_PERCENT


@dataclass(frozen=True)
class ServerStats:
    """For admins: who takes part, how the server does per domain, which questions are hardest."""

    server: ServerKey
    participation: tuple[tuple[date, int], ...]
    by_domain: tuple[DomainStat, ...]
    hardest: tuple[tuple[Question, int, int], ...]
