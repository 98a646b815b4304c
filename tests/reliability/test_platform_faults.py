"""Platform faults on the daily post: retried with backoff, nothing lost, nothing doubled.

The real notifiers talk to the local fakes; the daily lifecycle claims the
day, posts, and on ``DeliveryFailed`` plans a retry (1, 5, 15 … minutes),
which ``VirtualRunner`` runs in simulated time. Each test ends with the
fake's channel holding exactly one daily post and the claim row ``posted``.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from bot.engine.model import PostStatus, ServerKey
from bot.engine.ports import Notifier
from bot.engine.service import QuizService
from bot.scheduling.daily import DailyScheduler
from bot.scheduling.jobs import VirtualRunner
from bot.scheduling.lifecycle import DailyLifecycle, Event
from bot.storage.daily_store import SqliteDailyStore
from bot.storage.database import Database
from tests.adapters.discord_adapter.conftest import SERVER as DISCORD
from tests.adapters.discord_adapter.conftest import Harness as DiscordHarness
from tests.adapters.slack_adapter.conftest import Harness as SlackHarness
from tests.adapters.slack_adapter.fake_slack import TEAM
from tests.fakes import FakeClock

SLACK = ServerKey("slack", TEAM)
TODAY = date(2026, 11, 24)  # the FakeClock's Tuesday, 12:00 UTC
DISCORD_POSTS = "POST /channels/3000/messages"


async def post_through_faults(
    service: QuizService, db: Database, clock: FakeClock, notifier: Notifier, server: ServerKey, channel: str
) -> tuple[list[Event], SqliteDailyStore]:
    """Fire the daily post, then let every planned retry run (two simulated hours)."""
    for name, value in (("channel", channel), ("time", "12:00"), ("weekdays", "mon-fri"), ("enabled", "on")):
        await service.update_config(server, name, value)
    runner = VirtualRunner(clock)  # type: ignore[arg-type] - FakeClock has the same current/now()
    scheduler, events, daily = DailyScheduler(runner), [], SqliteDailyStore(db)
    scheduler.bind(DailyLifecycle(service, daily, notifier, clock, scheduler, events.append))
    await scheduler.lifecycle.fire(server)
    await runner.run_until(clock.current + timedelta(hours=2))
    return events, daily


async def assert_posted_once(daily: SqliteDailyStore, service: QuizService, server: ServerKey) -> None:
    post = await daily.get(server, TODAY)
    assert post is not None and post.status is PostStatus.POSTED
    opened = await service.today(server)
    assert opened is not None and opened.round.id == post.round_id and opened.round.message_ref


def delays(events: list[Event]) -> list[int]:
    """Minutes between consecutive attempts: the backoff actually applied."""
    times = [e.at for e in events if e.event in {"fail", "post"}]
    return [int((b - a).total_seconds() // 60) for a, b in itertools.pairwise(times)]


# -- Slack -----------------------------------------------------------------------------------------

SLACK_CASES = {
    # Retry-After honoured inside the client (injected sleep): no lifecycle retry needed.
    "429-twice": (["429", "429"], [], [3.0, 3.0]),
    # More 429s than the client retries: the lifecycle retries a minute later.
    "429-storm": (["429"] * 4, [1], [3.0, 3.0, 3.0]),
    "500": (["500"], [1], []),
    "503-twice": (["503", "503"], [1, 5], []),
    # Posts do not resend on a reset inside the client (it could double a post Slack accepted);
    # the lifecycle retries through the day's claim instead.
    "reset-once": (["reset"], [1], []),
    "reset-twice": (["reset", "reset"], [1, 5], []),
}


@pytest.mark.parametrize("case", sorted(SLACK_CASES))
async def test_slack_daily_post_survives(
    case: str, slack: SlackHarness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    faults, backoff, slept = SLACK_CASES[case]
    rate_limits = sum(1 for f in faults if f == "429")
    slack.fake.rate_limited["chat.postMessage"] = rate_limits
    slack.fake.faults["chat.postMessage"] = [f for f in faults if f != "429"]
    events, daily = await post_through_faults(service, db, clock, slack.runtime.notifier, SLACK, "C1")

    posted = [c for c in slack.fake.of("chat.postMessage") if c.body.get("channel") == "C1"]
    delivered = posted[rate_limits:] if rate_limits else posted
    assert len(delivered) == 1, f"{len(delivered)} daily posts reached the channel"
    assert [e.event for e in events].count("post") == 1
    assert delays(events) == backoff
    assert slack.timing.slept == slept
    await assert_posted_once(daily, service, SLACK)


@pytest.mark.xfail(strict=True, reason=(
    "known limit: a connection reset after Slack accepted chat.postMessage looks like a failed send; the"
    " lifecycle's retry (through the day's claim) then posts again. chat.postMessage has no idempotency key;"
    " a fix would look for the bot's message in the channel (conversations.history, a new scope) before"
    " re-sending. The client itself no longer resends on a reset."))
async def test_slack_reset_after_the_post_landed_does_not_double_it(
    slack: SlackHarness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    slack.fake.faults["chat.postMessage"] = ["accepted-reset"]
    _events, daily = await post_through_faults(service, db, clock, slack.runtime.notifier, SLACK, "C1")
    landed = [c for c in slack.fake.calls if c.method == "chat.postMessage"]
    assert len(landed) == 1, f"{len(landed)} daily posts reached the channel"
    await assert_posted_once(daily, service, SLACK)


# -- Discord ---------------------------------------------------------------------------------------

DISCORD_CASES = {
    # discord.py sleeps the 429's retry_after (0.01 s from the fake) and resends.
    "429": ([429], []),
    # discord.py resends a 500 itself after 1 s (its own backoff, the one real wait in this suite).
    "500": ([500], []),
    # 503 is not in discord.py's resend list: DeliveryFailed, and the lifecycle retries.
    "503-twice": ([503, 503], [1, 5]),
}


@pytest.mark.parametrize("case", sorted(DISCORD_CASES))
async def test_discord_daily_post_survives(
    case: str, faulty_discord: DiscordHarness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    statuses, backoff = DISCORD_CASES[case]
    fake = faulty_discord.fake
    fake.fail_next[DISCORD_POSTS] = [s for s in statuses if s == 429]
    fake.faults[DISCORD_POSTS] = [str(s) for s in statuses if s != 429]
    events, daily = await post_through_faults(
        service, db, clock, faulty_discord.runtime.notifier, DISCORD, "3000")
    assert len(fake.messages) == 1, f"{len(fake.messages)} daily posts reached the channel"
    assert delays(events) == backoff
    await assert_posted_once(daily, service, DISCORD)


async def test_discord_connection_reset_is_retried(
    faulty_discord: DiscordHarness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    faulty_discord.fake.faults[DISCORD_POSTS] = ["reset"]
    try:
        events, daily = await post_through_faults(
            service, db, clock, faulty_discord.runtime.notifier, DISCORD, "3000")
    except Exception as exc:  # the fault escapes as a non-DeliveryFailed exception
        raise AssertionError(f"{type(exc).__name__} escaped the notifier: no retry was planned") from exc
    assert len(faulty_discord.fake.messages) == 1 and delays(events) == [1]
    await assert_posted_once(daily, service, DISCORD)
