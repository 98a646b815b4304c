"""Mock-exam answer buttons: ``quiz:exam:<round_id>:<letter>``, restart-safe, with no verdict.

A click records the answer through ``service.exams.answer`` and edits the same
private message into the next question (or the final report), so the player
never sees whether an answer was right before the end. The click only counts
when its round is still the exam's current question: a double click, or a
click on an older exam message, re-shows the current question instead of
answering it with a letter meant for another one. A per-player lock makes that
check and the answer one step.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Self

import discord

from bot.adapters.discord_adapter import render, render_study
from bot.adapters.discord_adapter.components import BUTTONS_PER_ROW, QuizItem
from bot.adapters.discord_adapter.deps import deps, player_of
from bot.engine.model import LETTERS, QuestionType
from bot.engine.outcomes import ExamReport, ExamStep

log = logging.getLogger(__name__)

Interaction = discord.Interaction[Any]
ENDED = "This mock exam has ended; start a new one with `/quiz exam`."


async def show_exam(interaction: Interaction, step: ExamStep | ExamReport | None) -> None:
    """Edit the acknowledged message into the current question, the report, or the end note."""
    if step is None:
        await interaction.edit_original_response(content=ENDED, embed=None, view=None)
    elif isinstance(step, ExamReport):
        await interaction.edit_original_response(content=None, embeds=render_study.exam_report_embeds(step),
                                                 view=None)
    else:
        await interaction.edit_original_response(content=None, embed=render_study.exam_step_embed(step),
                                                 view=exam_view(step))


async def answer_exam(interaction: Interaction, round_id: int, letters: str) -> None:
    """Update the exam message in place; answer only if ``round_id`` is still the current question."""
    await interaction.response.defer()
    quiz, player = deps(interaction), player_of(interaction)
    choices = frozenset(LETTERS.index(letter) for letter in letters)
    async with quiz.exam_locks.hold(player):
        step = await quiz.service.exams.current(player)
        if isinstance(step, ExamStep) and step.round.id == round_id:
            step = await quiz.service.exams.answer(player, choices)
        else:
            log.info("stale exam click by %s on round %s", player.user_id, round_id)
    await show_exam(interaction, step)


class ExamButton(QuizItem, discord.ui.DynamicItem[discord.ui.Button[Any]],
                 template=r"quiz:exam:(?P<round_id>\d+):(?P<letter>[A-F])"):
    """One letter of a single-answer or true/false exam question; neutral colour, no feedback."""

    def __init__(self, round_id: int, letter: str) -> None:
        self.round_id, self.letter = round_id, letter
        super().__init__(discord.ui.Button(
            label=letter, style=discord.ButtonStyle.secondary, custom_id=f"quiz:exam:{round_id}:{letter}",
            row=LETTERS.index(letter) // BUTTONS_PER_ROW))

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str]) -> Self:
        """Rebuild from the clicked ``custom_id``."""
        return cls(int(match["round_id"]), match["letter"])

    async def run(self, interaction: Interaction) -> None:
        """Answer with this letter."""
        await answer_exam(interaction, self.round_id, self.letter)


class ExamSelect(QuizItem, discord.ui.DynamicItem[discord.ui.Select[Any]],
                 template=r"quiz:exam:(?P<round_id>\d+):pick"):
    """The menu of a multi-answer exam question (as many picks as the question asks for)."""

    def __init__(self, round_id: int, options: list[discord.SelectOption], picks: int) -> None:
        self.round_id = round_id
        super().__init__(discord.ui.Select(
            custom_id=f"quiz:exam:{round_id}:pick", placeholder=f"Pick {picks} letters",
            min_values=picks, max_values=picks, options=options, row=0))

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str]) -> Self:
        """Rebuild from the message's own menu."""
        if not isinstance(item, discord.ui.Select):
            raise TypeError("quiz:exam:<id>:pick must be a select menu")
        return cls(int(match["round_id"]), item.options, item.min_values)

    async def run(self, interaction: Interaction) -> None:
        """Answer with the picked letters."""
        await answer_exam(interaction, self.round_id, "".join(sorted(self.item.values)))


def exam_view(step: ExamStep) -> discord.ui.View:
    """Letter buttons or the multi menu of the current exam question."""
    view = discord.ui.View(timeout=None)
    question = step.question
    if question.type is QuestionType.MULTI:
        options = [discord.SelectOption(label=letter, value=letter, description=render.clip(choice, 100))
                   for letter, choice in zip(question.letters, question.choices, strict=True)]
        view.add_item(ExamSelect(step.round.id, options, len(question.answer)))
    else:
        for letter in question.letters:
            view.add_item(ExamButton(step.round.id, letter))
    return view


EXAM_ITEMS = (ExamButton, ExamSelect)
