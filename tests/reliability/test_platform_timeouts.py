"""Platform timeouts on the daily post: retried by the lifecycle, never doubled, nothing lost.

The fakes hold their answer (an event nobody sets, bounded by ``HOLD_LIMIT``)
until the real client gives up after its small test timeout, so these tests
wait half a second of real time per timed-out send and do not sleep
themselves. "timeout" never reaches the channel; "accepted-timeout" does, and
the sender cannot know: the retry must adopt that post. On Slack the retry
finds it by its metadata (conversations.history), on Discord by reading the
channel after the claim for the bot's post with the round's buttons, also once
Discord has forgotten the post's nonce (after a few minutes).
"""

from __future__ import annotations

import pytest
from discord.utils import snowflake_time

from bot.engine.service import QuizService
from bot.storage.database import Database
from tests.adapters.discord_adapter.conftest import SERVER as DISCORD
from tests.adapters.discord_adapter.conftest import Harness as DiscordHarness
from tests.adapters.slack_adapter.conftest import Harness as SlackHarness
from tests.fakes import FakeClock
from tests.reliability.faults import Fault
from tests.reliability.test_platform_faults import (
    DISCORD_LOOKUPS,
    DISCORD_POSTS,
    SLACK,
    ForgottenNonces,
    assert_posted_once,
    delays,
    post_through_faults,
)

TIMEOUT = 0.5  # seconds; a local answer takes milliseconds, even with the CPUs busy

CASES = {
    # faults of the daily post -> minutes between the lifecycle's attempts
    "timeout": (["timeout"], [1]),
    "accepted-timeout": (["accepted-timeout"], [1]),
    "timeout-twice": (["timeout", "timeout"], [1, 5]),
    # The first retry finds the landed post and sends nothing, so the queued timeout never comes.
    "accepted-then-timeout": (["accepted-timeout", "timeout"], [1]),
}


@pytest.mark.parametrize("slack_timeout", [TIMEOUT])
@pytest.mark.parametrize("case", sorted(CASES))
async def test_slack_timed_out_post_is_retried_once(
    case: str, slack: SlackHarness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    faults, backoff = CASES[case]
    slack.fake.faults["chat.postMessage"] = list(faults)
    events, daily = await post_through_faults(service, db, clock, slack.runtime.notifier, SLACK, "C1")

    timed_out = len(backoff)
    assert len(slack.fake.gave_up) == timed_out, "the client must have given up on each held answer"
    landed = slack.fake.history["C1"]
    assert len(landed) == 1, f"{len(landed)} daily posts reached the channel"
    assert [e.event for e in events] == ["fail"] * timed_out + ["post"] and delays(events) == backoff
    assert all("TimeoutError" in (e.detail or "") for e in events if e.event == "fail")
    assert len(slack.fake.of("conversations.history")) == timed_out  # one lookup before each resend
    await assert_posted_once(daily, service, SLACK)
    opened = await service.today(SLACK)
    assert opened is not None and opened.round.message_ref == landed[0]["ts"]


@pytest.mark.parametrize("case", sorted(CASES))
async def test_discord_timed_out_post_is_retried_once(
    case: str, faulty_discord: DiscordHarness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    faults, backoff = CASES[case]
    fake = faulty_discord.fake
    fake.faults[DISCORD_POSTS] = list(faults)
    faulty_discord.runtime.notifier.send_timeout = TIMEOUT
    events, daily = await post_through_faults(
        service, db, clock, faulty_discord.runtime.notifier, DISCORD, "3000")

    assert len(fake.gave_up) == len(backoff), "the notifier must have given up on each held answer"
    assert len(fake.messages) == 1, f"{len(fake.messages)} daily posts reached the channel"
    assert delays(events) == backoff
    assert all("TimeoutError" in (e.detail or "") for e in events if e.event == "fail")
    assert len(fake.bodies("GET", DISCORD_LOOKUPS)) == len(backoff)  # one lookup before each resend
    await assert_posted_once(daily, service, DISCORD)
    opened = await service.today(DISCORD)
    assert opened is not None and opened.round.message_ref == next(iter(fake.messages))


@pytest.mark.parametrize("lost", ["accepted-reset", "accepted-timeout"])
async def test_discord_post_that_landed_unseen_is_adopted_after_the_nonce_window(
    lost: Fault, faulty_discord: DiscordHarness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    fake = faulty_discord.fake
    fake.faults[DISCORD_POSTS] = [lost]
    fake.nonces = ForgottenNonces()  # a resend would post a second message
    faulty_discord.runtime.notifier.send_timeout = TIMEOUT
    claimed = clock.now()
    events, daily = await post_through_faults(
        service, db, clock, faulty_discord.runtime.notifier, DISCORD, "3000")

    [landed] = fake.messages.values()
    assert [c.method for c in fake.calls if c.path == DISCORD_LOOKUPS] == ["POST", "GET"]  # found, not resent
    assert [e.event for e in events] == ["fail", "post"] and delays(events) == [1]
    [lookup] = fake.bodies("GET", DISCORD_LOOKUPS)
    assert int(lookup["after"]) < int(landed["id"]) and snowflake_time(int(lookup["after"])) <= claimed
    await assert_posted_once(daily, service, DISCORD)
    opened = await service.today(DISCORD)
    assert opened is not None and opened.round.message_ref == landed["id"]


async def test_discord_lookup_that_times_out_is_retried_too(
    faulty_discord: DiscordHarness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    fake = faulty_discord.fake
    fake.faults[DISCORD_POSTS] = ["accepted-timeout"]
    fake.faults[f"GET {DISCORD_LOOKUPS}"] = ["timeout"]
    fake.nonces = ForgottenNonces()
    faulty_discord.runtime.notifier.send_timeout = TIMEOUT
    events, daily = await post_through_faults(
        service, db, clock, faulty_discord.runtime.notifier, DISCORD, "3000")

    held = f"/api/v10{DISCORD_LOOKUPS}"
    assert sorted(fake.gave_up) == [f"{held}!accepted-timeout", f"{held}!timeout"] and len(fake.messages) == 1
    assert [e.event for e in events] == ["fail", "fail", "post"] and delays(events) == [1, 5]
    assert all("TimeoutError" in (e.detail or "") for e in events if e.event == "fail")
    assert len(fake.bodies("POST", DISCORD_LOOKUPS)) == 1  # the second lookup found the post
    await assert_posted_once(daily, service, DISCORD)
    opened = await service.today(DISCORD)
    assert opened is not None and opened.round.message_ref == next(iter(fake.messages))
