"""The console adapter: a REPL over the service, and the scriptable ``play`` loop.

Input comes from an injected line reader, so tests (and ``quizbot play`` with
a pipe) drive it without a terminal. Like the chat adapters, it only
translates: text in, service call, outcome rendered.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from rich.console import Console
from rich.text import Text

from bot.adapters.console_adapter import render, render_study
from bot.adapters.console_adapter.study_commands import StudyCommands
from bot.engine.errors import QuizError
from bot.engine.grading import parse_letters
from bot.engine.model import Period, PlayerKey, ServerKey
from bot.engine.outcomes import AnswerResult, ExamStep, RoundOpened
from bot.engine.service import QuizService

log = logging.getLogger(__name__)

CONSOLE_SERVER = ServerKey("console", "local")
ReadLine = Callable[[str], Awaitable[str | None]]
HELP = """Commands:
  A / B / AC ...            answer the current question
  /today                    show today's daily question
  /quiz [topic | domain N]  a private practice question
  /review                   a missed question that is due again (spaced repetition)
  /exam [N]                 a private mock exam (default 20 questions), or resume yours
  /leaderboard [week|month|all] [people|teams]
  /stats                    accuracy, streak, readiness per domain, review queue
  /team [list|join NAME|leave|create NAME|rename OLD NEW|delete NAME|assign USER NAME]
  /reports [resolve ID NOTE] open question reports (admin)
  /topics                   list topics
  /reveal                   reveal today's question (as the scheduler will)
  /config [setting value]   show or change this server's settings (daily time, timezone, ...)
  /help, /quit"""


@dataclass
class ConsoleSession(StudyCommands):
    """One player at the terminal, answering one current question at a time."""

    service: QuizService
    player: PlayerKey
    out: Console
    read_line: ReadLine
    current: RoundOpened | None = None
    exam_step: ExamStep | None = None

    async def ask(self, opened: RoundOpened, title: str) -> None:
        """Make ``opened`` the current question and show it."""
        self.current = opened
        self.out.print(render.question_panel(opened.question, title))

    async def answer(self, text: str) -> AnswerResult | None:
        """Submit letters for the current question; None when the input was not accepted."""
        if self.exam_step is not None:
            await self.exam_answer(text)
            return None
        if self.current is None:
            self.out.print("No question is open: type /today or /quiz.")
            return None
        opened = self.current
        try:
            chosen = parse_letters(opened.question, text)
            result = await self.service.submit_answer(opened.round.id, self.player, chosen)
        except QuizError as exc:
            self._warn(str(exc))
            return None
        self.current = None
        self.out.print(render.verdict(result))
        return result

    # -- the REPL -----------------------------------------------------------------

    async def repl(self) -> None:
        """Show today's question, then serve commands until /quit or end of input."""
        self.out.print("[bold]QuizBot console[/bold]: AWS Developer Associate (DVA-C02). Type /help for commands.")
        await self.today()
        while True:
            line = await self.read_line("> ")
            if line is None:
                break
            line = line.strip()
            if not line:
                continue
            if line.startswith("/"):
                if not await self.command(line):
                    break
            else:
                await self.answer(line)

    async def command(self, line: str) -> bool:
        """Run one slash command; False means quit."""
        try:
            name, *args = shlex.split(line)
        except ValueError as exc:
            self._warn(str(exc))
            return True
        if name.lower() in {"/quit", "/exit"}:
            return False
        handler = self._commands().get(name.lower())
        if handler is None:
            self._warn(f"Unknown command {name!r}.")
            self.out.print(HELP, markup=False)
            return True
        try:
            await handler(args)
        except QuizError as exc:
            self._warn(str(exc))
        return True

    def _commands(self) -> dict[str, Callable[[list[str]], Awaitable[None]]]:
        return {
            "/today": lambda _args: self.today(), "/quiz": self.quiz, "/leaderboard": self.leaderboard,
            "/stats": lambda _args: self.stats(), "/topics": lambda _args: self.topics(),
            "/reveal": lambda _args: self.reveal(), "/help": lambda _args: self.help(),
            "/config": self.config, "/review": lambda _args: self.review(), "/exam": self.exam,
            "/team": self.team, "/reports": self.reports,
        }

    async def help(self) -> None:
        """Print the command list."""
        self.out.print(HELP, markup=False)

    async def today(self) -> None:
        """Show today's daily question, opening it if this server has none yet today."""
        opened = await self.service.today(self.player.server)
        if opened is None:
            config = await self.service.config(self.player.server)
            if config.enabled:
                self.out.print(f"Today's question posts at {config.post_time} ({config.timezone}).")
                return
            opened = await self.service.open_daily(self.player.server)
        if opened.round.revealed_at is not None:
            self.out.print("Today's question was revealed; /quiz gives you a practice question.")
            return
        await self.ask(opened, "Today's question")

    async def quiz(self, args: list[str]) -> None:
        """A practice question, optionally by topic (``/quiz sqs``) or domain (``/quiz domain 2``)."""
        topic, domain = parse_quiz_args(args)
        await self.ask(await self.service.open_practice(self.player, topic=topic, domain=domain), "Practice")

    async def leaderboard(self, args: list[str]) -> None:
        """The server board for a period, of people (default) or teams."""
        words = [a.lower() for a in args]
        teams = "teams" in words
        rest = [w for w in words if w not in {"teams", "people"}]
        period = parse_period(rest[0] if rest else "week")
        if teams:
            key, board = await self.service.teams.board(self.player.server, period)
            self.out.print(render_study.team_table(key, board))
            return
        board_ = await self.service.leaderboard(self.player.server, period, player=self.player)
        self.out.print(render.leaderboard_table(board_))

    async def stats(self) -> None:
        """The player's stats with readiness and the review queue."""
        stats = await self.service.stats(self.player)
        self.out.print(render.stats_table(stats))
        if stats.study is not None and stats.answered:
            self.out.print(render_study.study_table(stats.study))

    async def topics(self) -> None:
        """The topic slugs usable with /quiz."""
        self.out.print(", ".join(sorted(self.service.bank.topics())), markup=False)

    async def config(self, args: list[str]) -> None:
        """``/config`` shows the settings; ``/config time 08:30`` changes one (the console user is admin)."""
        if args:
            name, value = args[0], " ".join(args[1:])
            await self.service.update_config(self.player.server, name, value)
        self.out.print(render.config_table(await self.service.config(self.player.server)))

    async def reveal(self) -> None:
        """Reveal today's question with its distribution."""
        opened = await self.service.today(self.player.server)
        if opened is None:
            self.out.print("No daily question today yet.")
            return
        self.out.print(render.reveal_table(await self.service.reveal(opened.round.id)))

    # -- scriptable practice --------------------------------------------------------

    async def play(self, count: int, topic: str | None, domain: int | None) -> tuple[int, int]:
        """Ask ``count`` practice questions; return (correct, asked). Stops at end of input."""
        correct = asked = 0
        for number in range(1, count + 1):
            opened = await self.service.open_practice(self.player, topic=topic, domain=domain)
            await self.ask(opened, f"Question {number} of {count}")
            while self.current is not None:
                line = await self.read_line("answer> ")
                if line is None:
                    self._score(correct, asked)
                    return correct, asked
                result = await self.answer(line.strip())
                if result is not None:
                    asked += 1
                    correct += int(result.correct)
        self._score(correct, asked)
        return correct, asked

    def _warn(self, message: str) -> None:
        self.out.print(Text(message, style="yellow"))

    def _score(self, correct: int, asked: int) -> None:
        self.out.print(f"[bold]Score: {correct}/{asked}[/bold]")


def parse_quiz_args(args: list[str]) -> tuple[str | None, int | None]:
    """``[]``, ``[topic]``, ``[domain, N]`` or ``[N]`` into (topic, domain)."""
    if not args:
        return None, None
    if args[0].lower() == "domain" and len(args) == 2 and args[1] in {"1", "2", "3", "4"}:
        return None, int(args[1])
    if len(args) == 1 and args[0] in {"1", "2", "3", "4"}:
        return None, int(args[0])
    if len(args) == 1:
        return args[0].lower(), None
    raise QuizError("Usage: /quiz [topic] or /quiz domain N (N = 1..4).")


def parse_period(text: str) -> Period:
    """``week``, ``month`` or ``all``."""
    try:
        return Period(text.lower())
    except ValueError:
        raise QuizError("Usage: /leaderboard [week|month|all]") from None
