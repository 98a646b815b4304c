"""Study outcomes as rich renderables: team boards, exam steps and reports, study figures."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from bot.engine.model import Team, TeamStanding
from bot.engine.outcomes import ExamReport, ExamStep, StudyReport
from bot.engine.study import next_due_text

BAR_WIDTH = 20


def bar(score: int) -> str:
    """A 0-100 score as a text bar, e.g. ``██████░░░░``."""
    filled = round(BAR_WIDTH * max(0, min(100, score)) / 100)
    return "█" * filled + "░" * (BAR_WIDTH - filled)


def team_table(period_key: str, board: tuple[TeamStanding, ...]) -> RenderableType:
    """Teams ranked by points per active member."""
    if not board:
        return Text("No teams yet: an admin creates one with /team create NAME.")
    table = Table(title=f"Team board ({period_key}): ranked by points per active member")
    for name in ("#", "Team", "Pts/active", "Points", "Active", "Participation", "Streak"):
        table.add_column(name, justify="left" if name == "Team" else "right")
    for s in board:
        table.add_row(str(s.rank), s.team, f"{s.per_member:.1f}", str(s.points), f"{s.active}/{s.members}",
                      f"{s.participation:.0%}", str(s.streak))
    return table


def teams_list(teams: tuple[Team, ...], mine: Team | None) -> Text:
    """Team names with member counts, marking the player's own."""
    if not teams:
        return Text("No teams yet.")
    parts = [f"{t.name} ({t.members})" + (" ← you" if mine and mine.id == t.id else "") for t in teams]
    return Text("Teams: " + ", ".join(parts))


def study_table(study: StudyReport) -> RenderableType:
    """Readiness bars per domain, coverage, review queue and what to practise next."""
    table = Table(title=f"Exam readiness {study.overall_readiness}/100")
    table.add_column("Domain")
    table.add_column("Readiness")
    table.add_column("", justify="right")
    table.add_column("Seen", justify="right")
    coverage = {name: (seen, total) for name, seen, total in study.coverage}
    for name, score in study.readiness:
        seen, total = coverage.get(name, (0, 0))
        table.add_row(name, bar(score), str(score), f"{seen}/{total}")
    lines = [f"Review: {study.due_now} due now; next: {next_due_text(study.next_due)}."]
    if study.weakest_topics:
        lines.append(f"Weakest topics: {', '.join(study.weakest_topics)}; try /quiz {study.weakest_topics[0]}.")
    return Group(table, Text("\n".join(lines)))


def exam_report(report: ExamReport) -> RenderableType:
    """Score, pass/fail on the 72 % line, per-domain accuracy and the missed items."""
    verdict = "PASS" if report.passed else "not yet"
    head = Text(f"Mock exam: {report.correct}/{report.count} = {report.percent:.0f}% ({verdict}; pass line 72%)"
                + (" · time ran out" if report.timed_out else ""), style="bold")
    table = Table()
    table.add_column("Domain")
    table.add_column("Correct", justify="right")
    for d in report.by_domain:
        table.add_row(d.name, f"{d.correct}/{d.answered} ({d.accuracy:.0%})")
    missed = [Text(f"{q.id}: answer {q.key_letters()}. {q.explanation}") for q in report.missed]
    tail = Text("Missed items joined your review queue (/review)." if missed else "No misses!")
    return Group(head, table, *missed, tail)


def exam_title(step: ExamStep) -> str:
    """Panel title of an exam question with the time left."""
    minutes = max(0, int(step.remaining.total_seconds() // 60))
    return f"Mock exam {step.position}/{step.count} · {minutes} min left"
