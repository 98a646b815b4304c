"""Outcomes as Discord embeds and text: the only Discord formatting.

Everything here is a pure function of engine values, so the limits Discord
enforces (embed description 4096, field value 1024, select option 100) are
applied in one place and the tests' fake can check them on the wire.
"""

from __future__ import annotations

import discord

from bot.engine.limits import question_text
from bot.engine.model import DOMAIN_NAMES, LETTERS, Attempt, Period, Question, QuestionType, ServerConfig
from bot.engine.outcomes import AnswerResult, Leaderboard, Recap, Reveal

DAILY_COLOUR = discord.Colour.blurple()
FIELD_LIMIT = 1024
OPTION_LIMIT = 100


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to ``limit`` characters with an ellipsis, so a long item never breaks a post."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def how_to_answer(question: Question) -> str:
    """One line telling the player how many letters to pick."""
    if question.type is QuestionType.MULTI:
        return f"Pick {len(question.answer)} letters in the menu."
    return "Click a letter."


def footer(question: Question, answered: int | None) -> str:
    """Topic, domain and id (for reports), plus the public answer count of a daily post."""
    text = f"{question.topic} · domain {question.domain}: {DOMAIN_NAMES[question.domain]} · {question.id}"
    return text if answered is None else f"{text} · {answered} answered"


def question_embed(question: Question, title: str, answered: int | None = None) -> discord.Embed:
    """The prompt with lettered choices in the body; the buttons carry only letters."""
    body = f"{question_text(question.prompt, question.choices)}\n\n*{how_to_answer(question)}*"
    embed = discord.Embed(title=title, description=body, colour=DAILY_COLOUR)
    return embed.set_footer(text=footer(question, answered))


def reveal_embed(reveal: Reveal) -> discord.Embed:
    """The daily post after the reveal: key, how people answered and why."""
    question = reveal.question
    embed = discord.Embed(title="Question of the day: revealed", colour=discord.Colour.green(),
                          description=question_text(question.prompt, question.choices))
    embed.add_field(name="Answer", value=question.key_letters(), inline=True)
    embed.add_field(name="Answered", value=f"{reveal.answered} ({reveal.percent_correct:.0f}% correct)", inline=True)
    embed.add_field(name="How people answered", value=distribution(reveal), inline=False)
    embed.add_field(name="Why", value=clip(question.explanation, FIELD_LIMIT), inline=False)
    return embed.set_footer(text=footer(question, None))


def distribution(reveal: Reveal) -> str:
    """One line per choice with a bar, the count and a tick on the key."""
    total = max(reveal.answered, 1)
    lines = []
    for index, count in enumerate(reveal.distribution):
        bar = "█" * round(10 * count / total)
        mark = " ✓" if index in reveal.question.answer else ""
        lines.append(f"`{LETTERS[index]}` {bar} {count}{mark}")
    return "\n".join(lines)


def recap_text(recap: Recap) -> str:
    """The message after a reveal naming the first correct answerers and their streaks."""
    reveal = recap.reveal
    head = f"**Answer: {reveal.question.key_letters()}** · {reveal.correct}/{reveal.answered} correct."
    if not recap.top:
        return f"{head} Nobody got it this time; try `/quiz question` to practise."
    names = ", ".join(f"<@{user}> (streak {streak})" for user, streak in recap.top)
    return f"{head} First right: {names}"


def verdict(result: AnswerResult) -> str:
    """The private reply to an answer: correct or not, the key, the explanation."""
    if result.correct:
        head = f"✅ Correct! +{result.points} points."
    else:
        head = f"❌ Incorrect. The answer is **{result.question.key_letters()}**."
    return clip(f"{head}\n{result.explanation}", 2000)


def status_line(attempt: Attempt, revealed: bool) -> str:
    """What ``/quiz today`` says to someone who already answered."""
    letters = "".join(LETTERS[i] for i in sorted(attempt.choices))
    if not revealed:
        return f"You answered **{letters}**; the answer is revealed later today."
    return f"You answered **{letters}**: {'correct' if attempt.correct else 'incorrect'}."


def period_label(period: Period) -> str:
    """"all time", "this week" or "this month"."""
    return "all time" if period is Period.ALL else f"this {period.value}"


def leaderboard_text(board: Leaderboard) -> str:
    """The board as lines of rank, mention and points; the asker's row added when below the top."""
    label = period_label(board.period)
    if not board.entries:
        return f"**Leaderboard, {label}**\nNo points yet: answer today's question to get on the board."
    lines = [f"**Leaderboard, {label}**"]
    rows = list(board.entries)
    if board.me and all(row.user_id != board.me.user_id for row in rows):
        rows.append(board.me)
    lines.extend(f"{r.rank}. <@{r.user_id}> · {r.points} pts · {r.correct}/{r.answered}" for r in rows)
    return clip("\n".join(lines), 2000)


def config_text(config: ServerConfig) -> str:
    """The server's settings as admins see them after a change or with ``/quiz config show``."""
    reveal = config.reveal_time or "at the next post"
    lines = [
        f"Daily question: **{'on' if config.enabled else 'off'}**",
        f"Channel: {f'<#{config.channel_id}>' if config.channel_id else 'not set'}",
        f"Time: {config.post_time} ({config.timezone}) on {', '.join(config.weekdays)}",
        f"Reveal: {reveal}",
        f"Topics: {', '.join(config.topics) or 'all'}",
    ]
    return "\n".join(lines)
