"""The ``/quiz`` slash command group for players.

Each handler acknowledges privately first, makes one service call and renders
the outcome. The study commands (:mod:`study_commands`), teams
(:mod:`team_commands`), admin views (:mod:`admin_commands`) and settings
(:mod:`config_commands`) live in their own modules and are added here.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

import discord
from discord import app_commands

from bot.adapters.discord_adapter import components, render, render_study
from bot.adapters.discord_adapter.admin_commands import ReportsGroup, export, serverstats
from bot.adapters.discord_adapter.config_commands import ConfigGroup
from bot.adapters.discord_adapter.deps import deps, player_of, server_of, sync_team_roles
from bot.adapters.discord_adapter.study_commands import exam, review
from bot.adapters.discord_adapter.team_commands import TeamGroup
from bot.engine.model import DOMAIN_NAMES, Period

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
NO_PINGS = discord.AllowedMentions.none()
DOMAIN_CHOICES = [app_commands.Choice(name=f"{n}: {name}", value=n) for n, name in DOMAIN_NAMES.items()]


async def topic_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 topic slugs of the bank containing what was typed."""
    topics = sorted(t for t in deps(interaction).service.bank.topics() if current.lower() in t)
    return [app_commands.Choice(name=t, value=t) for t in topics[:25]]


class QuizGroup(app_commands.Group, name="quiz", description="Daily AWS Developer Associate questions",
                guild_only=True):
    """``/quiz question|today|leaderboard|stats|review|exam``, ``team``, and the admin commands."""

    def __init__(self) -> None:
        super().__init__()
        added: list[app_commands.Command[Any, ..., Any] | app_commands.Group] = [
            review, exam, TeamGroup(), ReportsGroup(), serverstats, export, ConfigGroup()]
        for command in added:
            self.add_command(command)

    @app_commands.command(description="A private practice question, by topic or exam domain")
    @app_commands.describe(topic="Topic slug, e.g. sqs", domain="Exam domain")
    @app_commands.choices(domain=DOMAIN_CHOICES)
    @app_commands.autocomplete(topic=topic_choices)
    async def question(self, interaction: Interaction, topic: str | None = None, domain: int | None = None) -> None:
        """Open a practice round from the player's own deck and show it with buttons."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        opened = await deps(interaction).service.open_practice(player_of(interaction), topic=topic, domain=domain)
        await interaction.edit_original_response(embed=render.question_embed(opened.question, "Practice"),
                                                 view=components.question_view(opened.round.id, opened.question))

    @app_commands.command(description="Today's question again, with your answer if you gave one")
    async def today(self, interaction: Interaction) -> None:
        """Re-show the daily question; buttons only while you can still answer."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        service = deps(interaction).service
        opened = await service.today(server_of(interaction))
        if opened is None:
            await interaction.edit_original_response(content="No daily question has been posted here today.")
            return
        attempt = await service.my_attempt(opened.round.id, player_of(interaction))
        revealed = opened.round.revealed_at is not None
        embed = render.question_embed(opened.question, "Today's question")
        if attempt is None and not revealed:
            view = components.question_view(opened.round.id, opened.question)
            await interaction.edit_original_response(embed=embed, view=view)
            return
        text = render.status_line(attempt, revealed) if attempt else "Today's question was revealed already."
        await interaction.edit_original_response(content=text, embed=embed)

    @app_commands.command(description="The server's leaderboard of people or teams")
    @app_commands.describe(period="week (default), month or all time", scope="people (default) or teams")
    async def leaderboard(self, interaction: Interaction, period: Literal["week", "month", "all"] = "week",
                          scope: Literal["people", "teams"] = "people") -> None:
        """Top players (plus your own row) or the team board, in the server's timezone."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        player, service = player_of(interaction), deps(interaction).service
        if scope == "teams":
            await sync_team_roles(interaction)
            _key, standings = await service.teams.board(player.server, Period(period))
            text = render_study.team_board_text(Period(period), standings)
        else:
            text = render.leaderboard_text(await service.leaderboard(player.server, Period(period), player=player))
        await interaction.edit_original_response(content=text, allowed_mentions=NO_PINGS)

    @app_commands.command(description="Accuracy, readiness per exam domain, review queue and streak")
    @app_commands.describe(member="Whose stats (default: yours)")
    async def stats(self, interaction: Interaction, member: discord.Member | None = None) -> None:
        """Someone's stats in this server."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        target = server_of(interaction).player(str((member or interaction.user).id))
        figures = await deps(interaction).service.stats(target)
        await interaction.edit_original_response(content=render_study.stats_text(figures), allowed_mentions=NO_PINGS)
