"""``/quiz config ...``: admin settings, validated by the engine's settings rules.

Discord applies ``default_member_permissions`` to top-level commands only, so
a subgroup of ``/quiz`` cannot be hidden from members by Discord; every command
here carries the local ``has_permissions(manage_guild=True)`` check, whose
refusal the error handler turns into a clear private message.
"""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord_adapter import render
from bot.adapters.discord_adapter.deps import deps, server_of

Interaction = discord.Interaction[Any]
admin_only = app_commands.checks.has_permissions(manage_guild=True)


@functools.cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


async def timezone_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
    """Up to 25 IANA zones containing what was typed (``berlin`` finds Europe/Berlin)."""
    needle = current.lower().replace(" ", "_")
    return [app_commands.Choice(name=z, value=z) for z in _zones() if needle in z.lower()][:25]


async def apply(interaction: Interaction, name: str, value: str) -> None:
    """Acknowledge, store one setting through the engine, show the resulting config."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    config = await deps(interaction).service.update_config(server_of(interaction), name, value)
    await interaction.edit_original_response(content=f"Saved.\n{render.config_text(config)}")


class ConfigGroup(app_commands.Group, name="config", description="Daily question settings (Manage Server)"):
    """One subcommand per setting admins change."""

    @app_commands.command(description="Channel for the daily question")
    @admin_only
    async def channel(self, interaction: Interaction, channel: discord.TextChannel) -> None:
        """Set the daily channel."""
        await apply(interaction, "channel", str(channel.id))

    @app_commands.command(description="Post time, 24-hour HH:MM in the server's timezone")
    @admin_only
    async def time(self, interaction: Interaction, value: str) -> None:
        """Set the post time."""
        await apply(interaction, "time", value)

    @app_commands.command(description="IANA timezone, e.g. Europe/Berlin")
    @app_commands.autocomplete(value=timezone_choices)
    @admin_only
    async def timezone(self, interaction: Interaction, value: str) -> None:
        """Set the server's timezone."""
        await apply(interaction, "timezone", value)

    @app_commands.command(description="Posting days, e.g. mon-fri, daily or mon,wed,fri")
    @admin_only
    async def weekdays(self, interaction: Interaction, value: str) -> None:
        """Set the posting days."""
        await apply(interaction, "weekdays", value)

    @app_commands.command(description="Reveal time HH:MM, or 'next' to reveal at the next post")
    @admin_only
    async def reveal(self, interaction: Interaction, value: str) -> None:
        """Set when the answer is revealed."""
        await apply(interaction, "reveal", value)

    @app_commands.command(description="Comma-separated topic slugs for the daily question, or 'any'")
    @admin_only
    async def topics(self, interaction: Interaction, value: str) -> None:
        """Limit the daily question to topics."""
        await apply(interaction, "topics", value)

    @app_commands.command(description="Start posting the daily question")
    @admin_only
    async def enable(self, interaction: Interaction) -> None:
        """Turn the daily question on (needs a channel)."""
        await apply(interaction, "enabled", "on")

    @app_commands.command(description="Pause the daily question")
    @admin_only
    async def disable(self, interaction: Interaction) -> None:
        """Turn the daily question off."""
        await apply(interaction, "enabled", "off")

    @app_commands.command(description="Show the current settings")
    @admin_only
    async def show(self, interaction: Interaction) -> None:
        """Show the settings."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        config = await deps(interaction).service.config(server_of(interaction))
        await interaction.edit_original_response(content=render.config_text(config))
