"""Sharded or single-connection Discord clients, with the same commands and handlers either way.

Discord caps one gateway connection (a shard) at 2,500 guilds, and each guild's
events arrive on shard ``(guild_id >> 22) % shard_count``. With
``QUIZBOT_DISCORD_SHARDS`` unset the bot keeps discord.py's single connection.
Otherwise it runs :class:`ShardedQuizClient`, which is :class:`QuizClient` on
top of ``discord.AutoShardedClient``: ``"auto"`` asks ``GET /gateway/bot`` for
Discord's recommended count, a number fixes the total, and shard ids let several
processes split that total between them (each process runs only its ids).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Literal

import discord

from bot.adapters.discord_adapter.client import QuizClient
from bot.adapters.discord_adapter.deps import QuizDeps
from bot.adapters.discord_adapter.meta import MetaStore

log = logging.getLogger(__name__)

Shards = int | Literal["auto"]
Pause = Callable[[float], Awaitable[None]]

# Discord allows one IDENTIFY per 5 s per rate-limit bucket; discord.py waits this long between shards.
IDENTIFY_INTERVAL = 5.0


class ShardedQuizClient(QuizClient, discord.AutoShardedClient):
    """The quiz client over several shards: the MRO puts AutoShardedClient under QuizClient's ``super()``."""

    def __init__(
        self, quiz: QuizDeps, store: MetaStore, *, dev_guild_id: str | None, shard_count: int | None,
        shard_ids: tuple[int, ...] | None, identify_pause: Pause = asyncio.sleep,
    ) -> None:
        super().__init__(quiz, store, dev_guild_id=dev_guild_id, shard_count=shard_count,
                         shard_ids=list(shard_ids) if shard_ids else None)
        self._identify_pause = identify_pause

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Space the shards' IDENTIFYs as discord.py does, through a pause tests can replace."""
        if not initial:
            await self._identify_pause(IDENTIFY_INTERVAL)


def new_client(
    quiz: QuizDeps, store: MetaStore, *, dev_guild_id: str | None, shards: Shards | None = None,
    shard_ids: tuple[int, ...] | None = None, identify_pause: Pause = asyncio.sleep,
) -> QuizClient:
    """A single-connection client when ``shards`` is None, else a sharded one running ``shard_ids`` (default all)."""
    if shards is None:
        if shard_ids:
            raise ValueError("shard ids need a shard count")
        return QuizClient(quiz, store, dev_guild_id=dev_guild_id)
    if shards == "auto" and shard_ids:
        raise ValueError("shard ids need a fixed shard count, not auto")
    count = None if shards == "auto" else shards
    log.info("discord: sharded, %s of %s shards", _describe(shard_ids), count or "auto (Discord's recommendation)")
    return ShardedQuizClient(quiz, store, dev_guild_id=dev_guild_id, shard_count=count, shard_ids=shard_ids,
                             identify_pause=identify_pause)


def _describe(shard_ids: tuple[int, ...] | None) -> str:
    return "all" if not shard_ids else "ids " + ",".join(map(str, shard_ids))
