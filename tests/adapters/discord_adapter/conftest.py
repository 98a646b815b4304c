from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.adapters.discord_adapter import DiscordRuntime, build_discord
from bot.adapters.discord_adapter.counter import Timing
from bot.engine.model import ServerKey
from bot.engine.service import QuizService
from bot.storage.database import Database
from bot.storage.quiz_store import SqlQuizStore
from tests.adapters.discord_adapter.fake_discord import GUILD_ID, FakeDiscord, guild_payload, serve, until
from tests.fakes import FakeClock

SERVER = ServerKey("discord", str(GUILD_ID))


class ManualTime:
    """The counter's clock and sleep: sleeps wait until the test releases them."""

    def __init__(self) -> None:
        self.now = 100.0
        self.waits: list[float] = []
        self.released = 0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        index = len(self.waits)
        await until(lambda: self.released >= index, "the test to release a sleep")
        self.now += seconds

    def timing(self) -> Timing:
        return Timing(interval=1.0, monotonic=self.monotonic, sleep=self.sleep)


@dataclass
class Harness:
    fake: FakeDiscord
    runtime: DiscordRuntime
    time: ManualTime
    base: str

    def inject(self, payload: dict[str, Any]) -> str:
        self.runtime.client._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        return payload["token"]

    async def reply(self, token: str, *, edited: bool = True) -> dict[str, Any]:
        """Wait for the interaction's visible answer (the edit after a deferral, or the direct response)."""
        def done() -> bool:
            shown = self.fake.last_reply(token)
            # 5 and 6 are deferrals (a private "thinking" message, or an update of the clicked message)
            return bool(shown) and (not edited or shown.get("type") not in (5, 6))
        await until(done, f"a reply to {token}")
        return self.fake.last_reply(token)

    async def shown_modal(self, token: str) -> dict[str, Any]:
        """The form a click opened, once the bot can take its submission.

        discord.py registers a modal only when Discord has answered the callback that
        showed it, and the fake records the callback before answering; a form submitted
        in between is dropped as unknown (no reply at all). A person needs the form on
        screen, so after the bot's callback, to submit it: wait for the registration too.
        """
        modal = await self.reply(token, edited=False)
        modals = self.runtime.client._connection._view_store._modals
        await until(lambda: modal["custom_id"] in modals, "discord.py to register the form")
        return modal


@pytest.fixture
async def harness(service: QuizService, store: SqlQuizStore, db: Database,
                  clock: FakeClock) -> AsyncIterator[Harness]:
    fake = FakeDiscord(clock=clock)
    runner, base = await serve(fake)
    time = ManualTime()
    runtime = build_discord(service, store, token="fake-token", dev_guild_id=str(GUILD_ID), api_base=base,  # noqa: S106
                            timing=time.timing(), db=db, clock=clock)
    await runtime.login()
    runtime.client._connection.parse_guild_create(guild_payload())  # type: ignore[arg-type]
    harness = Harness(fake, runtime, time, base)
    yield harness
    await harness.runtime.close()  # a restart test swaps in a new runtime
    await runner.cleanup()
    assert fake.rejected == [], "the fake rejected a payload Discord would reject"


@pytest.fixture
async def configured(service: QuizService) -> None:
    await service.update_config(SERVER, "channel", "3000")
    await service.update_config(SERVER, "enabled", "on")
