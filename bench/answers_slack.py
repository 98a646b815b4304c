"""The answer burst as Slack button clicks: real bolt ``AsyncApp`` over HTTP, local fake of the Web API.

Built like tests/adapters/slack_adapter/conftest.py builds it, but with bolt's
production default ``process_before_response=False`` (the 200 goes out right
after ``ack()``) and the count debounce on real time. Each click is a signed
``block_actions`` form posted to the app on 127.0.0.1; its ack is the HTTP 200,
its verdict the ephemeral reply reaching the fake's ``response_url``.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.burst import BurstResult, figures, paced, stored, until_done
from bench.common import BenchCore, Figure, bench_core
from bot.adapters.slack_adapter import SlackRuntime, build_slack
from bot.engine.model import ServerKey
from tests.adapters.slack_adapter.fake_slack import (
    BOT_TOKEN,
    SECRET,
    TEAM,
    FakeSlack,
    action_form,
    serve,
    signed_headers,
)

BENCH = "answers_slack"
SERVER = ServerKey("slack", TEAM)
RATE = 170.0  # platforms.md §5.2: a 10k-member server answering within one minute


class TimedFakeSlack(FakeSlack):
    """The test fake, noting when each click's ephemeral verdict arrives at its response_url."""

    answered: dict[str, float]

    async def response_url(self, request: web.Request) -> web.Response:
        """Note the arrival, then answer as the fake does."""
        self.answered.setdefault(request.match_info["rid"], time.perf_counter())
        return await super().response_url(request)


async def run(clicks: int = 5_000, rate: float = RATE) -> list[Figure]:
    """Post a daily question, click it ``clicks`` times over HTTP, measure, count what was stored."""
    fake = TimedFakeSlack()
    fake.answered = {}
    runner, port = await serve(fake.app())
    fake.base = f"http://127.0.0.1:{port}"
    try:
        with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
            async with bench_core(Path(tmp)) as core:
                runtime = build_slack(core.service, core.db, bot_token=BOT_TOKEN, app_token=None,
                                      signing_secret=SECRET, http_port=0, api_base=fake.base + "/api/",
                                      http_host="127.0.0.1")
                await runtime.start()
                try:
                    result = await burst(core, runtime, fake, clicks, rate)
                finally:
                    await runtime.close()
    finally:
        await runner.cleanup()
    return figures(BENCH, result, clicks, rate, "bolt acks over HTTP, the service stores, the reply goes to the"
                   " response_url.")


async def burst(core: BenchCore, runtime: SlackRuntime, fake: TimedFakeSlack, clicks: int,
                rate: float) -> BurstResult:
    """Post, then send one signed click per user and wait for every verdict."""
    await core.service.update_config(SERVER, "channel", "C1")
    opened = await core.service.open_daily(SERVER)
    config = await core.service.config(SERVER)
    ts = await runtime.notifier.post_daily(config, opened.round, opened.question)
    await core.service.record_post(opened.round.id, config.channel_id, ts, closes_at=None)
    action = f"quiz:answer:{opened.round.id}:{min(opened.question.answer)}"
    bodies = {f"c{n}": action_form(action, user=f"U{n}", rid=f"c{n}", base=fake.base, ts=ts) for n in range(clicks)}
    url = f"http://127.0.0.1:{runtime.port}/slack/events"
    acked: dict[str, float] = {}
    tasks: set[asyncio.Task[None]] = set()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async def post(rid: str) -> None:
            body = bodies[rid]
            async with session.post(url, data=body, headers=signed_headers(body)) as response:
                await response.read()
                if response.status == 200:
                    acked[rid] = time.perf_counter()

        def fire(rid: str) -> None:
            task = asyncio.create_task(post(rid))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        sent = await paced(list(bodies), rate, fire)
        await until_done(lambda: len(fake.answered) >= clicks and not tasks,
                         f"{len(fake.answered)} of {clicks} verdicts")
    count, players = await stored(core.db, SERVER, opened.round.id)
    return BurstResult(sent, acked, dict(fake.answered), count, players)


if __name__ == "__main__":
    from bench.__main__ import run_alone

    run_alone(BENCH)
