"""Study outcomes as Discord text and embeds: readiness, exams, teams.

Pure functions of engine values, like :mod:`render`. Exam steps carry no
verdict by construction: they only read the question, the position and the
time left, never an attempt.
"""

from __future__ import annotations

import discord

from bot.adapters.discord_adapter.render import FIELD_LIMIT, clip, period_label, question_embed
from bot.engine.model import Period, Team, TeamStanding
from bot.engine.outcomes import PASS_PERCENT, ExamReport, ExamStep, PlayerStats, StudyReport
from bot.engine.study import next_due_text

BAR_WIDTH = 10
EMBED_BUDGET = 5500  # of Discord's 6000 characters across a message's embeds
MISSED_FIELDS = 20  # of 25 fields, leaving room for the per-domain rows


def bar(score: int) -> str:
    """A 0-100 score as a ten-cell bar, e.g. ``██████░░░░``."""
    filled = round(BAR_WIDTH * max(0, min(100, score)) / 100)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def stats_text(stats: PlayerStats) -> str:
    """Answers, points and streak, accuracy per domain, then readiness and the review queue."""
    head = (f"<@{stats.player.user_id}>: {stats.answered} answered, {stats.accuracy:.0%} correct · "
            f"{stats.points} pts · streak {stats.current_streak} (best {stats.best_streak})")
    if not stats.answered:
        return f"{head}\nAnswer a question to start the stats."
    rows = [f"• {d.name}: {d.correct}/{d.answered} ({d.accuracy:.0%})" for d in stats.by_domain]
    study = study_lines(stats.study) if stats.study else []
    return clip("\n".join([head, *rows, *study]), 2000)


def study_lines(study: StudyReport) -> list[str]:
    """Readiness bars per domain, the review queue and what to practise next."""
    seen = {name: (count, total) for name, count, total in study.coverage}
    lines = [f"**Exam readiness {study.overall_readiness}/100**"]
    for name, score in study.readiness:
        count, total = seen.get(name, (0, 0))
        lines.append(f"`{bar(score)} {score:>3}` {name} · seen {count}/{total}")
    lines.append(f"Review: **{study.due_now}** due now · next: {next_due_text(study.next_due)}")
    if study.weakest_topics:
        weakest = ", ".join(f"`{t}`" for t in study.weakest_topics)
        lines.append(f"Weakest topics: {weakest}; practise with `/quiz question topic:{study.weakest_topics[0]}`.")
    return lines


def exam_title(step: ExamStep) -> str:
    """Position and time left; nothing about earlier answers."""
    minutes = max(0, int(step.remaining.total_seconds() // 60))
    return f"Mock exam {step.position}/{step.count} · {minutes} min left"


def exam_step_embed(step: ExamStep) -> discord.Embed:
    """The current exam question; answers are revealed in the report only."""
    embed = question_embed(step.question, exam_title(step))
    return embed.set_footer(text=f"Answers are revealed at the end · pass line {PASS_PERCENT:.0f}%")


def exam_report_embeds(report: ExamReport) -> list[discord.Embed]:
    """Score and per-domain accuracy, then the missed items with their explanations, within the embed budget."""
    verdict = "PASS" if report.passed else "not yet"
    note = " · time ran out" if report.timed_out else ""
    summary = discord.Embed(
        title=f"Mock exam: {report.correct}/{report.count} = {report.percent:.0f}% ({verdict}){note}",
        colour=discord.Colour.green() if report.passed else discord.Colour.orange(),
        description=f"Pass line {PASS_PERCENT:.0f}%. Missed items joined your review queue (`/quiz review`).",
    )
    for domain in report.by_domain:
        summary.add_field(name=domain.name, value=f"{domain.correct}/{domain.answered} ({domain.accuracy:.0%})")
    if not report.missed:
        return [summary]
    missed = discord.Embed(title="Missed items", colour=discord.Colour.orange())
    used = len(summary) + len(missed.title or "")
    shown = 0
    for question in report.missed[:MISSED_FIELDS]:
        name = clip(f"{question.id} · answer {question.key_letters()}", 256)
        value = clip(f"*{clip(question.prompt, 120)}*\n{question.explanation}", min(FIELD_LIMIT, 400))
        if used + len(name) + len(value) > EMBED_BUDGET:
            break
        missed.add_field(name=name, value=value, inline=False)
        used += len(name) + len(value)
        shown += 1
    if shown < len(report.missed):
        missed.set_footer(text=f"{len(report.missed) - shown} more in your review queue")
    return [summary, missed]


def team_board_text(period: Period, standings: tuple[TeamStanding, ...]) -> str:
    """Teams ranked by points per active member, with participation and streak."""
    head = f"**Team board, {period_label(period)}** (ranked by points per active member)"
    if not standings:
        return f"{head}\nNo teams yet: an admin creates one with `/quiz team create`."
    rows = [f"{s.rank}. **{s.team}** · {s.per_member:.1f} pts/active · {s.points} pts · {s.active} active · "
            f"{s.members} members ({s.participation:.0%} took part) · streak {s.streak}" for s in standings]
    return clip("\n".join([head, *rows]), 2000)


def teams_text(teams: tuple[Team, ...], mine: Team | None, roles: dict[int, str]) -> str:
    """Team names with member counts and mapped roles, marking the asker's own."""
    if not teams:
        return "No teams yet: an admin creates one with `/quiz team create`."
    lines = ["**Teams**"]
    for team in teams:
        role = f" · role <@&{roles[team.id]}>" if team.id in roles else ""
        you = " ← you" if mine is not None and mine.id == team.id else ""
        lines.append(f"• {team.name} ({team.members}){role}{you}")
    if mine is None:
        lines.append("You are in no team: `/quiz team join`.")
    return clip("\n".join(lines), 2000)
