"""``DiscordNotifier.find_daily``: the round's own landed post, read back from the channel after the claim.

The real discord.py client reads the fake's GET /channels/{id}/messages, which
answers like Discord (newest first, ``after``/``limit`` validated, 403 on
refusal); message ids are snowflakes of the test's clock.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import discord
import pytest

from bot.adapters.discord_adapter.notifier import CLOCK_SKEW, LOOKUP_PAGE, LOOKUP_PAGES
from bot.engine.errors import DeliveryFailed
from bot.engine.model import Round
from bot.engine.service import QuizService
from tests.adapters.discord_adapter.conftest import SERVER, Harness
from tests.adapters.discord_adapter.fake_discord import CHANNEL_ID, OWNER, REFUSALS, guild_payload
from tests.fakes import FakeClock

HISTORY = f"/channels/{CHANNEL_ID}/messages"


async def post(harness: Harness, service: QuizService, round_id: int | None = None) -> tuple[Round, str]:
    """Post a daily question through the notifier (as ``round_id`` if given); return its round and message id."""
    opened = await service.open_daily(SERVER)
    round_ = opened.round if round_id is None else replace(opened.round, id=round_id)
    ref = await harness.runtime.notifier.post_daily(await service.config(SERVER), round_, opened.question)
    return round_, ref


async def find(harness: Harness, service: QuizService, round_: Round, since: datetime) -> str | None:
    return await harness.runtime.notifier.find_daily(await service.config(SERVER), round_, since)


def chatter(harness: Harness, count: int, **body: Any) -> None:
    """Messages by a member in the daily channel, at the clock's time."""
    for _ in range(count):
        harness.fake.store(harness.fake.next_id(), body or {"content": "hi"}, 0, author=OWNER)


def lookups(harness: Harness) -> list[dict[str, str]]:
    return harness.fake.bodies("GET", HISTORY)


async def test_finds_the_landed_post_reading_only_after_the_claim(
    harness: Harness, service: QuizService, configured: None, clock: FakeClock
) -> None:
    claimed = clock.now()
    clock.advance(seconds=2)
    round_, ref = await post(harness, service)
    chatter(harness, 3)
    clock.advance(minutes=6)  # the retry comes long after Discord forgot the post's nonce
    assert await find(harness, service, round_, claimed) == ref
    [query] = lookups(harness)
    assert query == {"limit": str(LOOKUP_PAGE), "after": str(discord.utils.time_snowflake(claimed - CLOCK_SKEW) - 1)}


@pytest.mark.parametrize(("posted_before_claim", "adopted"), [
    (timedelta(hours=1), False),  # yesterday's-style leftovers are never read
    (CLOCK_SKEW + timedelta(seconds=1), False),
    (CLOCK_SKEW - timedelta(seconds=1), True),  # this host's clock ran a little fast: still found
])
async def test_a_post_older_than_the_claim_is_not_adopted(
    posted_before_claim: timedelta, adopted: bool, harness: Harness, service: QuizService, configured: None,
    clock: FakeClock,
) -> None:
    round_, ref = await post(harness, service)
    assert await find(harness, service, round_, clock.now() + posted_before_claim) == (ref if adopted else None)


async def test_another_rounds_post_is_not_adopted(
    harness: Harness, service: QuizService, configured: None, clock: FakeClock
) -> None:
    since = clock.now()
    mine = (await service.open_daily(SERVER)).round  # its send failed before reaching Discord
    await post(harness, service, round_id=int(f"{mine.id}0"))  # custom ids that start with this round's
    await post(harness, service, round_id=mine.id + 1)
    assert len(harness.fake.messages) == 2
    assert await find(harness, service, mine, since) is None


async def test_only_the_bots_own_scheduled_post_counts(
    harness: Harness, service: QuizService, configured: None, clock: FakeClock
) -> None:
    since = clock.now()
    round_, ref = await post(harness, service)
    components = harness.fake.messages[ref]["components"]
    del harness.fake.messages[ref]
    chatter(harness, 1, components=components)  # a member's copy of the buttons
    harness.fake.store(harness.fake.next_id(), {"components": components}, 0, webhook=True)  # a public reply
    assert await find(harness, service, round_, since) is None
    assert len(lookups(harness)) == 1


async def test_reads_a_few_pages_then_gives_up(
    harness: Harness, service: QuizService, configured: None, clock: FakeClock
) -> None:
    since = clock.now()
    chatter(harness, LOOKUP_PAGE + 3)
    round_, ref = await post(harness, service)
    assert await find(harness, service, round_, since) == ref
    first, second = lookups(harness)
    assert int(first["after"]) < int(second["after"])
    oldest = sorted(int(m["id"]) for m in harness.fake.messages.values())
    assert second["after"] == str(oldest[LOOKUP_PAGE - 1])  # the newest message of the first page

    chatter(harness, LOOKUP_PAGE * LOOKUP_PAGES)
    late, _ = await post(harness, service)
    harness.fake.calls.clear()
    assert await find(harness, service, late, since) is None
    assert len(lookups(harness)) == LOOKUP_PAGES


@pytest.mark.parametrize("code", [50001, 50013])
async def test_a_refused_read_finds_nothing_and_warns_once_per_guild(
    code: int, harness: Harness, service: QuizService, configured: None, clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    harness.fake.unreadable[str(CHANNEL_ID)] = code
    round_, _ref = await post(harness, service)
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord_adapter.notifier"):
        assert await find(harness, service, round_, clock.now()) is None
        assert await find(harness, service, round_, clock.now()) is None
    assert len(lookups(harness)) == 2
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert REFUSALS[code] in warning and "Read Message History" in warning


async def test_missing_read_history_is_known_without_asking_discord(
    harness: Harness, service: QuizService, configured: None, clock: FakeClock, caplog: pytest.LogCaptureFixture,
) -> None:
    opened = await service.open_daily(SERVER)
    no_history = discord.Permissions(view_channel=True, send_messages=True, embed_links=True)
    harness.runtime.client._connection.parse_guild_create(guild_payload(bot_perms=no_history.value))  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="bot.adapters.discord_adapter.notifier"):
        assert await find(harness, service, opened.round, clock.now()) is None
    assert lookups(harness) == [] and "read_message_history" in caplog.text


async def test_the_read_does_not_need_the_posting_permissions(
    harness: Harness, service: QuizService, configured: None, clock: FakeClock
) -> None:
    since = clock.now()
    round_, ref = await post(harness, service)
    read_only = discord.Permissions(view_channel=True, read_message_history=True)  # e.g. embeds revoked since
    harness.runtime.client._connection.parse_guild_create(guild_payload(bot_perms=read_only.value))  # type: ignore[arg-type]
    assert await find(harness, service, round_, since) == ref


async def test_an_unreachable_discord_is_a_failure_to_retry(
    harness: Harness, service: QuizService, configured: None, clock: FakeClock
) -> None:
    round_, _ref = await post(harness, service)
    harness.fake.fail_next[f"GET {HISTORY}"] = [503]  # not one discord.py resends itself
    with pytest.raises(DeliveryFailed) as failed:
        await find(harness, service, round_, clock.now())
    assert not failed.value.permanent


async def test_the_fake_reads_history_like_discord(harness: Harness, service: QuizService, configured: None) -> None:
    chatter(harness, 5)
    ids = sorted(int(m["id"]) for m in harness.fake.messages.values())
    http = harness.runtime.client.http
    assert [int(m["id"]) for m in await http.logs_from(CHANNEL_ID, 2, after=ids[0])] == [ids[2], ids[1]]
    assert [int(m["id"]) for m in await http.logs_from(CHANNEL_ID, 2, before=ids[-1])] == [ids[-2], ids[-3]]
    assert [int(m["id"]) for m in await http.logs_from(CHANNEL_ID, 3)] == ids[:-4:-1]
    for limit in (0, 101):
        with pytest.raises(discord.HTTPException) as refused:
            await http.logs_from(CHANNEL_ID, limit)
        assert refused.value.status == 400 and refused.value.code == 50035
    assert len(harness.fake.rejected) == 2
    harness.fake.rejected.clear()  # deliberate: the harness fails a test whose payloads Discord would reject
