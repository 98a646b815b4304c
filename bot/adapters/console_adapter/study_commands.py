"""Console commands of the study features: review, mock exam, teams, reports.

A mixin of ``ConsoleSession`` so each file stays small; like the rest of the
adapter it only parses text, calls the service and renders outcomes.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from bot.adapters.console_adapter import render, render_study
from bot.engine.errors import QuizError
from bot.engine.grading import parse_letters
from bot.engine.model import PlayerKey
from bot.engine.outcomes import ExamReport, ExamStep, RoundOpened
from bot.engine.service import QuizService

TEAM_USAGE = "Usage: /team [list | join NAME | leave | create NAME | rename OLD NEW | delete NAME | assign USER NAME]"


class StudyCommands:
    """Review, exam, team and report commands for the console session."""

    service: QuizService
    player: PlayerKey
    out: Console
    current: RoundOpened | None
    exam_step: ExamStep | None

    async def ask(self, opened: RoundOpened, title: str) -> None:  # implemented by ConsoleSession
        """Show a question."""
        raise QuizError("no console session")  # pragma: no cover - overridden

    async def review(self) -> None:
        """The most overdue missed question."""
        await self.ask(await self.service.open_review(self.player), "Review")

    async def exam(self, args: list[str]) -> None:
        """Start a mock exam of N questions (default 20), or resume the running one."""
        if args and not args[0].isdigit():
            raise QuizError("Usage: /exam [number of questions, 1-65]")
        count = int(args[0]) if args else 20
        self._show_exam(await self.service.exams.start(self.player, count))

    async def exam_answer(self, text: str) -> None:
        """Answer the current exam question; the verdict waits for the report."""
        step = self.exam_step
        assert step is not None  # noqa: S101 - only called with an exam running
        try:
            chosen = parse_letters(step.question, text)
        except QuizError as exc:
            self.out.print(Text(str(exc), style="yellow"))
            return
        self._show_exam(await self.service.exams.answer(self.player, chosen))

    def _show_exam(self, step: ExamStep | ExamReport) -> None:
        if isinstance(step, ExamReport):
            self.exam_step = None
            self.out.print(render_study.exam_report(step))
            return
        self.exam_step, self.current = step, None
        self.out.print(render.question_panel(step.question, render_study.exam_title(step)))

    async def team(self, args: list[str]) -> None:
        """Team membership and (as the console's admin) team management."""
        teams, server = self.service.teams, self.player.server
        action, rest = (args[0].lower(), args[1:]) if args else ("list", [])
        if action == "list" and not rest:
            self.out.print(render_study.teams_list(await teams.list(server), await teams.mine(self.player)))
        elif action == "join" and rest:
            self.out.print(f"You joined {(await teams.join(self.player, ' '.join(rest))).name}.", markup=False)
        elif action == "leave" and not rest:
            await teams.leave(self.player)
            self.out.print("You left your team.")
        elif action == "create" and rest:
            self.out.print(f"Created team {(await teams.create(server, ' '.join(rest))).name}.", markup=False)
        elif action == "rename" and len(rest) == 2:
            self.out.print(f"Renamed to {(await teams.rename(server, rest[0], rest[1])).name}.", markup=False)
        elif action == "delete" and rest:
            await teams.delete(server, " ".join(rest))
            self.out.print("Team deleted.")
        elif action == "assign" and len(rest) >= 2:
            team = await teams.join(server.player(rest[0]), " ".join(rest[1:]))
            self.out.print(f"{rest[0]} is now in {team.name}.", markup=False)
        else:
            raise QuizError(TEAM_USAGE)

    async def reports(self, args: list[str]) -> None:
        """List open question reports, or resolve one: ``/reports resolve 3 fixed the key``."""
        server = self.player.server
        if args[:1] == ["resolve"] and len(args) >= 2 and args[1].isdigit():
            await self.service.admin.resolve_report(server, int(args[1]), self.player.user_id, " ".join(args[2:]))
            self.out.print(f"Report #{args[1]} resolved.")
            return
        if args:
            raise QuizError("Usage: /reports or /reports resolve ID NOTE")
        open_reports = await self.service.admin.open_reports(server)
        if not open_reports:
            self.out.print("No open reports.")
        for report in open_reports:
            self.out.print(Text(f"#{report.id} {report.question_id} ({report.reason}) by {report.player.user_id}: "
                                f"{report.text}"))
