"""Scheduled posts to Discord: the daily question, its reveal, and notes to admins.

Permissions are checked against the cached guild before posting, because a
403 counts toward Discord's invalid-request ban; missing access raises
``DeliveryFailed(permanent=True)`` so the scheduler pauses the server after
repeated failures and calls :meth:`DiscordNotifier.tell_admins`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import TypeVar

import aiohttp
import discord

from bot.adapters.discord_adapter import components, render
from bot.engine.errors import DeliveryFailed
from bot.engine.model import Question, Round, ServerConfig, ServerKey
from bot.engine.outcomes import Recap
from bot.engine.service import QuizService

log = logging.getLogger(__name__)

DAILY_TITLE = "Question of the day"
NEEDED = discord.Permissions(view_channel=True, send_messages=True, embed_links=True, read_message_history=True)
NO_PINGS = discord.AllowedMentions.none()
T = TypeVar("T")


def missing_permissions(perms: discord.Permissions) -> list[str]:
    """Names of the permissions the daily post needs but the bot lacks."""
    return [name for name, value in NEEDED if value and not getattr(perms, name)]


class DiscordNotifier:
    """Implements ``bot.engine.ports.Notifier`` for Discord guild channels."""

    # The global REST limit is 50 requests/s per bot (interaction replies are exempt); posts take 48
    # and leave 2/s for count edits, so a 10,000-guild fan-out stays within 5 % of the floor.
    sends_per_second: float = 48.0

    def __init__(self, client: discord.Client, service: QuizService) -> None:
        self._client = client
        self._service = service

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Post the question with its buttons; return the message id for the reveal edit."""
        channel = await self._channel(config.channel_id)
        content = f"<@&{config.mention_role}>" if config.mention_role else None
        mentions = discord.AllowedMentions(everyone=False, users=False, roles=True)
        message = await self._deliver(channel.send(
            content=content, embed=render.question_embed(question, DAILY_TITLE, 0),
            view=components.question_view(round_.id, question), allowed_mentions=mentions))
        return str(message.id)

    async def reveal_daily(self, config: ServerConfig, round_: Round, recap: Recap) -> None:
        """Edit the post to show the key, distribution and explanation; disable buttons; post the recap."""
        channel_id = round_.channel_id or config.channel_id
        if channel_id is None or round_.message_ref is None:
            raise DeliveryFailed(f"round {round_.id} has no posted message to reveal", permanent=True)
        messageable = self._client.get_partial_messageable(int(channel_id))
        post = messageable.get_partial_message(int(round_.message_ref))
        reveal = recap.reveal
        await self._deliver(post.edit(embed=render.reveal_embed(reveal),
                                      view=components.question_view(round_.id, reveal.question, disabled=True)))
        await self._deliver(messageable.send(render.recap_text(recap), allowed_mentions=NO_PINGS))

    async def tell_admins(self, server: ServerKey, text: str) -> None:
        """DM the guild owner; if DMs are closed, use the guild's system channel."""
        guild = await self._deliver(self._guild(int(server.server_id)))
        try:
            owner = self._client.get_user(guild.owner_id or 0) or await self._client.fetch_user(guild.owner_id or 0)
            await owner.send(text)
            return
        except discord.HTTPException as exc:
            log.info("owner of guild %s is not reachable by DM (%s); trying the system channel", guild.id, exc.status)
        channel = guild.system_channel
        if channel is None or missing_permissions(channel.permissions_for(guild.me)):
            raise DeliveryFailed(f"no way to reach the admins of guild {guild.id}", permanent=True)
        await self._deliver(channel.send(text, allowed_mentions=NO_PINGS))

    async def refresh_count(self, round_id: int, channel_id: int, message_id: int) -> None:
        """Rewrite the daily post's embed with the current answer count (called debounced)."""
        opened = await self._service.round_by_id(round_id)
        if opened.round.revealed_at is not None:
            return
        count = await self._service.answer_count(round_id)
        post = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
        await post.edit(embed=render.question_embed(opened.question, DAILY_TITLE, count))

    async def _guild(self, guild_id: int) -> discord.Guild:
        return self._client.get_guild(guild_id) or await self._client.fetch_guild(guild_id)

    async def _channel(self, channel_id: str | None) -> discord.abc.Messageable:
        """The daily channel, refusing before any send when the bot lacks access."""
        if channel_id is None:
            raise DeliveryFailed("no daily channel is set", permanent=True)
        channel = self._client.get_channel(int(channel_id))
        if channel is None:
            channel = await self._deliver(self._client.fetch_channel(int(channel_id)))
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryFailed(f"channel {channel_id} cannot hold messages", permanent=True)
        if isinstance(channel, discord.abc.GuildChannel) and channel.guild.me is not None:
            missing = missing_permissions(channel.permissions_for(channel.guild.me))
            if missing:
                raise DeliveryFailed(f"missing permissions in <#{channel_id}>: {', '.join(missing)}",
                                     permanent=True)
        return channel

    async def _deliver(self, call: Awaitable[T]) -> T:
        """Await a discord.py call, mapping refusals to ``DeliveryFailed``."""
        try:
            return await call
        except (discord.Forbidden, discord.NotFound) as exc:
            raise DeliveryFailed(f"Discord refused: {exc.status} {exc.text}", permanent=True) from exc
        except discord.HTTPException as exc:
            raise DeliveryFailed(f"Discord error: {exc.status} {exc.text}") from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            # Connection resets and timeouts discord.py does not retry itself: a blip, so retry later.
            raise DeliveryFailed(f"Discord unreachable: {type(exc).__name__}") from exc
