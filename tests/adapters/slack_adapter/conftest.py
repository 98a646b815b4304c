from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from bot.adapters.slack_adapter import SlackRuntime, build_slack
from bot.engine.service import QuizService
from bot.storage.database import Database
from tests.adapters.slack_adapter.fake_slack import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    action_form,
    serve,
    signed_headers,
    slash_form,
)
from tests.fakes import FakeClock


@dataclass
class Timing:
    """Injected time for the rate-limit retry and the count debounce: sleeping only advances ``now``."""

    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@dataclass
class Harness:
    fake: FakeSlack
    runtime: SlackRuntime
    session: aiohttp.ClientSession
    timing: Timing

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.runtime.port}/slack/events"

    async def post(self, body: str, **headers: str) -> aiohttp.ClientResponse:
        async with self.session.post(self.url, data=body, headers={**signed_headers(body), **headers}) as resp:
            await resp.read()
            return resp

    async def command(self, text: str, *, user: str = "U1", rid: str = "r1") -> dict[str, Any]:
        """``/quiz <text>``; returns the one private reply posted to its response_url."""
        resp = await self.post(slash_form(text, user=user, rid=rid, base=self.fake.base))
        assert resp.status == 200
        [reply] = self.fake.of(f"response:{rid}")
        assert reply.body["response_type"] == "ephemeral"
        return reply.body

    async def click(self, action_id: str, *, rid: str, user: str = "U1",
                    state: dict[str, Any] | None = None) -> dict[str, Any]:
        """A click in a private message; returns the one reply posted to the click's response_url."""
        form = action_form(action_id, user=user, rid=rid, base=self.fake.base, ephemeral=True, state=state)
        assert (await self.post(form)).status == 200
        [reply] = self.fake.of(f"response:{rid}")
        return reply.body


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    runner, port = await serve(fake.app())
    fake.base = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


@pytest.fixture
def timing() -> Timing:
    return Timing()


@pytest.fixture
def slack_timeout() -> float:
    """The Web API client's timeout in seconds; timeout tests parametrize a small one."""
    return 30.0


@pytest.fixture
async def slack(
    fake: FakeSlack, service: QuizService, db: Database, timing: Timing, clock: FakeClock, slack_timeout: float
) -> AsyncIterator[Harness]:
    runtime = build_slack(
        service, db, bot_token=BOT_TOKEN, app_token=None, signing_secret=SECRET, http_port=0,
        api_base=fake.base + "/api/", http_host="127.0.0.1", process_before_response=True,
        sleep=timing.sleep, monotonic=timing.monotonic, clock=clock, timeout=slack_timeout,
    )
    await runtime.start()
    async with aiohttp.ClientSession() as session:
        yield Harness(fake, runtime, session, timing)
    await runtime.close()
