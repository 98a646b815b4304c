"""What every ``/quiz`` subcommand shares: the call, private replies, word splitting, the admin gate.

Kept apart from the subcommands so their modules (basic, study, teams,
admin) import it without importing each other.
"""

from __future__ import annotations

import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_adapter import blocks
from bot.adapters.slack_adapter.clients import is_admin
from bot.adapters.slack_adapter.errors import NotAdmin
from bot.adapters.slack_adapter.ids import unescape
from bot.engine.model import PlayerKey
from bot.engine.service import QuizService

_CURLY_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'"})


@dataclass(frozen=True)
class Invocation:
    """One ``/quiz`` call: who, where, the words after the subcommand, and how to answer."""

    player: PlayerKey
    channel_id: str
    trigger_id: str
    args: tuple[str, ...]
    client: AsyncWebClient
    respond: AsyncRespond


Handler = Callable[[QuizService, Invocation], Awaitable[None]]


async def reply(inv: Invocation, message: blocks.Message) -> None:
    """A private reply to the caller through the command's ``response_url``."""
    await inv.respond(response_type="ephemeral", **message.kwargs())


async def reply_text(inv: Invocation, text: str) -> None:
    """A private mrkdwn reply."""
    await reply(inv, blocks.Message(text, (blocks.section(text),)))


def split(text: str) -> tuple[str, tuple[str, ...]]:
    """``"leaderboard month"`` into ``("leaderboard", ("month",))``; empty text means help.

    Quotes group words (``team rename "Old name" New``), curly quotes too, as
    clients may type them; Slack's ``&amp;``-style escapes are undone per word
    so ``Red & Co`` arrives as typed (mentions keep their real ``<@U…>`` form).
    """
    text = text.translate(_CURLY_QUOTES)
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    words = [unescape(word) for word in words]
    return (words[0].lower(), tuple(words[1:])) if words else ("help", ())


async def require_admin(service: QuizService, inv: Invocation, action: str) -> None:
    """Raise ``NotAdmin`` unless the caller is a workspace admin/owner or a configured QuizBot admin."""
    config = await service.config(inv.player.server)
    if not await is_admin(inv.client, config, inv.player.user_id):
        raise NotAdmin(action)
