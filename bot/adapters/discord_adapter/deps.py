"""What handlers need from the client, found through ``interaction.client``.

Components are rebuilt by discord.py from a ``custom_id`` (``DynamicItem``), so
they cannot receive constructor arguments; they look their dependencies up on
the client that dispatched them instead of reading a global.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.adapters.discord_adapter.counter import AnswerCounter
from bot.adapters.discord_adapter.team_roles import TeamRoles
from bot.engine.errors import QuizError
from bot.engine.model import Period, PlayerKey, ServerKey
from bot.engine.ports import Clock
from bot.engine.service import QuizService
from bot.reporting.export import ExportFile, ExportFormat, ExportSource, export_file

PLATFORM = "discord"


@dataclass(frozen=True)
class Exporter:
    """Builds an admin's export file; present only when the composition root passed the database."""

    source: ExportSource
    clock: Clock

    async def file(self, server: ServerKey, period: Period, fmt: ExportFormat, timezone: str) -> ExportFile:
        """The server's answers of ``period`` (as of now) as a CSV or JSON file."""
        return await export_file(self.source, server, period, fmt, now=self.clock.now(), default_timezone=timezone)


class PlayerLocks:
    """One lock per player, so two quick clicks on an exam question cannot answer two questions.

    Entries vanish once no handler holds the lock (weak values), so the map stays small.
    """

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[PlayerKey, asyncio.Lock] = weakref.WeakValueDictionary()

    @asynccontextmanager
    async def hold(self, player: PlayerKey) -> AsyncIterator[None]:
        """Run the block while no other handler of the same player does."""
        lock = self._locks.get(player)
        if lock is None:
            lock = self._locks[player] = asyncio.Lock()
        async with lock:
            yield


@dataclass(frozen=True)
class QuizDeps:
    """The service and the adapter's helpers shared by every handler."""

    service: QuizService
    counter: AnswerCounter
    roles: TeamRoles
    exporter: Exporter | None = None
    exam_locks: PlayerLocks = field(default_factory=PlayerLocks)


def deps(interaction: discord.Interaction[Any]) -> QuizDeps:
    """The dependencies of the client that received ``interaction``."""
    found = getattr(interaction.client, "quiz", None)
    if not isinstance(found, QuizDeps):
        raise TypeError("interaction.client is not a QuizBot client")
    return found


def server_of(interaction: discord.Interaction[Any]) -> ServerKey:
    """The guild as an engine key; the quiz lives in servers, not in DMs."""
    if interaction.guild_id is None:
        raise QuizError("The quiz works inside a server, not in direct messages.")
    return ServerKey(PLATFORM, str(interaction.guild_id))


def player_of(interaction: discord.Interaction[Any]) -> PlayerKey:
    """The clicking or typing member as an engine key."""
    return server_of(interaction).player(str(interaction.user.id))


def role_ids(member: discord.Member | discord.User) -> set[str]:
    """The member's role ids that the guild cache knows (a plain user has none)."""
    return {str(role.id) for role in member.roles} if isinstance(member, discord.Member) else set()


async def sync_team_roles(interaction: discord.Interaction[Any]) -> None:
    """Apply the team-role mapping to the interacting member (see :mod:`team_roles`)."""
    guild = interaction.guild
    if guild is None:
        return
    known = {str(role.id) for role in guild.roles}
    await deps(interaction).roles.sync(player_of(interaction), role_ids(interaction.user), known)
