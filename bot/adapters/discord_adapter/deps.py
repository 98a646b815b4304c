"""What handlers need from the client, found through ``interaction.client``.

Components are rebuilt by discord.py from a ``custom_id`` (``DynamicItem``), so
they cannot receive constructor arguments; they look their dependencies up on
the client that dispatched them instead of reading a global.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import discord

from bot.adapters.discord_adapter.counter import AnswerCounter
from bot.engine.errors import QuizError
from bot.engine.model import PlayerKey, ServerKey
from bot.engine.service import QuizService

PLATFORM = "discord"


@dataclass(frozen=True)
class QuizDeps:
    """The service and the answer-count debouncer shared by every handler."""

    service: QuizService
    counter: AnswerCounter


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
