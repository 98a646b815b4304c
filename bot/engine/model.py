"""Domain values: frozen dataclasses with string ids that carry their platform."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.engine.errors import InvalidConfig

LETTERS = "ABCDEF"
# DVA-C02 exam guide weights per domain, in percent; draws without a filter follow them.
EXAM_WEIGHTS: dict[int, int] = {1: 32, 2: 26, 3: 24, 4: 18}
DOMAIN_NAMES: dict[int, str] = {
    1: "Development with AWS Services",
    2: "Security",
    3: "Deployment",
    4: "Troubleshooting and Optimization",
}


class QuestionType(enum.StrEnum):
    """How a question is answered and graded."""

    SINGLE = "single"
    MULTI = "multi"
    TRUEFALSE = "truefalse"


class RoundKind(enum.StrEnum):
    """A daily round is public and scored; a practice round is private."""

    DAILY = "daily"
    PRACTICE = "practice"


class Period(enum.StrEnum):
    """Leaderboard windows, in the server's timezone."""

    WEEK = "week"
    MONTH = "month"
    ALL = "all"


@dataclass(frozen=True, order=True)
class ServerKey:
    """A Discord guild, a Slack workspace or the console, with its platform."""

    platform: str
    server_id: str

    def player(self, user_id: str) -> PlayerKey:
        """Return the key of ``user_id`` inside this server."""
        return PlayerKey(self.platform, self.server_id, user_id)


@dataclass(frozen=True, order=True)
class PlayerKey:
    """A person inside one server; the same human elsewhere is another player."""

    platform: str
    server_id: str
    user_id: str

    @property
    def server(self) -> ServerKey:
        """The server this player belongs to."""
        return ServerKey(self.platform, self.server_id)


@dataclass(frozen=True)
class Source:
    """Where in the study notes the item's fact comes from."""

    file: str
    section: str
    quote: str


@dataclass(frozen=True)
class Question:
    """One item of the bank, as loaded and validated from YAML."""

    id: str
    topic: str
    domain: int
    type: QuestionType
    difficulty: int
    prompt: str
    choices: tuple[str, ...]
    answer: frozenset[int]
    explanation: str
    source: Source | None = None
    refs: tuple[str, ...] = ()

    @property
    def letters(self) -> str:
        """The button letters of this question, one per choice."""
        return LETTERS[: len(self.choices)]

    def key_letters(self) -> str:
        """The right answer as letters, e.g. ``"AC"``."""
        return "".join(LETTERS[i] for i in sorted(self.answer))


@dataclass(frozen=True)
class Round:
    """One asking of a question: a server's daily post or a player's practice."""

    id: int
    kind: RoundKind
    server: ServerKey
    question_id: str
    opened_at: datetime
    closes_at: datetime | None
    revealed_at: datetime | None = None
    owner: str | None = None
    local_date: date | None = None
    daily_seq: int | None = None
    channel_id: str | None = None
    message_ref: str | None = None
    timezone: str = "UTC"
    on_board: bool = True

    def is_open(self, now: datetime) -> bool:
        """A round takes answers until it is revealed or its closing time passes."""
        if self.revealed_at is not None:
            return False
        return self.closes_at is None or now < self.closes_at


@dataclass(frozen=True)
class Attempt:
    """One player's answer to one round, as the store keeps it."""

    round_id: int
    player: PlayerKey
    question_id: str
    choices: frozenset[int]
    correct: bool
    points: int
    answered_at: datetime
    kind: RoundKind
    topic: str
    domain: int
    on_board: bool
    period_keys: tuple[str, str] = ("", "")
    daily_seq: int | None = None


@dataclass(frozen=True)
class Standing:
    """A row of a leaderboard."""

    rank: int
    user_id: str
    points: int
    answered: int
    correct: int


@dataclass(frozen=True)
class DomainStat:
    """Answers and accuracy for one exam domain or topic."""

    name: str
    answered: int
    correct: int

    @property
    def accuracy(self) -> float:
        """Share of correct answers, 0.0 when nothing was answered."""
        return self.correct / self.answered if self.answered else 0.0


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class ServerConfig:
    """Per-server settings kept in the database; defaults suit a new server."""

    server: ServerKey
    timezone: str
    channel_id: str | None = None
    enabled: bool = False
    post_time: str = "09:00"
    weekdays: tuple[str, ...] = WEEKDAYS[:5]
    reveal_time: str | None = None
    topics: tuple[str, ...] = ()
    domain: int | None = None
    mention_role: str | None = None
    practice_on_board: bool = False
    admins: tuple[str, ...] = field(default=())


class PostStatus(enum.StrEnum):
    """Where a server's daily post for one local date stands."""

    CLAIMED = "claimed"
    POSTED = "posted"
    FAILED = "failed"
    REVEALED = "revealed"


@dataclass(frozen=True)
class DailyPost:
    """The claim row of one server's daily question on one local date."""

    server: ServerKey
    local_date: date
    status: PostStatus
    claimed_at: datetime
    round_id: int | None = None
    posted_at: datetime | None = None
    reveal_at: datetime | None = None
    failures: int = 0
    last_error: str | None = None


REPORT_REASONS = ("wrong key", "unclear", "outdated", "typo", "other")
REPORT_TEXT_LIMIT = 1000


@dataclass(frozen=True)
class Report:
    """A player's report that a question is wrong, unclear or outdated."""

    id: int
    player: PlayerKey
    question_id: str
    round_id: int | None
    reason: str
    text: str
    created_at: datetime
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    resolution: str | None = None


@dataclass(frozen=True)
class Team:
    """A study group's team inside one server."""

    id: int
    server: ServerKey
    name: str
    members: int = 0
    role_ref: str | None = None


@dataclass(frozen=True)
class TeamStanding:
    """A row of a team board; ranked by points per active member so headcount does not win."""

    rank: int
    team: str
    points: int
    active: int
    members: int
    streak: int

    @property
    def per_member(self) -> float:
        """Points per active member (0 when nobody answered)."""
        return self.points / self.active if self.active else 0.0

    @property
    def participation(self) -> float:
        """Share of current members who answered at least once in the period."""
        return min(1.0, self.active / self.members) if self.members else 0.0


@dataclass(frozen=True)
class CardState:
    """A player's spaced-repetition card for one question, as the scheduler left it."""

    question_id: str
    domain: int
    state: str
    due: datetime
    reviews: int
    lapses: int


@dataclass(frozen=True)
class Exam:
    """A private mock exam: fixed questions, a deadline, answers revealed only at the end."""

    id: int
    player: PlayerKey
    started_at: datetime
    deadline: datetime
    question_ids: tuple[str, ...]
    round_ids: tuple[int, ...] = ()
    finished_at: datetime | None = None


def new_report(
    player: PlayerKey, question_id: str, round_id: int | None, reason: str, text: str, at: datetime
) -> Report:
    """A validated, not yet stored report; raises ``InvalidConfig`` for an unknown reason or bad text."""
    cleaned, body = reason.strip().lower(), text.strip()
    if cleaned not in REPORT_REASONS:
        raise InvalidConfig(f"Reason must be one of: {', '.join(REPORT_REASONS)}.")
    if not body or len(body) > REPORT_TEXT_LIMIT:
        raise InvalidConfig(f"Describe the problem in 1 to {REPORT_TEXT_LIMIT} characters.")
    return Report(0, player, question_id, round_id, cleaned, body, at)
