"""Study outcomes as Block Kit: readiness, mock exams, team boards and the admin views.

Pure functions like ``blocks``. An exam step carries the exam's own action
ids and nothing that depends on correctness, so no verdict can leak before
the report. Every section is clipped to Slack's 3,000 characters and every
message stays under its 50 blocks.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.adapters.slack_adapter.blocks import Message, answer_controls, context, section
from bot.adapters.slack_adapter.ids import escape
from bot.engine.limits import question_text
from bot.engine.model import Period, QuestionType, Report, Team, TeamStanding
from bot.engine.outcomes import ExamReport, ExamStep, ServerStats, StudyReport
from bot.engine.study import next_due_text
from bot.reporting.export import ExportFile

BAR_WIDTH = 10
SECTION_LIMIT = 3000
MAX_LISTED = 40  # missed items or reports shown one section each, well under 50 blocks
SPARK = "▁▂▃▄▅▆▇█"


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar(score: int, width: int = BAR_WIDTH) -> str:
    """A 0-100 score as a text bar, e.g. ``██████░░░░``."""
    filled = round(width * max(0, min(100, score)) / 100)
    return "█" * filled + "░" * (width - filled)


def period_label(period: Period) -> str:
    """The period as words: "this week", "this month" or "all time"."""
    return "all time" if period is Period.ALL else f"this {period.value}"


def study_text(study: StudyReport) -> str:
    """Readiness bars per domain with coverage, the review queue and the weakest topics."""
    seen = {name: (count, total) for name, count, total in study.coverage}
    lines = [f"*Exam readiness {study.overall_readiness}/100*"]
    for name, score in study.readiness:
        count, total = seen.get(name, (0, 0))
        lines.append(f"`{bar(score)}` {score:>3} {escape(name)} · seen {count}/{total}")
    review = f"Review: {study.due_now} due now, next {next_due_text(study.next_due)}."
    lines.append(review + (" Practise them with `/quiz review`." if study.due_now else ""))
    if study.weakest_topics:
        topics = ", ".join(study.weakest_topics)
        lines.append(f"Weakest topics: {escape(topics)}. Practise with `/quiz question {study.weakest_topics[0]}`.")
    return clip("\n".join(lines))


def exam_step_message(step: ExamStep) -> Message:
    """One exam question with exam-only controls, its position and the time left; no verdict."""
    question = step.question
    minutes = max(0, int(step.remaining.total_seconds() // 60))
    head = f"*Mock exam* · question {step.position}/{step.count} · {minutes} min left · domain {question.domain}"
    multi = question.type is QuestionType.MULTI
    how = f"Tick {len(question.answer)} boxes, then Submit." if multi else "Pick a letter."
    blocks = (
        section(head),
        section(clip(escape(question_text(question.prompt, question.choices)))),
        answer_controls(question, step.round.id, exam=True),
        context(f"{how} Answers are revealed at the end; `/quiz exam` brings you back here."),
    )
    return Message(f"Mock exam {step.position}/{step.count}: {question.prompt[:200]}", blocks)


def exam_report_message(report: ExamReport) -> Message:
    """Score, pass/fail on the 72 % line, accuracy per domain and the missed items explained."""
    verdict = ":tada: *Pass*" if report.passed else "*Not yet a pass*"
    head = (f"*Mock exam finished*: {report.correct}/{report.count} = {report.percent:.0f}% · {verdict}"
            " (pass line 72%)" + (" · time ran out" if report.timed_out else ""))
    domains = [f"• {escape(d.name)}: {d.correct}/{d.answered} ({d.accuracy:.0%})" for d in report.by_domain]
    blocks = [section(head + "\n" + "\n".join(domains))]
    for question in report.missed[:MAX_LISTED]:
        key = "; ".join(question.choices[i] for i in sorted(question.answer))
        blocks.append(section(clip(f"*{question.id}* · answer *{question.key_letters()}*: {escape(key)}\n"
                                   f"{escape(question.prompt)}\n{escape(question.explanation)}")))
    hidden = len(report.missed) - MAX_LISTED
    tail = "No misses!" if not report.missed else "Missed items joined your review queue: `/quiz review`."
    blocks.append(context(tail + (f" ({hidden} more not shown.)" if hidden > 0 else "")))
    return Message(f"Mock exam finished: {report.correct}/{report.count}", tuple(blocks))


def exam_message(step: ExamStep | ExamReport) -> Message:
    """Whatever the exam shows next: a question or the final report."""
    return exam_report_message(step) if isinstance(step, ExamReport) else exam_step_message(step)


def team_board_text(period: Period, standings: Sequence[TeamStanding]) -> str:
    """Teams ranked by points per active member, with totals, participation and streaks."""
    head = f"*Team board, {period_label(period)}* (ranked by points per active member)"
    if not standings:
        return head + "\nNo teams yet: an admin creates one with `/quiz team create NAME`."
    rows = [f"{s.rank}. *{escape(s.team)}* {s.per_member:.1f} pts/active · {s.points} pts · {s.active}/{s.members}"
            f" active ({s.participation:.0%}) · streak {s.streak}" for s in standings]
    return clip(head + "\n" + "\n".join(rows))


def teams_text(teams: Sequence[Team], mine: Team | None) -> str:
    """Team names with member counts, the caller's own marked."""
    if not teams:
        return "No teams yet: an admin creates one with `/quiz team create NAME`."
    names = [f"*{escape(t.name)}* ({t.members})" + (" ← yours" if mine and mine.id == t.id else "") for t in teams]
    return clip("*Teams*: " + ", ".join(names) + "\nJoin one with `/quiz team join NAME`.")


def reports_message(reports: Sequence[Report]) -> Message:
    """Open question reports, one section each, with how to resolve them."""
    if not reports:
        return Message("No open reports.", (section("No open reports."),))
    head = f"*Open reports* ({len(reports)})"
    blocks = [section(head)]
    for report in reports[:MAX_LISTED]:
        blocks.append(section(clip(
            f"*#{report.id}* `{report.question_id}` · {escape(report.reason)} · <@{report.player.user_id}>"
            f" · {report.created_at:%Y-%m-%d}\n{escape(report.text)}")))
    hidden = len(reports) - MAX_LISTED
    tail = "Resolve one with `/quiz reports resolve ID NOTE`."
    blocks.append(context(tail + (f" ({hidden} more not shown.)" if hidden > 0 else "")))
    return Message(head, tuple(blocks))


def server_stats_message(stats: ServerStats) -> Message:
    """Daily participation as bars, accuracy per domain, and the hardest questions."""
    peak = max((n for _, n in stats.participation), default=0)
    days = [f"`{day:%a %m-%d}` `{bar(round(100 * n / peak) if peak else 0)}` {n}" for day, n in stats.participation]
    spark = "".join(SPARK[min(7, (n * 7) // peak)] if peak else SPARK[0] for _, n in stats.participation)
    daily = "*Daily question participation*" + (f" {spark}\n" + "\n".join(days) if days else "\nNo daily rounds yet.")
    domains = "\n".join(f"• {escape(d.name)}: {d.correct}/{d.answered} ({d.accuracy:.0%})" for d in stats.by_domain)
    hardest = "\n".join(f"• `{q.id}` ({escape(q.topic)}): {correct}/{asked} correct ({correct / asked:.0%})"
                        for q, asked, correct in stats.hardest)
    blocks = (
        section(clip(daily)),
        section(clip("*Accuracy per domain*\n" + (domains or "No answers yet."))),
        section(clip("*Hardest questions* (5+ answers)\n" + (hardest or "None with enough answers yet."))),
    )
    return Message("Server stats", blocks)


def export_message(file: ExportFile, command: str) -> Message:
    """The export in a code block when it fits one section, else how to get the file on the host.

    Uploading the file would need the ``files:write`` scope, which QuizBot does not ask for.
    """
    head = f"*Export* `{file.filename}` ({len(file.content):,} bytes)"
    fenced = "```" + escape(file.content.decode("utf-8")) + "```"
    if len(fenced) <= SECTION_LIMIT:
        return Message(f"Export {file.filename}", (section(head), section(fenced)))
    text = (f"{head} is too long for a Slack message, and uploading files would need a scope"
            f" (`files:write`) QuizBot does not ask for. On the bot's host run:\n`{escape(command)}`")
    return Message(text, (section(text),))
