"""Slack HTTP mode with two workers on one PostgreSQL database, as behind a load balancer.

Each worker is a whole Slack runtime with its own connection pool, service and HTTP port (two processes'
worth); they share nothing but the database. An install through worker A must serve the workspace through
worker B, an OAuth state issued by A is consumed once whichever worker sees the redirect, and an answer
clicked at both workers at once is stored once.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime

import aiohttp
import pytest

from bot.adapters.slack_adapter import SlackRuntime, build_slack
from bot.adapters.slack_adapter.oauth_store import SqlInstallationStore, SqlStateStore
from bot.engine.model import ServerKey
from bot.engine.service import QuizService
from bot.scheduling.lifecycle import DailyLifecycle
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.daily_store import SqlDailyStore
from bot.storage.postgres import PostgresDatabase
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from tests.adapters.slack_adapter.conftest import Timing
from tests.adapters.slack_adapter.fake_slack import (
    CLIENT_SECRET,
    SECRET,
    FakeSlack,
    action_form,
    signed_headers,
    slash_form,
)
from tests.conftest import FIXTURE_BANK
from tests.fakes import FakeClock

TEAM = "T9"  # the workspace fake_slack's oauth.v2.access installs
INSTALLED_TOKEN = "xoxb-installed"  # noqa: S105 - the fake's bot token for that workspace
SERVER = ServerKey("slack", TEAM)

pytestmark = pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")  # slack_sdk 3.47


@dataclass
class Worker:
    """One HTTP worker: its own pool, service and Slack runtime on a port of its own."""

    db: PostgresDatabase
    service: QuizService
    runtime: SlackRuntime

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.runtime.port}"


class Planner:
    def plan_reveal(self, server: ServerKey, day: date, at: datetime) -> None:
        """The reveal is not part of this test."""

    def plan_retry(self, server: ServerKey, day: date, at: datetime) -> None:
        raise AssertionError("no retry expected")


def worker(db: PostgresDatabase, fake: FakeSlack, clock: FakeClock, timing: Timing) -> Worker:
    service = QuizService(SqlQuizStore(db), YamlQuestionBank.load(FIXTURE_BANK), clock, random.Random(7),
                          default_timezone="UTC", cards=FsrsCardScheduler())
    runtime = build_slack(service, db, bot_token=None, app_token=None, signing_secret=SECRET, client_id="111.222",
                          client_secret=CLIENT_SECRET, http_port=0, api_base=fake.base + "/api/",
                          http_host="127.0.0.1", process_before_response=True, sleep=timing.sleep,
                          monotonic=timing.monotonic, clock=clock)
    return Worker(db, service, runtime)


@pytest.fixture
async def workers(
    pg_dsn: str, fake: FakeSlack, clock: FakeClock, timing: Timing
) -> AsyncIterator[tuple[Worker, Worker]]:
    async with PostgresDatabase.open(pg_dsn) as db_a, PostgresDatabase.open(pg_dsn) as db_b:
        a, b = worker(db_a, fake, clock, timing), worker(db_b, fake, clock, timing)
        await a.runtime.start()
        await b.runtime.start()
        try:
            yield a, b
        finally:
            await a.runtime.close()
            await b.runtime.close()


@pytest.fixture
async def browser() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(),
                                     timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


def not_installed(fake: FakeSlack, rid: str) -> bool:
    """Bolt's own answer when no installation is found for the workspace (our handlers never ran)."""
    [reply] = fake.of(f"response:{rid}")
    return "installation with this app is no longer available" in reply.body["text"]


async def begin_install(session: aiohttp.ClientSession, at: Worker) -> tuple[str, str]:
    """``/slack/install`` at a worker: the state it issued and the browser cookie that goes with it."""
    async with session.get(at.base + "/slack/install", allow_redirects=False) as resp:
        assert resp.status == 302
        query = urllib.parse.parse_qs(urllib.parse.urlparse(resp.headers["Location"]).query)
        return query["state"][0], resp.headers["Set-Cookie"].split(";")[0]


async def redirect(session: aiohttp.ClientSession, at: Worker, state: str, cookie: str) -> int:
    """Slack sends the browser back to ``/slack/oauth_redirect``, here at worker ``at``; the HTTP status."""
    url = f"{at.base}/slack/oauth_redirect?code=abc&state={state}"
    async with session.get(url, allow_redirects=False, headers={"Cookie": cookie}) as resp:
        await resp.read()
        return resp.status


async def post(session: aiohttp.ClientSession, at: Worker, body: str, **headers: str) -> int:
    async with session.post(at.base + "/slack/events", data=body, headers={**signed_headers(body), **headers}) as resp:
        await resp.read()
        return resp.status


async def test_installed_through_a_served_through_b_answer_stored_once(
    workers: tuple[Worker, Worker], fake: FakeSlack, clock: FakeClock, browser: aiohttp.ClientSession
) -> None:
    a, b = workers
    fake.admins.add("U9")
    assert await post(browser, b, slash_form("stats", team=TEAM, rid="before", base=fake.base)) == 200
    assert not_installed(fake, "before")  # B knows no such workspace yet

    state, cookie = await begin_install(browser, a)
    assert await redirect(browser, a, state, cookie) == 200  # installed through worker A
    assert [tuple(r) for r in await b.db.fetch_all("SELECT team_id, user_id FROM slack_installations")] == [
        (TEAM, "U9")]

    # An admin configures the workspace through worker B: its admin check calls users.info with the bot token
    # B found in the shared installation store.
    form = slash_form("config channel <#C1|quiz>", user="U9", team=TEAM, rid="cfg", base=fake.base)
    assert await post(browser, b, form) == 200
    [reply] = fake.of("response:cfg")
    assert "`channel`: C1" in reply.body["text"]
    assert [c.token for c in fake.of("users.info")] == [INSTALLED_TOKEN]
    assert (await a.service.config(SERVER)).channel_id == "C1"  # A reads what B wrote

    await a.service.update_config(SERVER, "topics", "s3-encryption")  # single-choice items only
    await a.service.update_config(SERVER, "enabled", "on")
    await DailyLifecycle(a.service, SqlDailyStore(a.db), a.runtime.notifier, clock, Planner()).fire(SERVER)
    [daily] = fake.of("chat.postMessage")
    assert daily.token == INSTALLED_TOKEN and daily.body["channel"] == "C1"
    opened = await b.service.today(SERVER)
    assert opened is not None
    click = f"quiz:answer:{opened.round.id}:{min(opened.question.answer)}"
    ts = opened.round.message_ref or ""

    # One person double-clicks, and the two clicks land on different workers at the same time.
    forms = [action_form(click, user="U2", rid=rid, base=fake.base, ts=ts, team=TEAM) for rid in ("ka", "kb")]
    assert await asyncio.gather(post(browser, a, forms[0]), post(browser, b, forms[1])) == [200, 200]
    texts = sorted(fake.of(f"response:{rid}")[0].body["text"] for rid in ("ka", "kb"))
    assert sum("Correct" in t for t in texts) == 1 and sum("already answered" in t for t in texts) == 1
    # Slack retrying the first delivery at the other worker changes nothing.
    assert await post(browser, b, forms[0], **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}) \
        == 200
    assert len(fake.of("response:ka")) == 1
    assert await a.service.answer_count(opened.round.id) == 1
    rows = await a.db.fetch_all("SELECT user_id, correct FROM attempts WHERE round_id = ?", (opened.round.id,))
    assert [tuple(r) for r in rows] == [("U2", 1)]
    assert [tuple(r) for r in await b.db.fetch_all(
        "SELECT user_id, points FROM board_totals WHERE server_id = ? AND period = 'all'", (TEAM,))] == [("U2", 10)]

    await a.runtime.counter.drain()
    await b.runtime.counter.drain()
    updates = fake.of("chat.update")
    assert updates and {u.token for u in updates} == {INSTALLED_TOKEN}
    assert "1 answered" in updates[-1].body["blocks"][3]["elements"][0]["text"]


async def test_an_oauth_state_issued_by_a_is_consumed_once_at_either_worker(
    workers: tuple[Worker, Worker], browser: aiohttp.ClientSession
) -> None:
    a, b = workers
    state, cookie = await begin_install(browser, a)
    assert await redirect(browser, b, state, cookie) == 200  # issued by A, redeemed at B
    assert await redirect(browser, b, state, cookie) != 200
    assert await redirect(browser, a, state, cookie) != 200
    assert (await a.db.fetch_one("SELECT count(*) FROM slack_oauth_states"))[0] == 0

    # Both workers racing for the same state: exactly one wins, every time.
    issuer, other = SqlStateStore(a.db), SqlStateStore(b.db)
    for _ in range(10):
        state = await issuer.async_issue()
        assert sorted(await asyncio.gather(issuer.async_consume(state), other.async_consume(state))) == [False, True]


async def test_an_uninstall_seen_by_b_is_seen_by_a(
    workers: tuple[Worker, Worker], fake: FakeSlack, browser: aiohttp.ClientSession
) -> None:
    a, b = workers
    state, cookie = await begin_install(browser, a)
    assert await redirect(browser, a, state, cookie) == 200
    store_a = SqlInstallationStore(a.db)
    bot = await store_a.async_find_bot(enterprise_id=None, team_id=TEAM)
    assert bot is not None and bot.bot_token == INSTALLED_TOKEN

    body = json.dumps({"type": "event_callback", "team_id": TEAM, "api_app_id": "A1", "event_id": "Ev1",
                       "event_time": int(time.time()), "event": {"type": "app_uninstalled"}})
    assert await post(browser, b, body, **{"Content-Type": "application/json"}) == 200
    assert await store_a.async_find_bot(enterprise_id=None, team_id=TEAM) is None
    assert await post(browser, a, slash_form("stats", team=TEAM, rid="after", base=fake.base)) == 200
    assert not_installed(fake, "after")  # A no longer serves the workspace either
