"""Platform faults on the daily post: retried with backoff, nothing lost, nothing doubled.

The real notifiers talk to the local fakes; the daily lifecycle claims the
day, posts, and on ``DeliveryFailed`` plans a retry (1, 5, 15 … minutes),
which ``VirtualRunner`` runs in simulated time. Before a retry it asks the
notifier for a post that landed unseen (Slack: conversations.history by the
post's metadata; Discord: the channel's messages after the claim, by the
round's buttons). Each test ends with the fake's channel holding exactly one
daily post and the claim row ``posted``, except where the platform refuses the
lookup: that fallback re-posts, as the bot did before the lookup existed (on
Discord the post's nonce still makes a resend within a few minutes single).
"""

from __future__ import annotations

import itertools
import logging
from datetime import date, timedelta

import pytest

from bot.engine.model import PostStatus, ServerKey
from bot.engine.ports import Notifier
from bot.engine.service import QuizService
from bot.scheduling.daily import DailyScheduler
from bot.scheduling.jobs import VirtualRunner
from bot.scheduling.lifecycle import DailyLifecycle, Event
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import Database
from tests.adapters.discord_adapter.conftest import SERVER as DISCORD
from tests.adapters.discord_adapter.conftest import Harness as DiscordHarness
from tests.adapters.slack_adapter.conftest import Harness as SlackHarness
from tests.adapters.slack_adapter.fake_slack import TEAM
from tests.fakes import FakeClock

SLACK = ServerKey("slack", TEAM)
TODAY = date(2026, 11, 24)  # the FakeClock's Tuesday, 12:00 UTC
DISCORD_LOOKUPS = "/channels/3000/messages"
DISCORD_POSTS = f"POST {DISCORD_LOOKUPS}"


class ForgottenNonces(dict[str, str]):
    """The fake's nonce memory as a retry minutes later meets Discord's: empty, as Discord keeps nonces briefly."""

    def __setitem__(self, key: str, value: str) -> None:
        """Remember nothing: the lifecycle's retries (1, 5, 15 … minutes) are taken to be past the window."""


async def post_through_faults(
    service: QuizService, db: Database, clock: FakeClock, notifier: Notifier, server: ServerKey, channel: str
) -> tuple[list[Event], SqlDailyStore]:
    """Fire the daily post, then let every planned retry run (two simulated hours)."""
    for name, value in (("channel", channel), ("time", "12:00"), ("weekdays", "mon-fri"), ("enabled", "on")):
        await service.update_config(server, name, value)
    runner = VirtualRunner(clock)  # type: ignore[arg-type] - FakeClock has the same current/now()
    scheduler, events, daily = DailyScheduler(runner), [], SqlDailyStore(db)
    scheduler.bind(DailyLifecycle(service, daily, notifier, clock, scheduler, events.append))
    await scheduler.lifecycle.fire(server)
    await runner.run_until(clock.current + timedelta(hours=2))
    return events, daily


async def assert_posted_once(daily: SqlDailyStore, service: QuizService, server: ServerKey) -> None:
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


async def test_slack_reset_after_the_post_landed_does_not_double_it(
    slack: SlackHarness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    slack.fake.faults["chat.postMessage"] = ["accepted-reset"]
    events, daily = await post_through_faults(service, db, clock, slack.runtime.notifier, SLACK, "C1")
    landed = slack.fake.history["C1"]
    assert len(landed) == 1, f"{len(landed)} daily posts reached the channel"
    assert len(slack.fake.of("chat.postMessage")) == 1 and delays(events) == [1]
    [lookup] = slack.fake.of("conversations.history")
    assert lookup.body["oldest"] == f"{clock.current.replace(hour=12, minute=0).timestamp():.6f}"
    await assert_posted_once(daily, service, SLACK)
    opened = await service.today(SLACK)
    assert opened is not None and opened.round.message_ref == landed[0]["ts"]  # the landed post was adopted
    assert landed[0]["metadata"] == {"event_type": "quizbot_daily", "event_payload": {"round_id": opened.round.id}}


@pytest.mark.parametrize("refusal", ["missing_scope", "not_in_channel"])
async def test_slack_refused_lookup_falls_back_to_posting_again_and_warns_once(
    refusal: str, slack: SlackHarness, service: QuizService, db: Database, clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    if refusal == "missing_scope":  # installed before the history scopes were asked for
        slack.fake.scopes -= {"channels:history", "groups:history"}
    else:  # posting through chat:write.public without being in the channel
        slack.fake.fail["conversations.history"] = refusal
    # The first post lands unseen; the first retry's post is dropped; the second retry's lands.
    slack.fake.faults["chat.postMessage"] = ["accepted-reset", "reset"]
    with caplog.at_level(logging.WARNING, logger="bot.adapters.slack_adapter.notifier"):
        events, daily = await post_through_faults(service, db, clock, slack.runtime.notifier, SLACK, "C1")
    assert len(slack.fake.of("conversations.history")) == 2 and delays(events) == [1, 5]
    assert len(slack.fake.history["C1"]) == 2, "without the lookup, a post that landed unseen is doubled"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and refusal in warnings[0] and "channels:history" in warnings[0]
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


@pytest.mark.parametrize("code", [50001, 50013])
@pytest.mark.parametrize(("nonce_kept", "landed"), [(True, 1), (False, 2)])
async def test_discord_refused_lookup_falls_back_to_posting_again_and_warns_once(
    code: int, nonce_kept: bool, landed: int, faulty_discord: DiscordHarness, service: QuizService, db: Database,
    clock: FakeClock, caplog: pytest.LogCaptureFixture,
) -> None:
    fake = faulty_discord.fake
    fake.unreadable["3000"] = code  # e.g. Read Message History denied on the channel, which the cache missed
    if not nonce_kept:
        fake.nonces = ForgottenNonces()
    # The first post lands unseen; the first retry's post is dropped; the second retry's goes through.
    fake.faults[DISCORD_POSTS] = ["accepted-reset", "reset"]
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord_adapter.notifier"):
        events, daily = await post_through_faults(
            service, db, clock, faulty_discord.runtime.notifier, DISCORD, "3000")
    assert len(fake.bodies("GET", DISCORD_LOOKUPS)) == 2 and delays(events) == [1, 5]
    # Within Discord's nonce window the resend gets the landed post back; after it, the post is doubled.
    assert len(fake.messages) == landed, f"{len(fake.messages)} daily posts reached the channel"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Read Message History" in warnings[0]
    await assert_posted_once(daily, service, DISCORD)
