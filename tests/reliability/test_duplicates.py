"""Duplicate clicks and platform redeliveries store one answer: the UNIQUE constraint, never check-then-insert."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter

from bot.engine.errors import AlreadyAnswered
from bot.engine.model import ServerKey
from bot.engine.outcomes import AnswerResult
from bot.engine.service import QuizService
from bot.storage.database import Database
from tests.adapters.discord_adapter.conftest import SERVER as DISCORD
from tests.adapters.discord_adapter.conftest import Harness as DiscordHarness
from tests.adapters.discord_adapter.fake_discord import until
from tests.adapters.discord_adapter.test_daily_flow import click, post_today
from tests.adapters.slack_adapter.conftest import Harness as SlackHarness
from tests.adapters.slack_adapter.fake_slack import TEAM, action_form

CLICKS = 1000


def stored_answers(db: Database, round_id: int) -> list[tuple]:
    with sqlite3.connect(db.path) as conn:
        return conn.execute("SELECT user_id, choices FROM attempts WHERE round_id = ?", (round_id,)).fetchall()


def board(db: Database, user_id: str) -> list[tuple]:
    with sqlite3.connect(db.path) as conn:
        return conn.execute("SELECT period, answered FROM board_totals WHERE user_id = ? ORDER BY period",
                            (user_id,)).fetchall()


async def test_a_thousand_concurrent_clicks_from_one_user_store_one_answer(service: QuizService, db: Database) -> None:
    server = ServerKey("discord", "g1")
    await service.update_config(server, "topics", "s3-encryption")  # single-answer items only
    opened = await service.open_daily(server)
    player = server.player("clicker")
    # Every button of the question, mashed: the clicks carry different letters.
    clicks = [frozenset({i % len(opened.question.choices)}) for i in range(CLICKS)]
    results = await asyncio.gather(*(service.submit_answer(opened.round.id, player, c) for c in clicks),
                                   return_exceptions=True)
    outcome = Counter(type(r).__name__ for r in results)
    assert outcome == {AnswerResult.__name__: 1, AlreadyAnswered.__name__: CLICKS - 1}, outcome
    [winner] = [r for r in results if isinstance(r, AnswerResult)]
    [(user, choices)] = stored_answers(db, opened.round.id)
    assert user == "clicker" and choices == ",".join(str(i) for i in sorted(winner.chosen))
    assert {answered for _period, answered in board(db, "clicker")} == {1}
    assert await service.answer_count(opened.round.id) == 1


async def test_slack_redeliveries_and_double_clicks_of_one_answer_store_one(
    slack: SlackHarness, service: QuizService, db: Database
) -> None:
    server = ServerKey("slack", TEAM)
    await service.update_config(server, "channel", "C1")
    opened = await service.open_daily(server)
    await service.record_post(opened.round.id, "C1", "1700000000.000001", closes_at=None)
    action = f"quiz:answer:{opened.round.id}:{min(opened.question.answer)}"
    first = action_form(action, user="U7", rid="first", base=slack.fake.base, ts="1700000000.000001")
    # Slack redelivers the same body with X-Slack-Retry-Num when the ack looks late; the user also
    # double-clicks (new deliveries with their own response_url). All race the first delivery.
    retries = [slack.post(first, **{"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "http_timeout"})
               for n in (1, 2, 3)]
    doubles = [slack.post(action_form(action, user="U7", rid=f"dbl{n}", base=slack.fake.base,
                                      ts="1700000000.000001")) for n in range(30)]
    responses = await asyncio.gather(slack.post(first), *retries, *doubles)
    assert {r.status for r in responses} == {200}

    assert stored_answers(db, opened.round.id) == [("U7", str(min(opened.question.answer)))]
    replies = [c for c in slack.fake.calls if c.method.startswith("response:")]
    verdicts = [c for c in replies if "already answered" not in c.body["text"]]
    assert len(verdicts) == 1 and len(replies) == 1 + 30  # retries are dropped before any listener runs
    assert await service.answer_count(opened.round.id) == 1


async def test_discord_duplicate_clicks_store_one_answer(
    harness: DiscordHarness, service: QuizService, db: Database, configured: None
) -> None:
    opened, message = await post_today(harness, service)
    custom_id = f"quiz:answer:{opened.round.id}:{opened.question.key_letters()}"
    tokens = [harness.inject(click(message, custom_id, 77)) for _ in range(50)]
    await until(lambda: all(harness.fake.last_reply(t).get("type") == "edit" for t in tokens), "50 replies")
    shown = Counter("already answered" in harness.fake.last_reply(t)["content"] for t in tokens)
    assert shown == {True: 49, False: 1}
    assert stored_answers(db, opened.round.id) == [("77", str(min(opened.question.answer)))]
    assert {answered for _period, answered in board(db, "77")} == {1}
    assert (await service.stats(DISCORD.player("77"))).answered == 1
