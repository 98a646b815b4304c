"""Daily post -> click -> private verdict -> duplicate click and Slack retry -> reveal, through the real AsyncApp."""

from __future__ import annotations

from datetime import date, datetime

from bot.engine.model import ServerKey
from bot.engine.service import QuizService
from bot.scheduling.lifecycle import DailyLifecycle
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import Database
from tests.adapters.slack_adapter.conftest import Harness
from tests.adapters.slack_adapter.fake_slack import BOT_TOKEN, TEAM, action_form
from tests.fakes import FakeClock

SERVER = ServerKey("slack", TEAM)


class Planner:
    def __init__(self) -> None:
        self.reveals: list[tuple[ServerKey, date, datetime]] = []

    def plan_reveal(self, server: ServerKey, day: date, at: datetime) -> None:
        self.reveals.append((server, day, at))

    def plan_retry(self, server: ServerKey, day: date, at: datetime) -> None:
        raise AssertionError("no retry expected")


def single_choice_topics(service: QuizService) -> None:
    assert "s3-encryption" in service.bank.topics()


async def test_daily_post_click_duplicate_retry_and_reveal(
    slack: Harness, service: QuizService, db: Database, clock: FakeClock
) -> None:
    await service.update_config(SERVER, "topics", "s3-encryption")  # single-choice items only
    await service.update_config(SERVER, "channel", "C1")
    await service.update_config(SERVER, "enabled", "on")
    planner = Planner()
    lifecycle = DailyLifecycle(service, SqlDailyStore(db), slack.runtime.notifier, clock, planner)
    await lifecycle.fire(SERVER)

    [post] = slack.fake.of("chat.postMessage")
    assert post.body["channel"] == "C1" and post.token == BOT_TOKEN
    ts = "1700000000.000001"
    opened = await service.today(SERVER)
    assert opened is not None and opened.round.message_ref == ts
    round_id, key = opened.round.id, min(opened.question.answer)
    buttons = post.body["blocks"][2]["elements"]
    assert [b["text"]["text"] for b in buttons] == list(opened.question.letters)
    assert buttons[key]["action_id"] == f"quiz:answer:{round_id}:{key}"

    click = action_form(f"quiz:answer:{round_id}:{key}", user="U2", rid="c1", base=slack.fake.base, ts=ts)
    assert (await slack.post(click)).status == 200
    [verdict] = slack.fake.of("response:c1")
    assert verdict.body["response_type"] == "ephemeral" and verdict.body["replace_original"] is False
    assert "Correct" in verdict.body["text"]

    again = action_form(f"quiz:answer:{round_id}:{key}", user="U2", rid="c2", base=slack.fake.base, ts=ts)
    assert (await slack.post(again)).status == 200
    assert "already answered" in slack.fake.of("response:c2")[0].body["text"]
    assert (await slack.post(click, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})).status \
        == 200
    assert len(slack.fake.of("response:c1")) == 1
    assert await service.answer_count(round_id) == 1

    await slack.runtime.counter.drain()
    [update] = slack.fake.of("chat.update")
    assert update.body["ts"] == ts and "1 answered" in update.body["blocks"][3]["elements"][0]["text"]

    clock.advance(hours=1)
    await lifecycle.reveal(SERVER, opened.round.local_date)
    reveal, = slack.fake.of("chat.update")[1:]
    assert all(b["type"] != "actions" for b in reveal.body["blocks"])
    assert f"Answer: {opened.question.key_letters()}" in reveal.body["blocks"][2]["text"]["text"]
    recap = slack.fake.of("chat.postMessage")[-1]
    assert recap.body["thread_ts"] == ts and "<@U2>" in recap.body["text"]

    late = action_form(f"quiz:answer:{round_id}:{key}", user="U3", rid="c3", base=slack.fake.base, ts=ts)
    assert (await slack.post(late)).status == 200
    assert "closed" in slack.fake.of("response:c3")[0].body["text"]
