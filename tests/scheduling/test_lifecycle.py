"""The daily lifecycle over real SQLite: claim, post, reveal, retries, pause, catch-up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.engine.errors import DeliveryFailed, RoundClosed
from bot.engine.model import PostStatus, ServerKey
from bot.engine.service import QuizService
from bot.scheduling.lifecycle import DailyLifecycle, Event
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import Database
from tests.fakes import FakeClock, FlakyNotifier, RecordingPlanner, right

SERVER = ServerKey("discord", "g1")
TODAY = date(2026, 11, 24)  # a Tuesday; the fake clock starts at 12:00 UTC


@pytest.fixture
async def setup(service: QuizService, db: Database, clock: FakeClock):
    for name, value in (("channel", "C1"), ("time", "12:00"), ("weekdays", "mon-fri"), ("enabled", "on")):
        await service.update_config(SERVER, name, value)
    notifier, planner, events = FlakyNotifier(), RecordingPlanner(), []
    daily = SqlDailyStore(db)
    lifecycle = DailyLifecycle(service, daily, notifier, clock, planner, events.append)
    return lifecycle, notifier, planner, events, daily


def kinds(events: list[Event]) -> list[str]:
    return [e.event for e in events]


async def test_fire_posts_once_per_local_date(setup, service: QuizService, clock: FakeClock) -> None:
    lifecycle, notifier, planner, events, daily = setup
    await lifecycle.fire(SERVER)
    clock.advance(hours=1)
    await lifecycle.fire(SERVER)  # e.g. the DST fall-back double fire
    assert kinds(events) == ["post", "skip"]
    assert len(notifier.posts) == 1
    post = await daily.get(SERVER, TODAY)
    assert post.status is PostStatus.POSTED and post.round_id == notifier.posts[0][1]
    assert planner.reveals == [(SERVER, TODAY, post.reveal_at)]
    assert post.reveal_at == clock.current - timedelta(hours=1) + timedelta(hours=24)  # Wed 12:00
    round_ = (await service.round_by_id(post.round_id)).round
    assert (round_.message_ref, round_.channel_id, round_.closes_at) == (
        f"msg-{post.round_id}", "C1", post.reveal_at)


async def test_reveal_closes_the_round_and_posts_a_recap_with_streaks(setup, service, clock) -> None:
    lifecycle, notifier, _planner, events, daily = setup
    await lifecycle.fire(SERVER)
    post = await daily.get(SERVER, TODAY)
    question = (await service.round_by_id(post.round_id)).question
    await service.submit_answer(post.round_id, SERVER.player("ann"), right(question))
    await lifecycle.reveal(SERVER, TODAY)
    (_, round_id, recap), = notifier.reveals
    assert round_id == post.round_id
    assert recap.reveal.correct_users == ("ann",) and recap.top == (("ann", 1),)
    assert (await daily.get(SERVER, TODAY)).status is PostStatus.REVEALED
    with pytest.raises(RoundClosed):
        await service.submit_answer(post.round_id, SERVER.player("bob"), right(question))
    await lifecycle.reveal(SERVER, TODAY)  # idempotent
    assert kinds(events) == ["post", "reveal"]


async def test_answers_after_the_reveal_time_are_refused_even_before_the_reveal_job(setup, service, clock) -> None:
    lifecycle, _notifier, _planner, _events, daily = setup
    await lifecycle.fire(SERVER)
    post = await daily.get(SERVER, TODAY)
    question = (await service.round_by_id(post.round_id)).question
    clock.current = post.reveal_at
    with pytest.raises(RoundClosed):
        await service.submit_answer(post.round_id, SERVER.player("late"), right(question))


async def test_next_post_reveals_the_previous_day_first(setup, clock) -> None:
    lifecycle, _notifier, _planner, events, _daily = setup
    await lifecycle.fire(SERVER)
    clock.advance(days=1)
    await lifecycle.fire(SERVER)
    assert kinds(events) == ["post", "reveal", "post"]
    assert [e.local_date for e in events] == [TODAY, TODAY, TODAY + timedelta(days=1)]


async def test_no_post_on_unscheduled_days_or_when_disabled(setup, service, clock) -> None:
    lifecycle, notifier, _planner, events, _daily = setup
    clock.set("2026-11-28T12:00:00+00:00")  # Saturday
    await lifecycle.fire(SERVER)
    await service.update_config(SERVER, "enabled", "off")
    clock.set("2026-11-30T12:00:00+00:00")
    await lifecycle.fire(SERVER)
    assert notifier.posts == [] and events == []


async def test_transient_failure_keeps_the_claim_and_retries_the_same_question(setup, clock) -> None:
    lifecycle, notifier, planner, events, daily = setup
    notifier.failures = [False]
    await lifecycle.fire(SERVER)
    post = await daily.get(SERVER, TODAY)
    assert post.status is PostStatus.FAILED and post.last_error == "503 upstream"
    (_, day, retry_at), = planner.retries
    assert day == TODAY and retry_at == clock.current + timedelta(minutes=1)
    await lifecycle.fire(SERVER)  # a fire meanwhile does not double post
    clock.current = retry_at
    await lifecycle.send(SERVER, TODAY)
    assert kinds(events) == ["fail", "skip", "post"]
    assert notifier.posts[0][1] == post.round_id  # the round drawn before the failure


async def test_repeated_permission_errors_pause_the_schedule_and_tell_admins(setup, service, clock) -> None:
    lifecycle, notifier, planner, events, daily = setup
    notifier.failures = [True, True, True]
    await lifecycle.fire(SERVER)
    for _ in range(2):
        clock.current = planner.retries[-1][2]
        await lifecycle.send(SERVER, TODAY)
    assert kinds(events) == ["fail", "fail", "fail", "disable"]
    assert [r[2] - (await daily.get(SERVER, TODAY)).claimed_at for r in planner.retries] == [
        timedelta(minutes=1), timedelta(minutes=6)]
    assert not (await service.config(SERVER)).enabled
    (server_id, text), = notifier.admin_messages
    assert server_id == "g1" and "paused" in text and "403 Missing Access" in text


async def test_catch_up_posts_a_missed_post_within_the_window(setup, service, clock) -> None:
    lifecycle, _notifier, _planner, events, _daily = setup
    clock.advance(minutes=40)  # the bot was down at 12:00
    await lifecycle.catch_up([await service.config(SERVER)], timedelta(hours=2))
    assert kinds(events) == ["post"]
    clock.advance(hours=3)
    await lifecycle.catch_up([await service.config(SERVER)], timedelta(hours=2))
    assert kinds(events) == ["post"]


async def test_catch_up_skips_a_post_missed_by_more_than_the_window(setup, service, clock) -> None:
    lifecycle, notifier, _planner, events, _daily = setup
    clock.advance(hours=3)
    await lifecycle.catch_up([await service.config(SERVER)], timedelta(hours=2))
    assert events == [] and notifier.posts == []


async def test_catch_up_reveals_overdue_and_replans_future_reveals(setup, service, clock) -> None:
    lifecycle, _notifier, planner, events, daily = setup
    await lifecycle.fire(SERVER)
    planner.reveals.clear()
    clock.advance(hours=2)
    await lifecycle.catch_up([], timedelta(hours=2))
    assert planner.reveals == [(SERVER, TODAY, (await daily.get(SERVER, TODAY)).reveal_at)]
    clock.advance(days=1)
    await lifecycle.catch_up([], timedelta(hours=2))
    assert kinds(events) == ["post", "reveal"]


async def test_catch_up_resends_a_stale_claim_once(setup, service, clock, db) -> None:
    lifecycle, notifier, _planner, events, daily = setup
    assert await daily.claim(SERVER, TODAY, clock.current)  # crashed right after claiming
    clock.advance(minutes=5)
    await lifecycle.catch_up([await service.config(SERVER)], timedelta(hours=2))
    assert notifier.posts == []  # too fresh: another process may still be sending
    clock.advance(minutes=6)
    await lifecycle.catch_up([await service.config(SERVER)], timedelta(hours=2))
    await lifecycle.catch_up([await service.config(SERVER)], timedelta(hours=2))
    assert len(notifier.posts) == 1 and kinds(events) == ["post"]


class LandsThenFails(FlakyNotifier):
    """The first send reaches the channel, but the answer is lost (a timeout, a reset): it looks failed."""

    async def post_daily(self, config, round_, question) -> str:
        if not self.posts:
            self.posts.append((config.server.server_id, round_.id, question.id))
            raise DeliveryFailed("Slack unreachable for the daily post: TimeoutError")
        return await super().post_daily(config, round_, question)


async def test_a_retry_adopts_a_post_that_landed_behind_a_failure(service, db, clock) -> None:
    for name, value in (("channel", "C1"), ("time", "12:00"), ("enabled", "on")):
        await service.update_config(SERVER, name, value)
    notifier, planner, events, daily = LandsThenFails(), RecordingPlanner(), [], SqlDailyStore(db)
    lifecycle = DailyLifecycle(service, daily, notifier, clock, planner, events.append)
    claimed_at = clock.current
    await lifecycle.fire(SERVER)
    assert notifier.lookups == []  # a first send has nothing to look for
    clock.current = planner.retries[-1][2]
    await lifecycle.send(SERVER, TODAY)
    post = await daily.get(SERVER, TODAY)
    assert kinds(events) == ["fail", "post"] and len(notifier.posts) == 1
    assert notifier.lookups == [("g1", post.round_id, claimed_at)]
    assert post.status is PostStatus.POSTED and planner.reveals == [(SERVER, TODAY, post.reveal_at)]
    round_ = (await service.round_by_id(post.round_id)).round
    assert round_.message_ref == f"msg-{post.round_id}"


async def test_a_retry_with_nothing_found_posts_again(setup, clock) -> None:
    lifecycle, notifier, planner, events, _daily = setup
    notifier.failures = [False]  # refused: nothing landed
    await lifecycle.fire(SERVER)
    clock.current = planner.retries[-1][2]
    await lifecycle.send(SERVER, TODAY)
    assert len(notifier.lookups) == 1 and len(notifier.posts) == 1 and kinds(events) == ["fail", "post"]


async def test_catch_up_of_a_stale_claim_with_a_round_looks_before_resending(setup, service, clock) -> None:
    lifecycle, notifier, _planner, events, daily = setup
    assert await daily.claim(SERVER, TODAY, clock.current)
    opened = await service.open_daily(SERVER, day=TODAY)
    await daily.attach_round(SERVER, TODAY, opened.round.id)
    notifier.posts.append(("g1", opened.round.id, opened.question.id))  # sent, then the process died
    clock.advance(minutes=11)
    await lifecycle.catch_up([await service.config(SERVER)], timedelta(hours=2))
    assert len(notifier.posts) == 1 and len(notifier.lookups) == 1 and kinds(events) == ["post"]
    assert (await daily.get(SERVER, TODAY)).status is PostStatus.POSTED
