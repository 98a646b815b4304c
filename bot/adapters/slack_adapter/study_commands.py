"""``/quiz review``, ``/quiz exam`` (and its buttons) and ``/quiz stats``: personal study, privately."""

from __future__ import annotations

import re

from bot.adapters.slack_adapter import blocks, study_blocks
from bot.adapters.slack_adapter.ids import unwrap_mentions
from bot.adapters.slack_adapter.invocation import Invocation, reply
from bot.engine.errors import QuizError
from bot.engine.exam import DEFAULT_COUNT
from bot.engine.model import PlayerKey
from bot.engine.outcomes import ExamReport, ExamStep
from bot.engine.service import QuizService

_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
NO_EXAM = "You have no exam running; start one with `/quiz exam`."


async def review(service: QuizService, inv: Invocation) -> None:
    """``review``: the most overdue missed question, answered like a practice question."""
    if inv.args:
        raise QuizError("Usage: /quiz review")
    opened = await service.open_review(inv.player)
    await reply(inv, blocks.question_message(opened.question, opened.round, title="Review question"))


async def exam(service: QuizService, inv: Invocation) -> None:
    """``exam [N]``: start a mock exam of N questions, or resume the running one."""
    if len(inv.args) > 1 or (inv.args and not inv.args[0].isdigit()):
        raise QuizError("Usage: /quiz exam [number of questions, 1-65]")
    count = int(inv.args[0]) if inv.args else DEFAULT_COUNT
    await reply(inv, study_blocks.exam_message(await service.exams.start(inv.player, count)))


async def answer_exam(
    service: QuizService, player: PlayerKey, round_id: int, choices: frozenset[int]
) -> ExamStep | ExamReport:
    """Answer the exam question the clicked control belongs to; return what the exam shows next.

    ``exams.answer`` answers whichever question is current, so a double click
    (two deliveries handled concurrently) or a click on an older message
    would land on the *next* question. Submitting to the pinned round makes
    the second click an ``AlreadyAnswered`` instead. ``current`` still runs
    first so a click after the deadline gets the report, not a late answer.
    """
    step = await service.exams.current(player)
    if step is None:
        raise QuizError(NO_EXAM)
    if isinstance(step, ExamReport):
        return step
    if step.round.id != round_id:
        raise QuizError("That exam question is no longer the current one; `/quiz exam` shows where you are.")
    await service.submit_answer(round_id, player, choices)  # the verdict is dropped until the report
    after = await service.exams.current(player)
    if after is None:
        raise QuizError(NO_EXAM)
    return after


async def stats(service: QuizService, inv: Invocation) -> None:
    """``stats [@user]``: accuracy, points, streak, readiness per domain and the review queue."""
    user_id = unwrap_mentions(inv.args[0]) if inv.args else inv.player.user_id
    if len(inv.args) > 1 or not _USER_ID.match(user_id):
        raise QuizError("Usage: /quiz stats [@user]")
    figures = await service.stats(inv.player.server.player(user_id))
    sections = [blocks.section(blocks.stats_text(figures))]
    if figures.study is not None and figures.answered:
        sections.append(blocks.section(study_blocks.study_text(figures.study)))
    await reply(inv, blocks.Message(f"Stats of <@{user_id}>", tuple(sections)))
