"""Fakes of the engine's ports: a settable clock and a static bank. They record, they don't expect."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.engine.model import Question, QuestionType


@dataclass
class FakeClock:
    """A clock that only moves when a test moves it."""

    current: datetime = field(default_factory=lambda: datetime(2026, 11, 24, 12, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)

    def set(self, iso: str) -> None:
        self.current = datetime.fromisoformat(iso).astimezone(UTC)


class StaticBank:
    """A QuestionBank over a fixed list; ``add`` simulates bank growth."""

    def __init__(self, questions: Sequence[Question]) -> None:
        self._questions = list(questions)

    def add(self, question: Question) -> None:
        self._questions.append(question)

    def all(self) -> Sequence[Question]:
        return sorted(self._questions, key=lambda q: q.id)

    def get(self, question_id: str) -> Question | None:
        return next((q for q in self._questions if q.id == question_id), None)

    def topics(self) -> frozenset[str]:
        return frozenset(q.topic for q in self._questions)


def make_question(
    qid: str, topic: str = "sqs", domain: int = 1, kind: QuestionType = QuestionType.SINGLE,
    answer: frozenset[int] = frozenset({1}), choices: int = 4,
) -> Question:
    return Question(
        id=qid, topic=topic, domain=domain, type=kind, difficulty=2, prompt=f"Prompt of {qid}?",
        choices=tuple(f"choice {i} of {qid}" for i in range(choices)), answer=answer,
        explanation=f"Because {qid}.",
    )


def right(question: Question) -> frozenset[int]:
    """The key of ``question``."""
    return question.answer


def wrong(question: Question) -> frozenset[int]:
    """A submission of the right size that is wrong."""
    others = [i for i in range(len(question.choices)) if i not in question.answer]
    return frozenset(others[: len(question.answer)])


class FlakyNotifier:
    """Records posts like a platform would, and fails on demand (transient or permanent)."""

    sends_per_second = float("inf")

    def __init__(self) -> None:
        self.posts: list[tuple[str, int, str]] = []
        self.reveals: list[tuple[str, int, object]] = []
        self.admin_messages: list[tuple[str, str]] = []
        self.failures: list[bool] = []  # queued: True = permanent, False = transient
        self.lookups: list[tuple[str, int, object]] = []

    async def post_daily(self, config, round_, question) -> str:
        from bot.engine.errors import DeliveryFailed

        if self.failures:
            permanent = self.failures.pop(0)
            raise DeliveryFailed("403 Missing Access" if permanent else "503 upstream", permanent=permanent)
        self.posts.append((config.server.server_id, round_.id, question.id))
        return f"msg-{round_.id}"

    async def find_daily(self, config, round_, since) -> str | None:
        """The round's post if it reached the channel (a subclass may record a post and still fail)."""
        self.lookups.append((config.server.server_id, round_.id, since))
        landed = any(post[1] == round_.id for post in self.posts)
        return f"msg-{round_.id}" if landed else None

    async def reveal_daily(self, config, round_, recap) -> None:
        self.reveals.append((config.server.server_id, round_.id, recap))

    async def tell_admins(self, server, text: str) -> None:
        self.admin_messages.append((server.server_id, text))


class RecordingPlanner:
    """The lifecycle's Planner, keeping what it was asked to schedule."""

    def __init__(self) -> None:
        self.reveals: list[tuple[object, object, object]] = []
        self.retries: list[tuple[object, object, object]] = []

    def plan_reveal(self, server, day, at) -> None:
        self.reveals.append((server, day, at))

    def plan_retry(self, server, day, at) -> None:
        self.retries.append((server, day, at))
