"""The answer burst as Discord button clicks: real discord.py client, local fake of Discord's REST API.

Built like tests/adapters/discord_adapter/conftest.py builds it (the same fake
and payload builders), except that the count debounce runs on real time as in
production. Each click is a raw ``INTERACTION_CREATE`` payload; its ack is the
deferral callback reaching the fake, its verdict the edit of ``@original``.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.burst import BurstResult, figures, paced, stored, until_done
from bench.common import BenchCore, Figure, bench_core
from bot.adapters.discord_adapter import build_discord
from bot.engine.model import ServerKey
from bot.engine.outcomes import RoundOpened
from tests.adapters.discord_adapter.fake_discord import CHANNEL_ID, GUILD_ID, FakeDiscord, guild_payload, serve
from tests.adapters.discord_adapter.test_daily_flow import click

BENCH = "answers_discord"
SERVER = ServerKey("discord", str(GUILD_ID))
RATE = 170.0  # platforms.md §5.2: a 10k-member server answering within one minute


class TimedFakeDiscord(FakeDiscord):
    """The test fake, noting when each interaction's ack and verdict arrive."""

    def __init__(self) -> None:
        super().__init__()
        self.acked: dict[str, float] = {}
        self.answered: dict[str, float] = {}

    def callback(self, iid: str, token: str, body: dict[str, Any]) -> web.Response:
        """The initial response (our deferral)."""
        self.acked.setdefault(token, time.perf_counter())
        return super().callback(iid, token, body)

    def route(self, method: str, path: str, body: Any, *rest: Any) -> web.Response:  # noqa: ANN401 - any JSON
        """The edit of ``@original`` carries the verdict (extra arguments pass through to the fake)."""
        if method == "PATCH" and path.startswith("/webhooks/") and path.endswith("/@original"):
            self.answered.setdefault(path.split("/")[3], time.perf_counter())
        return super().route(method, path, body, *rest)


async def daily_single(core: BenchCore) -> RoundOpened:
    """A daily round, redrawn until its question takes one letter (one button per letter)."""
    await core.service.update_config(SERVER, "channel", str(CHANNEL_ID))
    for _ in range(30):
        opened = await core.service.open_daily(SERVER)
        if opened.question.type.value != "multi":
            return opened
    raise AssertionError("no single-answer question in 30 draws")


async def run(clicks: int = 5_000, rate: float = RATE) -> list[Figure]:
    """Post a daily question, click it ``clicks`` times, measure, count what was stored."""
    fake = TimedFakeDiscord()
    runner, base = await serve(fake)
    try:
        with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
            async with bench_core(Path(tmp)) as core:
                runtime = build_discord(core.service, core.store, token="fake-token",  # noqa: S106
                                        dev_guild_id=str(GUILD_ID), api_base=base)
                try:
                    await runtime.login()
                    runtime.client._connection.parse_guild_create(guild_payload())  # type: ignore[arg-type]
                    result = await burst(core, runtime, fake, clicks, rate)
                finally:
                    await runtime.close()
    finally:
        await runner.cleanup()
    if fake.rejected:
        raise AssertionError(f"the fake rejected payloads: {fake.rejected[:3]}")
    return figures(BENCH, result, clicks, rate, "discord.py defers, the service stores, the reply is an edit.")


async def burst(core: BenchCore, runtime: Any, fake: TimedFakeDiscord, clicks: int, rate: float) -> BurstResult:  # noqa: ANN401
    """Post, then inject one click per user and wait for every verdict."""
    opened = await daily_single(core)
    config = await core.service.config(SERVER)
    ref = await runtime.notifier.post_daily(config, opened.round, opened.question)
    await core.service.record_post(opened.round.id, config.channel_id, ref, closes_at=None)
    message = fake.messages[ref]
    custom_id = f"quiz:answer:{opened.round.id}:{opened.question.key_letters()}"
    payloads = {p["token"]: p for p in (click(message, custom_id, 100_000 + n) for n in range(clicks))}
    state = runtime.client._connection
    sent = await paced(list(payloads), rate, lambda token: state.parse_interaction_create(payloads[token]))
    await until_done(lambda: len(fake.answered) >= clicks, f"{len(fake.answered)} of {clicks} verdicts")
    count, players = await stored(core.db, SERVER, opened.round.id)
    return BurstResult(sent, dict(fake.acked), dict(fake.answered), count, players)


if __name__ == "__main__":
    from bench.__main__ import run_alone

    run_alone(BENCH)
