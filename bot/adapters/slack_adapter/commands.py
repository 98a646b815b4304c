"""``/quiz`` and its text subcommands: parse the words, call the service, reply privately.

Subcommands live in one table, so a new one (``review``, ``exam``) is one
function and one entry.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_adapter import blocks
from bot.adapters.slack_adapter.clients import is_admin
from bot.adapters.slack_adapter.errors import NotAdmin
from bot.adapters.slack_adapter.ids import unwrap_mentions
from bot.adapters.slack_adapter.views import config_modal, config_text
from bot.engine.errors import QuizError
from bot.engine.model import Period, PlayerKey
from bot.engine.service import QuizService

_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")


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
    """``"leaderboard month"`` into ``("leaderboard", ("month",))``; empty text means help."""
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    return (words[0].lower(), tuple(words[1:])) if words else ("help", ())


async def question(service: QuizService, inv: Invocation) -> None:
    """``question [topic | domain N | N]``: a private practice question."""
    args = [a.lower() for a in inv.args]
    topic: str | None = None
    domain: int | None = None
    if len(args) == 2 and args[0] == "domain" and args[1].isdigit():
        domain = int(args[1])
    elif len(args) == 1 and args[0].isdigit():
        domain = int(args[0])
    elif len(args) == 1:
        topic = args[0]
    elif args:
        raise QuizError("Usage: /quiz question [topic] or /quiz question domain N (N = 1..4).")
    opened = await service.open_practice(inv.player, topic=topic, domain=domain)
    await reply(inv, blocks.question_message(opened.question, opened.round))


async def today(service: QuizService, inv: Invocation) -> None:
    """``today``: today's daily question, or what you answered."""
    opened = await service.today(inv.player.server)
    if opened is None:
        await reply_text(inv, "There is no daily question yet today.")
        return
    if opened.round.revealed_at is not None:
        await reply_text(inv, "Today's question was revealed; try `/quiz question` for practice.")
        return
    attempt = await service.my_attempt(opened.round.id, inv.player)
    if attempt is not None:
        await reply(inv, blocks.answered_message(opened.question, attempt))
        return
    await reply(inv, blocks.question_message(opened.question, opened.round))


async def leaderboard(service: QuizService, inv: Invocation) -> None:
    """``leaderboard [week|month|all]``."""
    try:
        period = Period(inv.args[0].lower()) if inv.args else Period.WEEK
    except ValueError:
        raise QuizError("Usage: /quiz leaderboard [week|month|all]") from None
    board = await service.leaderboard(inv.player.server, period, player=inv.player)
    await reply_text(inv, blocks.leaderboard_text(board))


async def stats(service: QuizService, inv: Invocation) -> None:
    """``stats [@user]``: yours, or another member's."""
    user_id = unwrap_mentions(inv.args[0]) if inv.args else inv.player.user_id
    if not _USER_ID.match(user_id):
        raise QuizError("Usage: /quiz stats [@user]")
    await reply_text(inv, blocks.stats_text(await service.stats(inv.player.server.player(user_id))))


async def config(service: QuizService, inv: Invocation) -> None:
    """``config`` (modal), ``config show``, ``config <setting> <value>``: admins only."""
    current = await service.config(inv.player.server)
    if not await is_admin(inv.client, current, inv.player.user_id):
        raise NotAdmin()
    if not inv.args:
        await inv.client.views_open(trigger_id=inv.trigger_id, view=config_modal(current))
        return
    if inv.args[0].lower() == "show":
        await reply_text(inv, config_text(current))
        return
    value = unwrap_mentions(" ".join(inv.args[1:]))
    updated = await service.update_config(inv.player.server, inv.args[0], value)
    await reply_text(inv, "Saved.\n" + config_text(updated))


async def usage(service: QuizService, inv: Invocation) -> None:
    """``help`` and anything not understood."""
    await reply_text(inv, blocks.usage_text(service.bank.topics()))


SUBCOMMANDS: dict[str, Handler] = {
    "question": question, "today": today, "leaderboard": leaderboard, "stats": stats,
    "config": config, "help": usage,
}
