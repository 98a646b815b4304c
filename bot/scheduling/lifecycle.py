"""Post and reveal decisions for one server's daily question, platform-neutral.

Exactly once per local date: the ``daily_posts`` row is claimed before
anything is sent, so a DST double fire, a restart or a second scheduler finds
the claim and backs off. A send can also fail without the platform saying so
(a timeout, a reset after the post landed, the process dying before
``mark_posted``): the claim then stays ``failed`` or ``claimed`` and the round
is sent again later (a retry, or catch-up once the claim is ``stale_claim``
old). Before any such resend the notifier is asked for the round's post
(``Notifier.find_daily``) and a post it finds is adopted. Where the platform
cannot tell (Slack without the history scopes, Discord without Read Message
History once its nonce window has passed) a resend can still produce one
duplicate post, never more, since every resend goes through the same row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.engine.errors import DeliveryFailed, QuizError
from bot.engine.model import DailyPost, PostStatus, Round, ServerConfig, ServerKey
from bot.engine.ports import Clock, DailyStore, Notifier
from bot.engine.schedule import due_today, is_scheduled, reveal_instant
from bot.engine.service import QuizService
from bot.engine.timekeys import local_date

log = logging.getLogger(__name__)

RETRY_DELAYS = tuple(timedelta(minutes=m) for m in (1, 5, 15, 30, 60, 120, 240))


@dataclass(frozen=True)
class Event:
    """Something the lifecycle did, for ``quizbot simulate`` and logs."""

    event: str  # post | reveal | skip | fail | disable
    server: ServerKey
    local_date: date
    at: datetime
    question_id: str | None = None
    detail: str | None = None


class Planner(Protocol):
    """Where follow-up work (a reveal, a retry) gets scheduled."""

    def plan_reveal(self, server: ServerKey, day: date, at: datetime) -> None:
        """Reveal ``day`` of ``server`` at ``at``."""
        ...

    def plan_retry(self, server: ServerKey, day: date, at: datetime) -> None:
        """Try the send of ``day`` again at ``at``."""
        ...


@dataclass
class DailyLifecycle:
    """One server's daily post, reveal, retries and catch-up."""

    service: QuizService
    daily: DailyStore
    notifier: Notifier
    clock: Clock
    planner: Planner
    on_event: Callable[[Event], None] = lambda _event: None
    stale_claim: timedelta = timedelta(minutes=10)
    # Pause when a permission error comes after this many failed sends of the day.
    max_permanent_failures: int = 3

    def _emit(self, kind: str, server: ServerKey, day: date, question_id: str | None = None,
              detail: str | None = None) -> None:
        event = Event(kind, server, day, self.clock.now(), question_id, detail)
        log.info("daily %s %s:%s %s %s", kind, server.platform, server.server_id, day, question_id or detail or "")
        self.on_event(event)

    async def fire(self, server: ServerKey) -> None:
        """The server's post time came: reveal what is still open, then claim and post today."""
        config = await self.service.config(server)
        if not config.enabled:
            return
        now = self.clock.now()
        day = local_date(now, config.timezone)
        for earlier in await self.daily.unrevealed_before(server, day):
            await self.reveal(server, earlier.local_date)
        if not is_scheduled(config, day):
            return
        if not await self.daily.claim(server, day, now):
            self._emit("skip", server, day, detail="already claimed")
            return
        await self.send(server, day)

    async def send(self, server: ServerKey, day: date) -> None:
        """Send (or re-send) the claimed day's question; plan the reveal or a retry."""
        post = await self.daily.get(server, day)
        if post is None or post.status in (PostStatus.POSTED, PostStatus.REVEALED):
            return
        config = await self.service.config(server)
        now = self.clock.now()
        reveal_at = reveal_instant(config, day, now)
        if post.round_id is None:
            opened = await self.service.open_daily(server, day=day, closes_at=reveal_at)
            await self.daily.attach_round(server, day, opened.round.id)
            round_, question = opened.round, opened.question
        else:
            current = await self.service.round_by_id(post.round_id)
            round_, question = current.round, current.question
        try:
            # A round with an earlier send is looked up whatever that send's error was: the claim row
            # does not keep it, and a 5xx or a crash hides a landed post as well as a timeout does.
            ref = await self._earlier_post(config, round_, post) if post.round_id is not None else None
            if ref is None:
                ref = await self.notifier.post_daily(config, round_, question)
        except DeliveryFailed as exc:
            await self._failed(config, day, exc)
            return
        await self.service.record_post(round_.id, config.channel_id, ref, closes_at=reveal_at)
        await self.daily.mark_posted(server, day, now, reveal_at)
        self._emit("post", server, day, question.id)
        self.planner.plan_reveal(server, day, reveal_at)

    async def _earlier_post(self, config: ServerConfig, round_: Round, post: DailyPost) -> str | None:
        """The round's post if an earlier send that looked failed landed after all."""
        found = await self.notifier.find_daily(config, round_, post.claimed_at)
        if found is not None:
            log.info("daily post of %s:%s %s found in the channel after a failed send; not sending again",
                     config.server.platform, config.server.server_id, post.local_date)
        return found

    async def _failed(self, config: ServerConfig, day: date, exc: DeliveryFailed) -> None:
        server = config.server
        strikes = await self.daily.mark_failed(server, day, str(exc))
        self._emit("fail", server, day, detail=str(exc))
        if exc.permanent and strikes >= self.max_permanent_failures:
            await self.service.update_config(server, "enabled", "off")
            self._emit("disable", server, day, detail=str(exc))
            text = (f"I could not post the daily question {strikes} times ({exc}); the daily question is paused."
                    " Fix the channel permissions, then enable it again.")
            try:
                await self.notifier.tell_admins(server, text)
            except DeliveryFailed:
                log.warning("could not tell the admins of %s that posting is paused", server)
            return
        retry_at = self.clock.now() + RETRY_DELAYS[min(strikes, len(RETRY_DELAYS)) - 1]
        if local_date(retry_at, config.timezone) == day:
            self.planner.plan_retry(server, day, retry_at)

    async def reveal(self, server: ServerKey, day: date) -> None:
        """Reveal the day's question: close the round, edit the post, post the recap."""
        post = await self.daily.get(server, day)
        if post is None or post.status is not PostStatus.POSTED or post.round_id is None:
            return
        config = await self.service.config(server)
        try:
            reveal = await self.service.reveal(post.round_id)
        except QuizError as exc:
            log.warning("cannot reveal %s %s: %s", server, day, exc)
            await self.daily.mark_revealed(server, day)
            return
        recap = await self.service.recap(reveal)
        try:
            await self.notifier.reveal_daily(config, reveal.round, recap)
        except DeliveryFailed as exc:
            log.warning("reveal of %s %s could not be delivered: %s", server, day, exc)
        await self.daily.mark_revealed(server, day)
        self._emit("reveal", server, day, reveal.question.id)

    async def catch_up(self, configs: list[ServerConfig], grace: timedelta) -> None:
        """After a (re)start: overdue reveals, interrupted or failed sends, and posts due but unclaimed."""
        now = self.clock.now()
        for post in await self.daily.open_posts():
            await self._resume(post, now)
        for config in configs:
            day = due_today(config, now, grace)
            if day is not None and await self.daily.get(config.server, day) is None:
                await self.fire(config.server)

    async def _resume(self, post: DailyPost, now: datetime) -> None:
        if post.status is PostStatus.POSTED and post.reveal_at is not None:
            if post.reveal_at <= now:
                await self.reveal(post.server, post.local_date)
            else:
                self.planner.plan_reveal(post.server, post.local_date, post.reveal_at)
            return
        config = await self.service.config(post.server)
        if local_date(now, config.timezone) != post.local_date or not config.enabled:
            return
        if post.status is PostStatus.FAILED or now - post.claimed_at >= self.stale_claim:
            await self.send(post.server, post.local_date)
            return
        # A fresh claim may still be sending elsewhere (a scheduler just replaced), or its process died
        # mid-send: look again once it is stale, or nobody ever sends that day.
        stale_at = post.claimed_at + self.stale_claim
        if local_date(stale_at, config.timezone) == post.local_date:
            self.planner.plan_retry(post.server, post.local_date, stale_at)
