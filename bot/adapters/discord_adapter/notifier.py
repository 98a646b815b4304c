"""Scheduled posts to Discord: the daily question, its reveal, and notes to admins.

Permissions are checked against the cached guild before posting, because a
403 counts toward Discord's invalid-request ban; missing access raises
``DeliveryFailed(permanent=True)`` so the scheduler pauses the server after
repeated failures and calls :meth:`DiscordNotifier.tell_admins`.

A send that timed out or lost its connection may have landed. Before the
scheduler sends a round again, ``find_daily`` reads the channel from the claim on
(Read Message History) and adopts the bot's own post whose buttons carry the
round's id. Discord's nonce backs that up: each daily post is sent with
``nonce`` + ``enforce_nonce``, so a resend within Discord's few-minute nonce
window gets the landed message back even when the channel could not be read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime, timedelta
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
READ = discord.Permissions(view_channel=True, read_message_history=True)  # what ``find_daily`` needs
NO_PINGS = discord.AllowedMentions.none()
T = TypeVar("T")
# The post lands seconds after the claim, so reading oldest-first from the claim meets it among the
# first messages; a few small pages bound the reads on a busy channel.
LOOKUP_PAGE = 25
LOOKUP_PAGES = 3
# Snowflakes carry Discord's clock, the claim this host's: start reading a little earlier so a host
# running fast cannot step over its own post (the exact round match keeps older posts out anyway).
CLOCK_SKEW = timedelta(seconds=30)


def daily_nonce(round_id: int) -> str:
    """The daily post's nonce, one per round so a resend of the round is deduplicated (25 characters at most)."""
    return f"daily-{round_id}"


def round_of(custom_id: str) -> int | None:
    """The round a quiz component's ``custom_id`` belongs to, parsed with the components' own templates."""
    for item in components.DYNAMIC_ITEMS:
        match = item.__discord_ui_compiled_template__.fullmatch(custom_id)
        if match:
            return int(match["round_id"])
    return None


def carries_round(message: discord.Message, round_id: int) -> bool:
    """Whether the message's buttons or menu belong to ``round_id`` (the whole id, so 12 never matches 123)."""
    custom_ids = [getattr(child, "custom_id", None) for row in message.components
                  for child in getattr(row, "children", ())]
    return any(round_of(custom_id) == round_id for custom_id in custom_ids if custom_id)


def missing_permissions(perms: discord.Permissions, needed: discord.Permissions = NEEDED) -> list[str]:
    """Names of the permissions the daily post (or another use of ``needed``) needs but the bot lacks."""
    return [name for name, value in needed if value and not getattr(perms, name)]


class DiscordNotifier:
    """Implements ``bot.engine.ports.Notifier`` for Discord guild channels."""

    # The global REST limit is 50 requests/s per bot (interaction replies are exempt); posts take 48
    # and leave 2/s for count edits, so a 10,000-guild fan-out stays within 5 % of the floor.
    sends_per_second: float = 48.0
    # discord.py's own HTTP session waits up to 300 s; a daily post stuck that long would hold up the
    # fan-out queue, so a send gives up sooner and the lifecycle retries it (the nonce keeps that single).
    send_timeout: float = 30.0

    def __init__(self, client: discord.Client, service: QuizService) -> None:
        self._client = client
        self._service = service
        self._lookup_refused: set[str] = set()  # guilds already warned about, so the log says it once

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Post the question with its buttons; return the message id for the reveal edit."""
        channel = await self._channel(config.channel_id)
        content = f"<@&{config.mention_role}>" if config.mention_role else None
        mentions = discord.AllowedMentions(everyone=False, users=False, roles=True)
        message = await self._deliver(channel.send(
            content=content, embed=render.question_embed(question, DAILY_TITLE, 0),
            view=components.question_view(round_.id, question), allowed_mentions=mentions,
            nonce=daily_nonce(round_.id)))
        return str(message.id)

    async def find_daily(self, config: ServerConfig, round_: Round, since: datetime) -> str | None:
        """The id of the round's post in the daily channel since ``since``, if a send that looked failed landed.

        Discord forgets nonces after a few minutes and the scheduler retries after 1, 5, 15 …
        minutes, so the channel itself is read. A refused read (no Read Message History, channel
        gone) returns None and the scheduler posts again, as before this check; the log says so
        once per guild. An unreachable Discord raises ``DeliveryFailed`` and the retry waits.
        """
        if config.channel_id is None:
            return None
        try:
            channel = await self._channel(config.channel_id, READ)
            return await self._deliver(self._find(channel, round_.id, since))
        except DeliveryFailed as exc:
            if not exc.permanent:
                raise
            guild = config.server.server_id
            if guild not in self._lookup_refused:
                self._lookup_refused.add(guild)
                log.warning("cannot read channel %s of guild %s for an earlier daily post (%s): a retry may post"
                            " twice; grant the bot Read Message History there", config.channel_id, guild, exc)
            return None

    async def _find(self, channel: discord.abc.Messageable, round_id: int, since: datetime) -> str | None:
        """Read a few pages oldest-first from the claim for the bot's own post carrying the round."""
        me = self._client.user
        if me is None:
            raise DeliveryFailed("the Discord client is not logged in")
        after = discord.Object(id=discord.utils.time_snowflake(since - CLOCK_SKEW) - 1)
        for _ in range(LOOKUP_PAGES):
            page = [message async for message in channel.history(limit=LOOKUP_PAGE, after=after)]
            for message in page:
                # A webhook message is an interaction's reply, never the scheduled post.
                if message.author.id == me.id and message.webhook_id is None and carries_round(message, round_id):
                    return str(message.id)
            if len(page) < LOOKUP_PAGE:
                return None
            after = discord.Object(id=page[-1].id)
        log.info("no daily post of round %s among the %d messages after the claim in %s", round_id,
                 LOOKUP_PAGE * LOOKUP_PAGES, getattr(channel, "id", "?"))
        return None

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

    async def _channel(self, channel_id: str | None, needed: discord.Permissions = NEEDED) -> discord.abc.Messageable:
        """The daily channel, refusing before any request when the cached permissions lack ``needed``."""
        if channel_id is None:
            raise DeliveryFailed("no daily channel is set", permanent=True)
        channel = self._client.get_channel(int(channel_id))
        if channel is None:
            channel = await self._deliver(self._client.fetch_channel(int(channel_id)))
        if not isinstance(channel, discord.abc.Messageable):
            raise DeliveryFailed(f"channel {channel_id} cannot hold messages", permanent=True)
        if isinstance(channel, discord.abc.GuildChannel) and channel.guild.me is not None:
            missing = missing_permissions(channel.permissions_for(channel.guild.me), needed)
            if missing:
                raise DeliveryFailed(f"missing permissions in <#{channel_id}>: {', '.join(missing)}",
                                     permanent=True)
        return channel

    async def _deliver(self, call: Awaitable[T]) -> T:
        """Await a discord.py call, mapping refusals to ``DeliveryFailed``."""
        try:
            async with asyncio.timeout(self.send_timeout):
                return await call
        except (discord.Forbidden, discord.NotFound) as exc:
            raise DeliveryFailed(f"Discord refused: {exc.status} {exc.text}", permanent=True) from exc
        except discord.HTTPException as exc:
            raise DeliveryFailed(f"Discord error: {exc.status} {exc.text}") from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            # Connection resets and timeouts discord.py does not retry itself: a blip, so retry later.
            raise DeliveryFailed(f"Discord unreachable: {type(exc).__name__}") from exc
