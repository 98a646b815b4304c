"""What the engine needs from the outside world, as Protocols.

Storage implements ``QuizStore`` and ``QuestionBank``, the app passes a real
``Clock``, tests pass fakes that record. Nothing here names a driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Protocol

from bot.engine.model import (
    Attempt,
    CardState,
    DailyPost,
    PlayerKey,
    Question,
    Report,
    Round,
    ServerConfig,
    ServerKey,
    Standing,
)
from bot.engine.outcomes import Recap


class Clock(Protocol):
    """Source of the current instant; always timezone-aware UTC."""

    def now(self) -> datetime:
        """Return the current instant."""
        ...


class QuestionBank(Protocol):
    """The validated question items."""

    def all(self) -> Sequence[Question]:
        """Every question, in a stable order."""
        ...

    def get(self, question_id: str) -> Question | None:
        """The question with this id, if the bank still has it."""
        ...

    def topics(self) -> frozenset[str]:
        """Topic slugs that have at least one question."""
        ...


class QuizStore(Protocol):
    """Persistence of rounds, attempts, decks, boards and config."""

    async def get_config(self, server: ServerKey) -> ServerConfig | None:
        """The stored config of ``server``, or None for a server never configured."""
        ...

    async def save_config(self, config: ServerConfig) -> None:
        """Insert or replace a server's config."""
        ...

    async def deck_state(self, server: ServerKey, deck: str) -> tuple[int, frozenset[str]]:
        """The deck's current cycle and the question ids drawn in it."""
        ...

    async def create_round(self, draft: Round, deck: str, cycle: int) -> Round:
        """Store a new round and its deck draw atomically; return it with its id (and daily_seq)."""
        ...

    async def record_post(
        self, round_id: int, channel_id: str | None, message_ref: str, closes_at: datetime | None
    ) -> None:
        """Store where a round was posted and its closing time."""
        ...

    async def get_round(self, round_id: int) -> Round | None:
        """The round, or None."""
        ...

    async def answer_context(self, round_id: int, player: PlayerKey) -> tuple[Round, CardState | None] | None:
        """The round and the player's review card for its question, in one read (the answer path)."""
        ...

    async def daily_round_on(self, server: ServerKey, day: date) -> Round | None:
        """The server's daily round of local date ``day``, if one was opened."""
        ...

    async def add_attempt(self, attempt: Attempt) -> None:
        """Store an answer; raise ``AlreadyAnswered`` if the player already answered the round."""
        ...

    async def get_attempt(self, round_id: int, player: PlayerKey) -> Attempt | None:
        """The player's answer to a round, if any."""
        ...

    async def mark_revealed(self, round_id: int, at: datetime) -> Round:
        """Set the reveal time once; return the round as stored."""
        ...

    async def round_attempts(self, round_id: int) -> Sequence[Attempt]:
        """Every answer to a round, in answer order."""
        ...

    async def answer_count(self, round_id: int) -> int:
        """How many people answered the round."""
        ...

    async def leaderboard(self, server: ServerKey, period_key: str, limit: int) -> Sequence[Standing]:
        """Top ``limit`` players of a board bucket, ranked by points."""
        ...

    async def standing(self, player: PlayerKey, period_key: str) -> Standing | None:
        """One player's row and rank in a board bucket."""
        ...

    async def player_breakdown(self, player: PlayerKey) -> Sequence[tuple[str, int, int, int]]:
        """Rows of (topic, domain, answered, correct) over all the player's answers."""
        ...

    async def streak(self, player: PlayerKey) -> tuple[int, int, int]:
        """The player's (current, best, last daily_seq answered) daily streak."""
        ...

    async def latest_daily_seq(self, server: ServerKey) -> int:
        """The sequence number of the server's newest daily round, 0 if none."""
        ...

    async def add_report(self, report: Report) -> Report:
        """Store a question report; return it with its id."""
        ...

    async def open_reports(self, server: ServerKey) -> Sequence[Report]:
        """Unresolved reports of a server, oldest first."""
        ...

    async def resolve_report(self, server: ServerKey, report_id: int, by: str, resolution: str,
                             at: datetime) -> bool:
        """Mark a report resolved; False if it does not exist in this server or was resolved."""
        ...

    async def get_meta(self, key: str) -> str | None:
        """A bookkeeping value (e.g. the Discord command-tree hash)."""
        ...

    async def set_meta(self, key: str, value: str) -> None:
        """Store a bookkeeping value."""
        ...


class Notifier(Protocol):
    """How scheduled rounds reach a platform channel (implemented by each adapter).

    Failures raise ``DeliveryFailed``; ``permanent=True`` when access is missing.
    ``sends_per_second`` is the sustained rate the platform allows for posts, which the
    scheduler's fan-out queue respects.
    """

    sends_per_second: float

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Post the question; return a message reference for the later reveal edit."""
        ...

    async def find_daily(self, config: ServerConfig, round_: Round, since: datetime) -> str | None:
        """The reference of ``round_``'s post if an earlier send that looked failed landed after all.

        A timeout or a dropped connection can hide a post the platform accepted, and the
        platforms have no idempotency key for posts, so the scheduler asks this before
        sending a round again. ``since`` is when the day was claimed. None when nothing is
        found or the platform cannot tell (the caller then posts again); ``DeliveryFailed``
        when the platform cannot be reached.
        """
        ...

    async def reveal_daily(self, config: ServerConfig, round_: Round, recap: Recap) -> None:
        """Edit the post to show the key, distribution and explanation, and post a recap."""
        ...

    async def tell_admins(self, server: ServerKey, text: str) -> None:
        """Tell a server's admins something needs their attention."""
        ...


class DailyStore(Protocol):
    """Claim rows of daily posts: the exactly-once guard of the daily question."""

    async def claim(self, server: ServerKey, day: date, at: datetime) -> bool:
        """Insert the day's claim; False if it already exists."""
        ...

    async def get(self, server: ServerKey, day: date) -> DailyPost | None:
        """The day's claim row."""
        ...

    async def attach_round(self, server: ServerKey, day: date, round_id: int) -> None:
        """Remember the day's round for retries."""
        ...

    async def mark_posted(self, server: ServerKey, day: date, at: datetime, reveal_at: datetime) -> None:
        """Record a successful post and when to reveal it."""
        ...

    async def mark_failed(self, server: ServerKey, day: date, error: str) -> int:
        """Record a failed send; return how many sends of the day failed."""
        ...

    async def mark_revealed(self, server: ServerKey, day: date) -> None:
        """Record the reveal."""
        ...

    async def open_posts(self) -> Sequence[DailyPost]:
        """Claims not revealed yet."""
        ...

    async def unrevealed_before(self, server: ServerKey, day: date) -> Sequence[DailyPost]:
        """Posted, unrevealed days of a server before ``day``."""
        ...
