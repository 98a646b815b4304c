"""``/quiz`` and its text subcommands: parse the words, call the service, reply privately.

Subcommands live in one table (``command_table``), so a new one is one
function and one entry; the study, team and admin ones have their own modules.
"""

from __future__ import annotations

from bot.adapters.slack_adapter import admin_commands, blocks, study_commands, team_commands
from bot.adapters.slack_adapter.admin_commands import Exporter
from bot.adapters.slack_adapter.ids import unwrap_mentions
from bot.adapters.slack_adapter.invocation import Handler, Invocation, reply, reply_text, require_admin
from bot.adapters.slack_adapter.views import config_modal, config_text
from bot.engine.errors import QuizError
from bot.engine.service import QuizService


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


async def config(service: QuizService, inv: Invocation) -> None:
    """``config`` (modal), ``config show``, ``config <setting> <value>``: admins only."""
    await require_admin(service, inv, "change QuizBot settings")
    current = await service.config(inv.player.server)
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


def command_table(exporter: Exporter) -> dict[str, Handler]:
    """Every ``/quiz`` subcommand by its first word; ``exporter`` binds the export to the database."""
    return {
        "question": question, "today": today, "help": usage, "config": config,
        "review": study_commands.review, "exam": study_commands.exam, "stats": study_commands.stats,
        "leaderboard": team_commands.leaderboard, "team": team_commands.team,
        "reports": admin_commands.reports, "serverstats": admin_commands.server_stats, "export": exporter.command,
    }
