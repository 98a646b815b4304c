"""Outcomes as Block Kit: pure functions, the only Slack message formatting.

Letters go on the buttons and choice text in the body, so every choice fits
Slack's 75-character button limit whatever its length.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.adapters.slack_adapter.ids import (
    answer_id,
    escape,
    exam_answer_id,
    exam_pick_id,
    exam_submit_id,
    pick_id,
    round_block_id,
    submit_id,
)
from bot.engine.limits import question_text
from bot.engine.model import DOMAIN_NAMES, Attempt, Period, Question, QuestionType, Round, RoundKind
from bot.engine.outcomes import AnswerResult, Leaderboard, PlayerStats, Recap, Reveal

Block = dict[str, Any]


@dataclass(frozen=True)
class Message:
    """A Slack message: the notification fallback text and its blocks."""

    text: str
    blocks: tuple[Block, ...] = ()

    def kwargs(self) -> dict[str, Any]:
        """Arguments for ``chat.postMessage``, ``chat.update`` or ``respond``."""
        return {"text": self.text, "blocks": list(self.blocks)}


def section(text: str) -> Block:
    """A mrkdwn section (callers keep text under Slack's 3,000 characters)."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> Block:
    """Small grey text under a message."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _how_to_answer(question: Question) -> str:
    if question.type is QuestionType.MULTI:
        return f"Tick {len(question.answer)} boxes, then Submit."
    return "Pick a letter."


def answer_controls(question: Question, round_id: int, *, exam: bool = False) -> Block:
    """Letter buttons, or checkboxes plus Submit for a multi question; ``exam`` uses the exam ids."""
    answer, pick, submit = (exam_answer_id, exam_pick_id, exam_submit_id) if exam else (answer_id, pick_id, submit_id)
    if question.type is not QuestionType.MULTI:
        buttons = [
            {"type": "button", "text": {"type": "plain_text", "text": letter},
             "action_id": answer(round_id, i), "value": answer(round_id, i)}
            for i, letter in enumerate(question.letters)
        ]
        return {"type": "actions", "block_id": round_block_id(round_id), "elements": buttons}
    options = [{"text": {"type": "plain_text", "text": letter}, "value": answer(round_id, i)}
               for i, letter in enumerate(question.letters)]
    return {"type": "actions", "block_id": round_block_id(round_id), "elements": [
        {"type": "checkboxes", "action_id": pick(round_id), "options": options},
        {"type": "button", "text": {"type": "plain_text", "text": "Submit"}, "style": "primary",
         "action_id": submit(round_id), "value": submit(round_id)},
    ]}


def question_message(question: Question, round_: Round, *, count: int | None = None, mention: str = "",
                     title: str | None = None) -> Message:
    """A daily post (with its answer count) or a private practice question, with answer controls."""
    title = title or ("Question of the day" if round_.kind is RoundKind.DAILY else "Practice question")
    head = f"{mention} *{title}*".strip()
    meta = f"{question.topic} · domain {question.domain}: {DOMAIN_NAMES[question.domain]}"
    foot = _how_to_answer(question)
    if count is not None:
        foot = f"{count} answered · {foot} Your answer stays private."
    blocks = (
        section(f"{head}\n{escape(meta)}"),
        section(escape(question_text(question.prompt, question.choices))),
        answer_controls(question, round_.id),
        context(foot),
    )
    return Message(f"{title}: {question.prompt[:200]}", blocks)


def verdict_message(result: AnswerResult) -> Message:
    """Correct or not, the key, and the explanation; shown only to the player."""
    if result.correct:
        head = f":white_check_mark: *Correct!* +{result.points} points"
    else:
        head = f":x: *Incorrect.* The answer is *{result.question.key_letters()}*."
    return Message(head, (section(head), section(escape(result.explanation))))


def answered_message(question: Question, attempt: Attempt) -> Message:
    """Today's question for a player who already answered it."""
    letters = "".join(question.letters[i] for i in sorted(attempt.choices))
    text = f"You answered *{letters}* today; the answer is revealed later."
    return Message(text, (section(escape(question_text(question.prompt, question.choices))), context(text)))


def reveal_message(reveal: Reveal) -> Message:
    """The daily post after the reveal: key, distribution and explanation, no buttons."""
    question = reveal.question
    lines = []
    for index, picked in enumerate(reveal.distribution):
        mark = " :white_check_mark:" if index in question.answer else ""
        lines.append(f"*{question.letters[index]}*{mark}  {picked}")
    summary = (f"*Answer: {question.key_letters()}* · {reveal.answered} answered, "
               f"{reveal.percent_correct:.0f}% correct")
    blocks = (
        section("*Question of the day* (closed)"),
        section(escape(question_text(question.prompt, question.choices))),
        section(summary + "\n" + "\n".join(lines)),
        section(escape(question.explanation)),
    )
    return Message(f"Answer: {question.key_letters()}", blocks)


def recap_message(recap: Recap) -> Message:
    """The first correct answerers and their streaks, posted under the reveal."""
    if not recap.top:
        text = "Nobody got today's question right. Tomorrow is another day!"
    else:
        names = ", ".join(f"<@{user}> (streak {streak})" for user, streak in recap.top)
        text = f"First right today: {names}"
    return Message(text, (section(text),))


def leaderboard_text(board: Leaderboard) -> str:
    """The board as mrkdwn, with the asking player's row when they are below the top."""
    label = "all time" if board.period is Period.ALL else f"this {board.period.value}"
    if not board.entries:
        return f"*Leaderboard, {label}*\nNo points yet: answer today's question to get on the board."
    rows = [f"{s.rank}. <@{s.user_id}> {s.points} pts ({s.correct}/{s.answered})" for s in board.entries]
    me = board.me
    if me and all(s.user_id != me.user_id for s in board.entries):
        rows.append(f"…\n{me.rank}. <@{me.user_id}> {me.points} pts ({me.correct}/{me.answered})")
    return f"*Leaderboard, {label}*\n" + "\n".join(rows)


def stats_text(stats: PlayerStats) -> str:
    """Answered, accuracy, points, streak and accuracy by domain (readiness is ``study_blocks.study_text``)."""
    head = (f"*Stats of <@{stats.player.user_id}>*: {stats.answered} answered, {stats.accuracy:.0%} correct"
            f" · {stats.points} points · streak {stats.current_streak} (best {stats.best_streak})")
    if not stats.answered:
        return head + "\nAnswer a question to start the stats."
    lines = [f"• {row.name}: {row.correct}/{row.answered} ({row.accuracy:.0%})" for row in stats.by_domain]
    return head + "\n" + "\n".join(lines)


def usage_text(topics: frozenset[str]) -> str:
    """What ``/quiz`` understands."""
    return (
        "*/quiz* commands:\n"
        "• `/quiz question [topic | domain N]` a private practice question\n"
        "• `/quiz review` a missed question that is due again\n"
        "• `/quiz exam [N]` a private mock exam (default 20 questions), or resume yours\n"
        "• `/quiz today` today's question and your answer\n"
        "• `/quiz leaderboard [week|month|all] [people|teams]` the boards\n"
        "• `/quiz stats [@user]` accuracy, readiness per domain, review queue\n"
        "• `/quiz team [list | join NAME | leave]`; admins: `create NAME`, `rename OLD NEW`, `delete NAME`,"
        " `assign @user NAME`\n"
        "• Admins: `/quiz config` settings (`config show`, `config <setting> <value>`), `/quiz reports`,"
        " `/quiz serverstats`, `/quiz export [week|month|all] [csv|json]`\n"
        f"Topics: {', '.join(sorted(topics))}"
    )
