"""``/quiz team ...``: members list, join and leave teams; admins manage them and map roles.

A team mapped to a role follows the role (see :mod:`team_roles`), so manual
joins, leaves and assignments that the role sync would undo are refused with
the reason. Admin subcommands carry the local ``manage_guild`` check, as in
:mod:`config_commands`.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord_adapter import render_study
from bot.adapters.discord_adapter.config_commands import admin_only
from bot.adapters.discord_adapter.deps import deps, player_of, role_ids, server_of, sync_team_roles
from bot.engine.errors import InvalidConfig

Interaction = discord.Interaction[Any]
NO_PINGS = discord.AllowedMentions.none()


async def team_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 team names containing what was typed."""
    teams = await deps(interaction).service.teams.list(server_of(interaction))
    names = [t.name for t in teams if current.casefold() in t.name.casefold()]
    return [app_commands.Choice(name=name, value=name) for name in names[:25]]


async def done(interaction: Interaction, text: str) -> None:
    """Show the outcome privately, without pinging anyone it names."""
    await interaction.edit_original_response(content=text, allowed_mentions=NO_PINGS)


class TeamGroup(app_commands.Group, name="team", description="Study teams: list, join, leave; admins manage them"):
    """One subcommand per team action."""

    @app_commands.command(name="list", description="The server's teams and yours")
    async def list_teams(self, interaction: Interaction) -> None:
        """Teams with member counts and roles, after applying the asker's roles."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        await sync_team_roles(interaction)
        quiz, player = deps(interaction), player_of(interaction)
        teams = await quiz.service.teams.list(player.server)
        mapping = await quiz.roles.mapping(player.server)
        await done(interaction, render_study.teams_text(teams, await quiz.service.teams.mine(player), mapping))

    @app_commands.command(description="Join a team (you leave your current one)")
    @app_commands.autocomplete(team=team_choices)
    async def join(self, interaction: Interaction, team: str) -> None:
        """Join by name; refused for teams that follow a role."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        quiz, player = deps(interaction), player_of(interaction)
        await quiz.roles.refuse_manual(player.server, team, role_ids(interaction.user))
        await done(interaction, f"You joined **{(await quiz.service.teams.join(player, team)).name}**.")

    @app_commands.command(description="Leave your team")
    async def leave(self, interaction: Interaction) -> None:
        """Leave; your earlier points stay with the team."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        quiz, player = deps(interaction), player_of(interaction)
        await quiz.roles.refuse_manual(player.server, None, role_ids(interaction.user))
        await quiz.service.teams.leave(player)
        await done(interaction, "You left your team; the points you earned stay with it.")

    @app_commands.command(description="Admins: create a team")
    @admin_only
    async def create(self, interaction: Interaction, name: app_commands.Range[str, 1, 40]) -> None:
        """Create a team."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        team = await deps(interaction).service.teams.create(server_of(interaction), name)
        await done(interaction, f"Created team **{team.name}**. Members join with `/quiz team join`.")

    @app_commands.command(description="Admins: rename a team")
    @app_commands.autocomplete(team=team_choices)
    @admin_only
    async def rename(self, interaction: Interaction, team: str, new_name: app_commands.Range[str, 1, 40]) -> None:
        """Rename; points, members and role stay."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        renamed = await deps(interaction).service.teams.rename(server_of(interaction), team, new_name)
        await done(interaction, f"Renamed to **{renamed.name}**.")

    @app_commands.command(description="Admins: delete a team (its members become teamless)")
    @app_commands.autocomplete(team=team_choices)
    @admin_only
    async def delete(self, interaction: Interaction, team: str) -> None:
        """Delete a team."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        await deps(interaction).service.teams.delete(server_of(interaction), team)
        await done(interaction, f"Deleted team **{team}**.")

    @app_commands.command(description="Admins: put a member in a team")
    @app_commands.autocomplete(team=team_choices)
    @admin_only
    async def assign(self, interaction: Interaction, member: discord.Member, team: str) -> None:
        """Assign someone; refused where a team role decides instead."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        quiz, server = deps(interaction), server_of(interaction)
        await quiz.roles.refuse_manual(server, team, role_ids(member))
        joined = await quiz.service.teams.join(server.player(str(member.id)), team)
        await done(interaction, f"<@{member.id}> is now in **{joined.name}**.")

    @app_commands.command(description="Admins: members with a role are in the team (omit the role to unmap)")
    @app_commands.autocomplete(team=team_choices)
    @admin_only
    async def role(self, interaction: Interaction, team: str, role: discord.Role | None = None) -> None:
        """Map a team to a role, or back to explicit membership."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        if role is not None and (role.is_default() or role.managed):
            raise InvalidConfig("Pick a role people are given, not @everyone or a bot's role.")
        mapped = await deps(interaction).roles.assign(server_of(interaction), team, str(role.id) if role else None)
        if role is None:
            await done(interaction, f"**{mapped.name}** no longer follows a role; members join and leave themselves.")
            return
        await done(interaction, f"**{mapped.name}** now follows <@&{role.id}>: members with the role join it when "
                                "they next answer or open the teams or the team board.")
