"""Letter buttons, the multi-answer menu and the report button, as restart-safe ``DynamicItem``s.

The round id and the letter live in the ``custom_id``
(``quiz:answer:<round_id>:<letter>``), so a click on a post made before a
restart still reaches the service: discord.py rebuilds the item from the
message's components and the template, with no per-message registration.
Callbacks run through :class:`QuizItem`, which sends failures to the adapter's
one error handler (discord.py would only log them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any, Self

import discord

from bot.adapters.discord_adapter import render
from bot.adapters.discord_adapter.deps import deps, player_of, sync_team_roles
from bot.adapters.discord_adapter.errors import handle_error
from bot.engine.model import LETTERS, Question, QuestionType, RoundKind

log = logging.getLogger(__name__)

BUTTONS_PER_ROW = 5
Interaction = discord.Interaction[Any]


class QuizItem:
    """Mixin: run the item's work and route any failure to :func:`handle_error`.

    Every subclass defines ``run(interaction)``; the mixin only owns the error path.
    """

    run: Callable[[Interaction], Awaitable[None]]

    async def callback(self, interaction: Interaction) -> None:
        """discord.py entry point; never lets an exception reach discord.py's bare logger."""
        try:
            await self.run(interaction)
        except Exception as exc:
            await handle_error(interaction, exc)


async def answer(interaction: Interaction, round_id: int, letters: str) -> None:
    """Acknowledge privately, submit the letters, reply with the verdict, schedule a count edit.

    Team roles are applied first, so the points go to the team the member's roles put them in.
    """
    await interaction.response.defer(ephemeral=True, thinking=True)
    quiz = deps(interaction)
    await sync_team_roles(interaction)
    choices = frozenset(LETTERS.index(letter) for letter in letters)
    result = await quiz.service.submit_answer(round_id, player_of(interaction), choices)
    await interaction.edit_original_response(content=render.verdict(result))
    posted = result.round
    if posted.kind is RoundKind.DAILY and posted.channel_id and posted.message_ref:
        quiz.counter.touch(round_id, int(posted.channel_id), int(posted.message_ref))


class AnswerButton(QuizItem, discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=r"quiz:answer:(?P<round_id>\d+):(?P<letter>[A-F])"):
    """One letter of a single-answer or true/false question."""

    def __init__(self, round_id: int, letter: str, *, disabled: bool = False) -> None:
        self.round_id, self.letter = round_id, letter
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=letter, style=discord.ButtonStyle.primary, disabled=disabled,
            custom_id=f"quiz:answer:{round_id}:{letter}", row=LETTERS.index(letter) // BUTTONS_PER_ROW)
        super().__init__(button)

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str]) -> Self:
        """Rebuild from the clicked ``custom_id``; no I/O here (failures would be silent)."""
        return cls(int(match["round_id"]), match["letter"])

    async def run(self, interaction: Interaction) -> None:
        """Submit this letter."""
        await answer(interaction, self.round_id, self.letter)


class AnswerSelect(QuizItem, discord.ui.DynamicItem[discord.ui.Select[Any]],
                   template=r"quiz:answer:(?P<round_id>\d+):pick"):
    """The menu of a multi-answer question: exactly as many letters as the key has."""

    def __init__(self, round_id: int, options: list[discord.SelectOption], picks: int, *,
                 disabled: bool = False) -> None:
        self.round_id = round_id
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=f"quiz:answer:{round_id}:pick", placeholder=f"Pick {picks} letters",
            min_values=picks, max_values=picks, options=options, disabled=disabled, row=0)
        super().__init__(select)

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str]) -> Self:
        """Rebuild from the message's own menu, which carries the options and the pick count."""
        if not isinstance(item, discord.ui.Select):
            raise TypeError("quiz:answer:<id>:pick must be a select menu")
        return cls(int(match["round_id"]), item.options, item.min_values)

    async def run(self, interaction: Interaction) -> None:
        """Submit the picked letters."""
        await answer(interaction, self.round_id, "".join(sorted(self.item.values)))


class ReportButton(QuizItem, discord.ui.DynamicItem[discord.ui.Button[Any]],
                   template=r"quiz:report:(?P<round_id>\d+)"):
    """Opens the report form; the modal is the acknowledgement, so nothing runs before it."""

    def __init__(self, round_id: int) -> None:
        self.round_id = round_id
        super().__init__(discord.ui.Button(label="Report question", style=discord.ButtonStyle.secondary,
                                           custom_id=f"quiz:report:{round_id}", row=2))

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: discord.ui.Item[Any], match: re.Match[str]) -> Self:
        """Rebuild from the clicked ``custom_id``."""
        return cls(int(match["round_id"]))

    async def run(self, interaction: Interaction) -> None:
        """Show the form."""
        await interaction.response.send_modal(ReportModal(self.round_id))


class ReportModal(discord.ui.Modal, title="Report this question"):
    """Reason and description of what is wrong; the engine validates both."""

    reason: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="Reason", placeholder="wrong key, unclear, outdated, typo or other", max_length=20)
    details: discord.ui.TextInput[Any] = discord.ui.TextInput(
        label="What is wrong?", style=discord.TextStyle.paragraph, max_length=1000)

    def __init__(self, round_id: int) -> None:
        super().__init__(timeout=900)
        self.round_id = round_id

    async def on_submit(self, interaction: Interaction) -> None:
        """Store the report against the round's question."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        service = deps(interaction).service
        opened = await service.round_by_id(self.round_id)
        report = await service.admin.report_question(player_of(interaction), opened.question.id, self.reason.value,
                                               self.details.value, round_id=self.round_id)
        await interaction.edit_original_response(content=f"Thanks! Report #{report.id} was sent to the admins.")

    async def on_error(self, interaction: Interaction, error: Exception, /) -> None:  # type: ignore[override]
        """The adapter's one error path."""
        await handle_error(interaction, error)


def question_view(round_id: int, question: Question, *, disabled: bool = False) -> discord.ui.View:
    """Letter buttons (or the multi menu) plus the report button, all restart-safe."""
    view = discord.ui.View(timeout=None)
    if question.type is QuestionType.MULTI:
        options = [discord.SelectOption(label=letter, value=letter, description=render.clip(choice, 100))
                   for letter, choice in zip(question.letters, question.choices, strict=True)]
        view.add_item(AnswerSelect(round_id, options, len(question.answer), disabled=disabled))
    else:
        for letter in question.letters:
            view.add_item(AnswerButton(round_id, letter, disabled=disabled))
    if not disabled:
        view.add_item(ReportButton(round_id))
    return view


DYNAMIC_ITEMS = (AnswerButton, AnswerSelect, ReportButton)
