"""The reliability suite reuses the adapters' harnesses: real SDKs against local fakes on 127.0.0.1.

The Slack ``fake`` is replaced by ``FaultySlack`` (the same fake, plus network
faults on demand, its message ts taken from the test's clock so history lookups
by claim time work); the Discord harness gets a faulty twin, ``faulty_discord``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.discord_adapter import build_discord
from bot.engine.service import QuizService
from bot.storage.quiz_store import SqlQuizStore
from tests.adapters.discord_adapter.conftest import Harness as DiscordHarness
from tests.adapters.discord_adapter.conftest import ManualTime, configured, harness  # noqa: F401 - fixtures
from tests.adapters.discord_adapter.fake_discord import GUILD_ID, guild_payload
from tests.adapters.slack_adapter.conftest import slack, slack_timeout, timing  # noqa: F401 - fixtures
from tests.fakes import FakeClock
from tests.reliability.faults import FaultyDiscord, FaultySlack, serve

Snapshot = dict[str, list[tuple[object, ...]]]


def snapshot(db_path: str | Path) -> Snapshot:
    """Every row of every table, read through a separate connection: "nothing written" compares two of these."""
    with sqlite3.connect(db_path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}  # noqa: S608


@pytest.fixture
async def fake(clock: FakeClock) -> AsyncIterator[FaultySlack]:
    """Overrides the Slack harness's fake (the ``slack`` fixture asks for ``fake`` by name)."""
    fake = FaultySlack(clock=clock)
    runner, port = await serve(fake.app())
    fake.base = f"http://127.0.0.1:{port}"
    yield fake
    await runner.cleanup()


@pytest.fixture
async def faulty_discord(service: QuizService, store: SqlQuizStore,
                         clock: FakeClock) -> AsyncIterator[DiscordHarness]:
    """The Discord harness (real discord.py client, logged in) over ``FaultyDiscord``, ids from the test's clock."""
    fake = FaultyDiscord(clock=clock)
    runner, port = await serve(fake.app())
    base = f"http://127.0.0.1:{port}/api/v10"
    time = ManualTime()
    runtime = build_discord(service, store, token="fake-token", dev_guild_id=str(GUILD_ID), api_base=base,  # noqa: S106
                            timing=time.timing())
    await runtime.login()
    runtime.client._connection.parse_guild_create(guild_payload())  # type: ignore[arg-type]
    yield DiscordHarness(fake, runtime, time, base)
    await runtime.close()
    await runner.cleanup()
