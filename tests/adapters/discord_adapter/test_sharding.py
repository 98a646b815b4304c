"""The real discord.py client connects to a local fake gateway: unsharded, a fixed split of shards, or ``auto``.

Each test starts the runtime the way ``bot/app.py`` does (``build_discord`` + ``start``), with REST and
the gateway pointed at one 127.0.0.1 fake, and checks what Discord would see: the IDENTIFY payloads, and
which guilds each process ends up holding.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import discord
import pytest

from bot.adapters.discord_adapter import DiscordRuntime, build_discord
from bot.adapters.discord_adapter.sharding import IDENTIFY_INTERVAL, ShardedQuizClient, Shards
from bot.engine.service import QuizService
from bot.storage.quiz_store import SqlQuizStore
from tests.adapters.discord_adapter.fake_discord import FakeDiscord, until
from tests.adapters.discord_adapter.fake_gateway import FakeGateway, guild_on_shard, serve_gateway

GUILDS = tuple(guild_on_shard(i) for i in range(1, 9))  # two guilds on each of four shards


@dataclass
class Pauses:
    """Stands in for the 5 s wait between IDENTIFYs: records it and returns at once."""

    waits: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@dataclass
class Gateway:
    fake: FakeGateway
    rest: FakeDiscord
    base: str
    url: str
    pauses: Pauses
    runtimes: list[DiscordRuntime]
    start: Callable[..., Awaitable[DiscordRuntime]]


@pytest.fixture
async def gateway(service: QuizService, store: SqlQuizStore) -> AsyncIterator[Gateway]:
    fake, rest, pauses = FakeGateway(recommended_shards=3, guild_ids=GUILDS), FakeDiscord(), Pauses()
    runner, base, url = await serve_gateway(fake, rest)
    runtimes: list[DiscordRuntime] = []

    async def start(shards: Shards | None = None, shard_ids: tuple[int, ...] | None = None) -> DiscordRuntime:
        runtime = build_discord(service, store, token="fake-token", dev_guild_id=None, api_base=base,  # noqa: S106
                                gateway=url, shards=shards, shard_ids=shard_ids, identify_pause=pauses)
        runtimes.append(runtime)
        await runtime.start()
        return runtime

    yield Gateway(fake, rest, base, url, pauses, runtimes, start)
    for runtime in reversed(runtimes):  # each restores the URLs it replaced, so undo in reverse
        await runtime.close()
    await fake.close()
    await runner.cleanup()
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"
    assert fake.rejected == [] and rest.rejected == [], "the fakes rejected what Discord would reject"


def held_guilds(runtime: DiscordRuntime) -> dict[int, int]:
    """Guild id -> the shard discord.py filed it under, for the guilds this process received."""
    return {g.id: g.shard_id for g in runtime.client.guilds}


def on_shard(shard: int, count: int) -> set[int]:
    return {g for g in GUILDS if (g >> 22) % count == shard}


async def test_unsharded_default_identifies_once_without_a_shard(gateway: Gateway) -> None:
    runtime = await gateway.start()
    await until(lambda: len(held_guilds(runtime)) == len(GUILDS), "the single connection to receive every guild")

    assert not isinstance(runtime.client, discord.AutoShardedClient)
    assert gateway.fake.shards_identified() == [None]
    assert [i.path for i in gateway.fake.identifies] == ["/gateway"]
    assert gateway.fake.identifies[0].intents == discord.Intents(guilds=True).value
    assert gateway.fake.bot_gateway_calls == 0 and gateway.pauses.waits == []
    await until(lambda: gateway.fake.heartbeats >= 1, "the first heartbeat")
    await until(lambda: runtime.client.latency != float("inf"), "the heartbeat ACK to be measured")


async def test_shard_ids_of_a_fixed_count_identify_exactly_those_shards(gateway: Gateway) -> None:
    runtime = await gateway.start(shards=4, shard_ids=(0, 1))
    want = on_shard(0, 4) | on_shard(1, 4)
    await until(lambda: set(held_guilds(runtime)) == want, "shards 0 and 1 to receive their guilds")

    client = runtime.client
    assert isinstance(client, ShardedQuizClient) and client.shard_count == 4
    assert gateway.fake.shards_identified() == [(0, 4), (1, 4)]
    assert {i.path for i in gateway.fake.identifies} == {"/gateway"}
    assert gateway.fake.bot_gateway_calls == 0
    assert sorted(client.shards) == [0, 1]
    assert held_guilds(runtime) == {g: (g >> 22) % 4 for g in want}
    # the second IDENTIFY waited the 5 s Discord needs between them (through the injected pause)
    assert gateway.pauses.waits == [IDENTIFY_INTERVAL]
    # the handlers are the same: one command tree, on the sharded client too
    assert [c.name for c in client.tree.get_commands()] == ["quiz", "quizbot-sync"]


async def test_auto_uses_the_count_from_gateway_bot(gateway: Gateway) -> None:
    runtime = await gateway.start(shards="auto")
    await until(lambda: len(held_guilds(runtime)) == len(GUILDS), "all three shards to receive their guilds")

    assert gateway.fake.bot_gateway_calls == 1
    assert gateway.fake.shards_identified() == [(0, 3), (1, 3), (2, 3)]
    # and it connected to the URL /gateway/bot returned, not the default
    assert {i.path for i in gateway.fake.identifies} == {"/bot-gateway"}
    assert runtime.client.shard_count == 3
    assert held_guilds(runtime) == {g: (g >> 22) % 3 for g in GUILDS}


async def test_two_processes_split_the_shards_and_every_guild_lands_once(gateway: Gateway) -> None:
    first = await gateway.start(shards=4, shard_ids=(0, 1))
    second = await gateway.start(shards=4, shard_ids=(2, 3))
    await until(lambda: len(held_guilds(first)) + len(held_guilds(second)) == len(GUILDS), "both halves")

    assert sorted(gateway.fake.shards_identified(), key=str) == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert set(held_guilds(first)).isdisjoint(held_guilds(second))
    assert set(held_guilds(second)) == on_shard(2, 4) | on_shard(3, 4)


def test_shard_ids_without_a_fixed_count_are_refused(service: QuizService, store: SqlQuizStore) -> None:
    for shards in (None, "auto"):
        with pytest.raises(ValueError, match="shard"):
            build_discord(service, store, token="t", dev_guild_id=None, shards=shards, shard_ids=(0,))  # noqa: S106
