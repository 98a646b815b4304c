"""Use cases of the quiz: open rounds, take answers, reveal, boards, stats, config.

Every method returns an outcome object or raises from the ``QuizError`` tree;
nothing here knows which platform asked.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, date, datetime

from bot.engine.admin import AdminService
from bot.engine.errors import (
    InvalidConfig,
    NoQuestionsAvailable,
    NotYourRound,
    RoundClosed,
    RoundNotFound,
    StorageUnavailable,
)
from bot.engine.exam import ExamService
from bot.engine.grading import Scoring, is_correct, validate_choices
from bot.engine.model import (
    DOMAIN_NAMES,
    EXAM_WEIGHTS,
    Attempt,
    Period,
    PlayerKey,
    Question,
    Round,
    RoundKind,
    ServerConfig,
    ServerKey,
)
from bot.engine.outcomes import (
    AnswerResult,
    Leaderboard,
    PlayerStats,
    Recap,
    Reveal,
    RoundOpened,
)
from bot.engine.ports import Clock, QuestionBank
from bot.engine.selection import Filter, draw
from bot.engine.settings_rules import apply_setting
from bot.engine.study import StudyService, breakdown, next_due_text
from bot.engine.study_ports import CardScheduler, Store
from bot.engine.teams import TeamService
from bot.engine.timekeys import local_date, period_key, zone

log = logging.getLogger(__name__)

DAILY_DECK = "daily"
ConfigListener = Callable[[ServerConfig], Awaitable[None]]


def practice_deck(user_id: str) -> str:
    """The deck name of a player's private practice draws."""
    return f"practice:{user_id}"


class QuizService:
    """The engine's entry point for adapters and the scheduler.

    ``teams``, ``study`` and ``exams`` are the study-group use cases; they share
    this service's store, clock and answer path.
    """

    def __init__(
        self,
        store: Store,
        bank: QuestionBank,
        clock: Clock,
        rng: random.Random,
        *,
        default_timezone: str,
        cards: CardScheduler,
        scoring: Scoring | None = None,
        board_size: int = 10,
    ) -> None:
        zone(default_timezone)
        self._store = store
        self._bank = bank
        self._clock = clock
        self._rng = rng
        self._default_tz = default_timezone
        self._scoring = scoring or Scoring()
        self._board_size = board_size
        self._config_listeners: list[ConfigListener] = []
        self.study = StudyService(store, bank, clock, cards)
        self.teams = TeamService(store, clock, self._timezone)
        self.admin = AdminService(store, bank, clock)
        self.exams = ExamService(store, store, bank, clock, rng, self.study, self._open_exam_round, self.submit_answer)

    async def _timezone(self, server: ServerKey) -> str:
        return (await self.config(server)).timezone
    @property
    def bank(self) -> QuestionBank:
        """The question bank, for adapters listing topics."""
        return self._bank

    # -- config -----------------------------------------------------------------

    async def config(self, server: ServerKey) -> ServerConfig:
        """The server's stored config, or the defaults for a new server."""
        stored = await self._store.get_config(server)
        return stored or ServerConfig(server=server, timezone=self._default_tz)

    async def update_config(self, server: ServerKey, name: str, value: str) -> ServerConfig:
        """Change one setting from admin text; validated before anything is stored."""
        updated = apply_setting(await self.config(server), name, value, self._bank.topics())
        if updated.enabled and not updated.channel_id:
            raise InvalidConfig("Set a channel before enabling the daily question.")
        await self._store.save_config(updated)
        for listener in self._config_listeners:
            await listener(updated)
        return updated

    def on_config_change(self, listener: ConfigListener) -> None:
        """Call ``listener`` after every stored config change (the scheduler re-plans the server)."""
        self._config_listeners.append(listener)

    # -- rounds -----------------------------------------------------------------

    async def open_practice(
        self, player: PlayerKey, *, topic: str | None = None, domain: int | None = None
    ) -> RoundOpened:
        """Draw a private question for one player from their own deck."""
        if topic is not None and topic not in self._bank.topics():
            raise InvalidConfig(f"Unknown topic {topic!r}; pick one of: {', '.join(sorted(self._bank.topics()))}.")
        if domain is not None and domain not in DOMAIN_NAMES:
            raise InvalidConfig(f"Domain must be 1-4, not {domain}.")
        config = await self.config(player.server)
        flt = Filter(topics=(topic,) if topic else (), domain=domain)
        draft = self._draft(RoundKind.PRACTICE, config, owner=player.user_id)
        return await self._open(draft, practice_deck(player.user_id), flt)

    async def open_review(self, player: PlayerKey) -> RoundOpened:
        """The player's most overdue missed question, as a private practice round."""
        due = await self.study.due(player, limit=1)
        if not due:
            report = await self.study.report(player, ())
            when = next_due_text(report.next_due)
            raise NoQuestionsAvailable(f"Nothing to review right now; next review: {when}.")
        config = await self.config(player.server)
        draft = self._draft(RoundKind.PRACTICE, config, owner=player.user_id)
        return await self._open_fixed(draft, due[0], f"review:{player.user_id}")

    async def _open_exam_round(self, player: PlayerKey, question: Question) -> RoundOpened:
        draft = replace(self._draft(RoundKind.PRACTICE, await self.config(player.server), owner=player.user_id),
                        on_board=False)
        return await self._open_fixed(draft, question, f"exam:{player.user_id}")

    async def _open_fixed(self, draft: Round, question: Question, deck: str) -> RoundOpened:
        round_ = await self._store.create_round(replace(draft, question_id=question.id), deck, 0)
        return RoundOpened(round_, question)

    async def open_daily(
        self, server: ServerKey, *, day: date | None = None, closes_at: datetime | None = None
    ) -> RoundOpened:
        """Open the server's daily round (for local date ``day``, default today), from the daily deck."""
        config = await self.config(server)
        draft = self._draft(RoundKind.DAILY, config, owner=None)
        draft = replace(draft, channel_id=config.channel_id, closes_at=closes_at, local_date=day or draft.local_date)
        return await self._open(draft, DAILY_DECK, Filter(config.topics, config.domain))

    async def today(self, server: ServerKey) -> RoundOpened | None:
        """The server's daily round of today (local date), if it was opened."""
        config = await self.config(server)
        round_ = await self._store.daily_round_on(server, local_date(self._clock.now(), config.timezone))
        if round_ is None:
            return None
        return RoundOpened(round_, self._question(round_))

    def _draft(self, kind: RoundKind, config: ServerConfig, owner: str | None) -> Round:
        now = self._clock.now()
        on_board = kind is RoundKind.DAILY or config.practice_on_board
        return Round(
            id=0, kind=kind, server=config.server, question_id="", opened_at=now, closes_at=None,
            owner=owner, local_date=local_date(now, config.timezone), timezone=config.timezone,
            on_board=on_board,
        )

    async def _open(self, draft: Round, deck: str, flt: Filter) -> RoundOpened:
        cycle, drawn = await self._store.deck_state(draft.server, deck)
        picked = draw(self._bank.all(), flt, cycle, drawn, self._rng, EXAM_WEIGHTS)
        round_ = await self._store.create_round(
            replace(draft, question_id=picked.question.id), deck, picked.cycle
        )
        return RoundOpened(round_, picked.question)

    async def round_by_id(self, round_id: int) -> RoundOpened:
        """A stored round with its question (a retried post re-sends the same one)."""
        round_ = await self._round(round_id)
        return RoundOpened(round_, self._question(round_))

    async def record_post(
        self, round_id: int, channel_id: str | None, message_ref: str, *, closes_at: datetime | None
    ) -> None:
        """Remember where a daily round was posted and when it stops taking answers."""
        await self._store.record_post(round_id, channel_id, message_ref, closes_at)

    def _question(self, round_: Round) -> Question:
        question = self._bank.get(round_.question_id)
        if question is None:
            raise RoundClosed(round_.id)
        return question

    async def _round(self, round_id: int, server: ServerKey | None = None) -> Round:
        round_ = await self._store.get_round(round_id)
        if round_ is None or (server is not None and round_.server != server):
            raise RoundNotFound(round_id)
        return round_

    # -- answers ----------------------------------------------------------------

    async def submit_answer(self, round_id: int, player: PlayerKey, choices: frozenset[int]) -> AnswerResult:
        """Record one answer; the first answer per player and round is the only one."""
        context = await self._store.answer_context(round_id, player)
        if context is None or context[0].server != player.server:
            raise RoundNotFound(round_id)
        round_, card = context
        if round_.kind is RoundKind.PRACTICE and round_.owner != player.user_id:
            raise NotYourRound()
        now = self._clock.now()
        if not round_.is_open(now):
            raise RoundClosed(round_id)
        question = self._question(round_)
        chosen = validate_choices(question, choices)
        correct = is_correct(question, chosen)
        points = self._scoring.points(round_.kind, correct)
        day = local_date(now, round_.timezone)
        await self._store.add_attempt(Attempt(
            round_id=round_id, player=player, question_id=question.id, choices=chosen, correct=correct,
            points=points, answered_at=now, kind=round_.kind, topic=question.topic, domain=question.domain,
            on_board=round_.on_board, period_keys=(period_key(Period.WEEK, day), period_key(Period.MONTH, day)),
            daily_seq=round_.daily_seq,
        ))
        try:
            await self.study.record(player, question, correct, card=card)
        except StorageUnavailable:
            # The answer is stored and scored; only its review card is missing, which the next
            # answer to this question creates. Failing here would report an error for a saved answer.
            log.warning("review card of %s for %s not saved", player, question.id)
        return AnswerResult(round_, question, chosen, correct, points)

    async def reveal(self, round_id: int) -> Reveal:
        """Close a round and report the key, the distribution per choice and who was right."""
        round_ = await self._store.mark_revealed(round_id, self._clock.now())
        question = self._question(round_)
        attempts = await self._store.round_attempts(round_id)
        distribution = [0] * len(question.choices)
        for attempt in attempts:
            for index in attempt.choices:
                distribution[index] += 1
        winners = tuple(a.player.user_id for a in attempts if a.correct)
        return Reveal(round_, question, tuple(distribution), len(attempts), len(winners), winners)

    async def recap(self, reveal: Reveal, limit: int = 5) -> Recap:
        """The first ``limit`` correct answerers of a daily round with their current streaks."""
        top = []
        for user_id in reveal.correct_users[:limit]:
            current, _best, _last = await self._store.streak(reveal.round.server.player(user_id))
            top.append((user_id, current))
        return Recap(reveal, tuple(top))

    async def my_attempt(self, round_id: int, player: PlayerKey) -> Attempt | None:
        """The player's answer to a round (for "today" with your status)."""
        return await self._store.get_attempt(round_id, player)

    async def answer_count(self, round_id: int) -> int:
        """How many people answered; adapters show it on the public post."""
        return await self._store.answer_count(round_id)

    # -- boards and stats -------------------------------------------------------

    async def leaderboard(
        self, server: ServerKey, period: Period, *, player: PlayerKey | None = None, limit: int | None = None
    ) -> Leaderboard:
        """Top players of the week, month or all time, in the server's timezone."""
        config = await self.config(server)
        key = period_key(period, local_date(self._clock.now(), config.timezone))
        entries = await self._store.leaderboard(server, key, limit or self._board_size)
        me = await self._store.standing(player, key) if player else None
        return Leaderboard(server, period, key, tuple(entries), me)

    async def stats(self, player: PlayerKey) -> PlayerStats:
        """Answered, accuracy by domain and topic, and the daily streak."""
        domains, topics = breakdown(await self._store.player_breakdown(player))
        current, best, last_seq = await self._store.streak(player)
        standing = await self._store.standing(player, "all")
        latest = await self._store.latest_daily_seq(player.server)
        # A streak survives while the player answered the newest or the one before
        # it (today's question may simply not be answered yet).
        if latest - last_seq > 1:
            current = 0
        return PlayerStats(
            player=player,
            answered=sum(d.answered for d in domains),
            correct=sum(d.correct for d in domains),
            by_domain=domains,
            by_topic=topics,
            current_streak=current,
            best_streak=best,
            points=standing.points if standing else 0,
            study=await self.study.report(player, topics),
        )


class SystemClock:
    """The real clock, used only by the composition root."""

    def now(self) -> datetime:
        """Current UTC instant."""
        return datetime.now(UTC)
