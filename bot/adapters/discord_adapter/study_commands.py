"""``/quiz review`` and ``/quiz exam``: spaced-repetition review and private mock exams.

Module-level commands that :class:`commands.QuizGroup` adds, so the group's
file stays small. Review rounds are practice rounds, answered with the usual
letter buttons; exam questions use the verdict-free buttons of
:mod:`exam_components`.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord_adapter import components, render
from bot.adapters.discord_adapter.deps import deps, player_of
from bot.adapters.discord_adapter.exam_components import show_exam
from bot.engine.exam import DEFAULT_COUNT, REAL_EXAM_ITEMS

Interaction = discord.Interaction[Any]


@app_commands.command(description="Your missed questions that are due again (spaced repetition)")
async def review(interaction: Interaction) -> None:
    """The most overdue missed question, as a private practice round."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    opened = await deps(interaction).service.open_review(player_of(interaction))
    await interaction.edit_original_response(embed=render.question_embed(opened.question, "Review"),
                                             view=components.question_view(opened.round.id, opened.question))


@app_commands.command(description="A private mock exam, answers revealed at the end; resumes a running one")
@app_commands.describe(count=f"Questions (default {DEFAULT_COUNT}; the real exam has {REAL_EXAM_ITEMS})")
async def exam(interaction: Interaction,
               count: app_commands.Range[int, 1, REAL_EXAM_ITEMS] = DEFAULT_COUNT) -> None:
    """Start (or resume) the player's exam and show its current question."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    await show_exam(interaction, await deps(interaction).service.exams.start(player_of(interaction), count))
