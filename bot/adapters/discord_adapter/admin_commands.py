"""Admin views of ``/quiz``: question reports, server statistics and the answer export.

Each command carries the local ``manage_guild`` check (see
:mod:`config_commands` for why Discord's own hint is not enough) and answers
privately. The export is an ephemeral file attachment, so only the admin who
asked can download it.
"""

from __future__ import annotations

import io
from typing import Any, Literal

import discord
from discord import app_commands

from bot.adapters.discord_adapter import render_admin
from bot.adapters.discord_adapter.config_commands import admin_only
from bot.adapters.discord_adapter.deps import deps, server_of
from bot.adapters.discord_adapter.render import period_label
from bot.engine.errors import QuizError
from bot.engine.model import Period
from bot.reporting.export import ExportFile, ExportFormat, UnknownServer

Interaction = discord.Interaction[Any]
NO_PINGS = discord.AllowedMentions.none()


class ReportsGroup(app_commands.Group, name="reports", description="Question reports from players (Manage Server)"):
    """List and resolve reports."""

    @app_commands.command(name="list", description="Open question reports, oldest first")
    @admin_only
    async def list_reports(self, interaction: Interaction) -> None:
        """The server's unresolved reports."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        reports = await deps(interaction).service.admin.open_reports(server_of(interaction))
        await interaction.edit_original_response(content=render_admin.reports_text(reports),
                                                 allowed_mentions=NO_PINGS)

    @app_commands.command(description="Close a report with a note")
    @app_commands.describe(report="Report number from /quiz reports list", note="What was done")
    @admin_only
    async def resolve(self, interaction: Interaction, report: app_commands.Range[int, 1],
                      note: app_commands.Range[str, 1, 500] = "resolved") -> None:
        """Resolve one report."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        service = deps(interaction).service
        await service.admin.resolve_report(server_of(interaction), report, str(interaction.user.id), note)
        await interaction.edit_original_response(content=f"Report #{report} resolved.")


@app_commands.command(description="Admins: participation, accuracy per domain, hardest questions")
@admin_only
async def serverstats(interaction: Interaction) -> None:
    """The server's figures for admins."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    stats = await deps(interaction).service.admin.server_stats(server_of(interaction))
    await interaction.edit_original_response(content=render_admin.server_stats_text(stats))


@app_commands.command(description="Admins: download the answers and board as CSV or JSON")
@app_commands.describe(period="week (default), month or all time", fmt="csv (default) or json")
@app_commands.rename(fmt="format")
@admin_only
async def export(interaction: Interaction, period: Literal["week", "month", "all"] = "week",
                 fmt: Literal["csv", "json"] = "csv") -> None:
    """Upload the export privately to the admin who asked."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    file = await export_of(interaction, Period(period), ExportFormat(fmt))
    if len(file.content) > interaction.filesize_limit:
        raise QuizError(f"The export is {len(file.content) // 1024} KiB, over Discord's upload limit; pick a "
                        f"shorter period, or run `quizbot export --server discord:{interaction.guild_id}` on the host.")
    upload = discord.File(io.BytesIO(file.content), filename=file.filename)
    await interaction.edit_original_response(content=f"Answers and board, {period_label(Period(period))}.",
                                             attachments=[upload])


async def export_of(interaction: Interaction, period: Period, fmt: ExportFormat) -> ExportFile:
    """The export file, built in the server's timezone; clear refusals when it cannot be made."""
    quiz, server = deps(interaction), server_of(interaction)
    if quiz.exporter is None:
        raise QuizError("Exports are not enabled in this deployment; the host can run `quizbot export`.")
    timezone = (await quiz.service.config(server)).timezone
    try:
        return await quiz.exporter.file(server, period, fmt, timezone)
    except UnknownServer:
        raise QuizError("Nothing to export yet: no question was asked in this server.") from None
