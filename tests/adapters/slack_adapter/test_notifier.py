"""Notifier errors, the rate-limit retry, the count debounce, and Block Kit limits over the real bank."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.adapters.slack_adapter import blocks
from bot.adapters.slack_adapter.counter import CountUpdater
from bot.engine.errors import DeliveryFailed
from bot.engine.model import ServerKey
from bot.engine.outcomes import Recap, Reveal
from bot.engine.service import QuizService
from bot.storage.question_bank import YamlQuestionBank
from tests.adapters.slack_adapter.conftest import Harness, Timing
from tests.adapters.slack_adapter.fake_slack import TEAM, check_blocks
from tests.fakes import FakeClock

SERVER = ServerKey("slack", TEAM)
CONTENT = Path(__file__).resolve().parents[3] / "content"


@pytest.mark.parametrize("code, permanent", [("not_in_channel", True), ("missing_scope", True),
                                             ("internal_error", False)])
async def test_post_errors_become_delivery_failed(
    slack: Harness, service: QuizService, code: str, permanent: bool
) -> None:
    config = await service.update_config(SERVER, "channel", "C1")
    opened = await service.open_daily(SERVER)
    slack.fake.fail["chat.postMessage"] = code
    with pytest.raises(DeliveryFailed) as info:
        await slack.runtime.notifier.post_daily(config, opened.round, opened.question)
    assert info.value.permanent is permanent and code in str(info.value)


async def test_rate_limited_post_is_retried_after_retry_after(
    slack: Harness, service: QuizService, timing: Timing
) -> None:
    config = await service.update_config(SERVER, "channel", "C1")
    opened = await service.open_daily(SERVER)
    slack.fake.rate_limited["chat.postMessage"] = 2
    ts = await slack.runtime.notifier.post_daily(config, opened.round, opened.question)
    assert ts and len(slack.fake.of("chat.postMessage")) == 3
    assert timing.slept == [3.0, 3.0]


async def test_find_daily_finds_the_round_s_post_by_its_metadata_on_any_page(
    slack: Harness, service: QuizService, clock: FakeClock
) -> None:
    slack.fake.clock = clock  # ts from the test's clock, so conversations.history's oldest applies
    config = await service.update_config(SERVER, "channel", "C1")
    opened = await service.open_daily(SERVER)
    notifier, since = slack.runtime.notifier, clock.current
    assert await notifier.find_daily(config, opened.round, since) is None  # nothing posted yet
    ts = await notifier.post_daily(config, opened.round, opened.question)
    [post] = slack.fake.of("chat.postMessage")
    assert post.body["metadata"] == {"event_type": "quizbot_daily", "event_payload": {"round_id": opened.round.id}}
    for n in range(20):  # chatter after the post pushes it to the lookup's second page
        slack.fake.history["C1"].append({"type": "message", "ts": f"{since.timestamp() + 60 + n:.6f}", "text": "hi"})
    assert await notifier.find_daily(config, opened.round, since) == ts
    lookups = slack.fake.of("conversations.history")
    assert len(lookups) == 3 and lookups[-1].body["cursor"] == "15" and lookups[-1].body["limit"] == "15"
    other = replace(opened.round, id=opened.round.id + 1)
    assert await notifier.find_daily(config, other, since) is None  # another round's post is not adopted
    assert await notifier.find_daily(config, opened.round, since + timedelta(seconds=1)) is None  # before since


@pytest.mark.parametrize("refusal", ["missing_scope", "not_in_channel"])
async def test_find_daily_refused_returns_none_and_warns_once(
    slack: Harness, service: QuizService, refusal: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = await service.update_config(SERVER, "channel", "G1")  # a private channel: groups:history
    opened = await service.open_daily(SERVER)
    if refusal == "missing_scope":
        slack.fake.scopes.discard("groups:history")
    else:
        slack.fake.fail["conversations.history"] = refusal
    with caplog.at_level(logging.WARNING, logger="bot.adapters.slack_adapter.notifier"):
        for _ in range(2):
            assert await slack.runtime.notifier.find_daily(config, opened.round, opened.round.opened_at) is None
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert refusal in warning and TEAM in warning


async def test_find_daily_unreachable_is_delivery_failed(slack: Harness, service: QuizService) -> None:
    config = await service.update_config(SERVER, "channel", "C1")
    opened = await service.open_daily(SERVER)
    slack.fake.fail["conversations.history"] = "internal_error"
    with pytest.raises(DeliveryFailed) as info:
        await slack.runtime.notifier.find_daily(config, opened.round, opened.round.opened_at)
    assert not info.value.permanent


async def test_tell_admins_dms_configured_admins_or_workspace_admins_or_fails_without_any(
    slack: Harness, service: QuizService
) -> None:
    with pytest.raises(DeliveryFailed):
        await slack.runtime.notifier.tell_admins(SERVER, "posting paused")
    slack.fake.admins.add("UW")  # a workspace admin found through users.list
    await slack.runtime.notifier.tell_admins(SERVER, "posting paused")
    assert [c.body["channel"] for c in slack.fake.of("chat.postMessage")] == ["UW"]
    slack.fake.admins.clear()
    slack.fake.calls.clear()
    await service.update_config(SERVER, "admins", "UA,UB")
    await slack.runtime.notifier.tell_admins(SERVER, "posting paused")
    assert [c.body["channel"] for c in slack.fake.of("chat.postMessage")] == ["UA", "UB"]


async def test_count_updates_are_debounced_to_one_per_interval() -> None:
    clock = Timing()
    gate = asyncio.Event()
    refreshed: list[tuple[int, float]] = []
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await gate.wait()
        clock.now += seconds

    async def refresh(round_id: int) -> None:
        refreshed.append((round_id, clock.now))

    counter = CountUpdater(refresh, interval=1.0, now=clock.monotonic, sleep=sleep)
    counter.bump(1)
    await counter.drain()
    assert refreshed == [(1, 1000.0)]
    clock.now += 0.25
    for _ in range(20):   # a burst of clicks within the second
        counter.bump(1)
    counter.bump(2)       # another message is independent
    await asyncio.sleep(0)
    assert waits == [0.75] and refreshed == [(1, 1000.0), (2, 1000.25)]
    gate.set()
    await counter.drain()
    assert refreshed[-1] == (1, 1001.0) and len(refreshed) == 3
    await counter.close()


def test_every_bank_question_renders_within_block_kit_limits() -> None:
    bank = YamlQuestionBank.load(CONTENT)
    from datetime import UTC, datetime

    from bot.engine.model import Round, RoundKind
    for question in bank.all():
        round_ = Round(id=123456, kind=RoundKind.DAILY, server=SERVER, question_id=question.id,
                       opened_at=datetime(2026, 1, 1, tzinfo=UTC), closes_at=None)
        check_blocks(list(blocks.question_message(question, round_, count=999).blocks), 50)
        reveal = Reveal(round_, question, tuple(range(len(question.choices))), 10, 3, ("U1", "U2", "U3"))
        check_blocks(list(blocks.reveal_message(reveal).blocks), 50)
        check_blocks(list(blocks.recap_message(Recap(reveal, (("U1", 4),))).blocks), 50)
