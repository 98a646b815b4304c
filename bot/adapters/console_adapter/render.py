"""Outcomes as rich renderables: the only console formatting."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from bot.engine.limits import question_text
from bot.engine.model import DOMAIN_NAMES, Period, Question, QuestionType, ServerConfig
from bot.engine.outcomes import AnswerResult, Leaderboard, PlayerStats, Reveal


def question_panel(question: Question, title: str) -> Panel:
    """The question with lettered choices and how to answer."""
    how = (
        f"Answer with {len(question.answer)} letters, e.g. AC."
        if question.type is QuestionType.MULTI
        else f"Answer with one letter ({question.letters})."
    )
    subtitle = f"{question.topic} · domain {question.domain}: {DOMAIN_NAMES[question.domain]} · {question.id}"
    body = Group(Text(question_text(question.prompt, question.choices)), Text(""), Text(how, style="dim"))
    return Panel(body, title=title, subtitle=subtitle, title_align="left", subtitle_align="left")


def verdict(result: AnswerResult) -> RenderableType:
    """Correct or incorrect, the key and the explanation."""
    if result.correct:
        head = Text(f"Correct! +{result.points} points", style="bold green")
    else:
        head = Text(f"Incorrect. The answer is {result.question.key_letters()}.", style="bold red")
    return Group(head, Text(result.explanation))


def reveal_table(reveal: Reveal) -> RenderableType:
    """Key, distribution per choice and % correct."""
    head = Text(f"Answer: {reveal.question.key_letters()} · {reveal.answered} answered, "
                f"{reveal.percent_correct:.0f}% correct", style="bold")
    table = Table()
    table.add_column("Choice")
    table.add_column("Picked", justify="right")
    for index, count in enumerate(reveal.distribution):
        letter = reveal.question.letters[index]
        mark = " ✓" if index in reveal.question.answer else ""
        table.add_row(f"{letter}{mark}", str(count))
    return Group(head, table, Text(reveal.question.explanation))


def leaderboard_table(board: Leaderboard) -> RenderableType:
    """The board, with the asking player's row if they are below the top."""
    label = "all time" if board.period is Period.ALL else f"this {board.period.value} ({board.period_key[1:]})"
    table = Table(title=f"Leaderboard, {label}")
    for name, justify in (("#", "right"), ("Player", "left"), ("Points", "right"), ("Correct", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in board.entries:
        table.add_row(str(row.rank), row.user_id, str(row.points), f"{row.correct}/{row.answered}")
    if not board.entries:
        return Text("No points yet in this period: answer today's question to get on the board.")
    if board.me and all(row.user_id != board.me.user_id for row in board.entries):
        me = board.me
        table.add_row(str(me.rank), me.user_id, str(me.points), f"{me.correct}/{me.answered}", style="bold")
    return table


def stats_table(stats: PlayerStats) -> RenderableType:
    """Personal accuracy by domain and the daily streak."""
    summary = Text(
        f"{stats.answered} answered, {stats.accuracy:.0%} correct · streak {stats.current_streak}"
        f" (best {stats.best_streak})"
    )
    if not stats.answered:
        return Group(summary, Text("Answer a question to start your stats.", style="dim"))
    table = Table(title="By exam domain")
    table.add_column("Domain")
    table.add_column("Answered", justify="right")
    table.add_column("Accuracy", justify="right")
    for row in stats.by_domain:
        table.add_row(row.name, str(row.answered), f"{row.accuracy:.0%}")
    return Group(summary, table)


def config_table(config: ServerConfig) -> Table:
    """A server's settings, one per row, named as ``/config`` takes them."""
    table = Table(title="Server settings")
    table.add_column("setting")
    table.add_column("value")
    rows = {
        "channel": config.channel_id or "(none)", "enabled": "on" if config.enabled else "off",
        "time": config.post_time, "timezone": config.timezone, "weekdays": ",".join(config.weekdays),
        "reveal": config.reveal_time or "next post or 24 h", "topics": ",".join(config.topics) or "any",
        "domain": str(config.domain or "any"), "practice_on_board": "on" if config.practice_on_board else "off",
        "admins": ",".join(config.admins) or "(platform admins)",
    }
    for name, value in rows.items():
        table.add_row(name, value)
    return table
