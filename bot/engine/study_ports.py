"""Ports of the study features: the spaced-repetition scheduler and the study store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.engine.model import CardState, Exam, PlayerKey, ServerKey, Team
from bot.engine.ports import QuizStore


@dataclass(frozen=True)
class CardUpdate:
    """A card after one review."""

    state: str
    due: datetime


class CardScheduler(Protocol):
    """Spaced repetition (FSRS in production) behind a port so the engine stays stdlib only."""

    def review(self, state: str | None, correct: bool, at: datetime) -> CardUpdate:
        """Rate a review (correct = Good, wrong = Again) and return the new state and due time."""
        ...

    def retrievability(self, state: str, at: datetime) -> float:
        """Probability (0..1) that the player recalls the card at ``at``."""
        ...


class StudyStore(Protocol):
    """Persistence of cards, exams, teams and study statistics."""

    async def get_card(self, player: PlayerKey, question_id: str) -> CardState | None:
        """The player's card for a question."""
        ...

    async def save_card(self, player: PlayerKey, card: CardState) -> None:
        """Insert or replace a card."""
        ...

    async def due_cards(self, player: PlayerKey, now: datetime, limit: int) -> Sequence[CardState]:
        """Cards due at ``now``, most overdue first."""
        ...

    async def cards(self, player: PlayerKey) -> Sequence[CardState]:
        """All the player's cards."""
        ...

    async def recent_results(self, player: PlayerKey, per_domain: int) -> Sequence[tuple[int, bool]]:
        """(domain, correct) of the player's latest answers, at most ``per_domain`` per domain."""
        ...

    async def seen_questions(self, player: PlayerKey) -> frozenset[str]:
        """Question ids the player has answered at least once."""
        ...

    async def daily_participation(self, server: ServerKey, days: int) -> Sequence[tuple[date, int]]:
        """Distinct answerers of the daily question per local date, newest ``days`` dates."""
        ...

    async def domain_totals(self, server: ServerKey) -> Sequence[tuple[int, int, int]]:
        """(domain, answered, correct) over the server's answers."""
        ...

    async def question_totals(self, server: ServerKey, min_answers: int) -> Sequence[tuple[str, int, int]]:
        """(question_id, answered, correct) for questions with at least ``min_answers`` answers."""
        ...

    async def create_exam(self, exam: Exam) -> Exam:
        """Store a new exam; return it with its id."""
        ...

    async def active_exam(self, player: PlayerKey) -> Exam | None:
        """The player's unfinished exam, if any."""
        ...

    async def add_exam_round(self, exam_id: int, round_id: int) -> None:
        """Append the round serving the exam's next question."""
        ...

    async def finish_exam(self, exam_id: int, at: datetime) -> None:
        """Mark the exam finished."""
        ...

    async def create_team(self, server: ServerKey, name: str, at: datetime) -> Team:
        """Create a team; raise ``InvalidConfig`` on a duplicate name."""
        ...

    async def find_team(self, server: ServerKey, name: str) -> Team | None:
        """A live team by name (case-insensitive)."""
        ...

    async def teams(self, server: ServerKey) -> Sequence[Team]:
        """Live teams with their current member counts."""
        ...

    async def rename_team(self, team_id: int, name: str) -> None:
        """Rename; raise ``InvalidConfig`` on a duplicate name."""
        ...

    async def delete_team(self, team_id: int, at: datetime) -> None:
        """Soft-delete a team and close its members' stints."""
        ...

    async def set_membership(self, player: PlayerKey, team_id: int | None, at: datetime) -> None:
        """Close the player's current stint and open one in ``team_id`` (None: leave)."""
        ...

    async def current_team(self, player: PlayerKey) -> Team | None:
        """The team the player is in now."""
        ...

    async def team_rows(self, server: ServerKey, period_key: str) -> Sequence[tuple[Team, int, int]]:
        """(team, points, active members) per live team for a board bucket."""
        ...

    async def daily_answerers(
        self, server: ServerKey, limit: int
    ) -> Sequence[tuple[datetime, bool, frozenset[str]]]:
        """The newest ``limit`` daily rounds: (opened_at, still open, users who answered), newest first."""
        ...

    async def current_members(self, server: ServerKey) -> Mapping[int, Sequence[tuple[str, datetime]]]:
        """Per live team id: (user_id, joined_at) of its current members."""
        ...


class Store(QuizStore, StudyStore, Protocol):
    """Everything the service persists (SQLite implements it in one class)."""
