"""The console adapter driven line by line, through the real service and SQLite."""

from __future__ import annotations

import io

from rich.console import Console

from bot.adapters.console_adapter.session import CONSOLE_SERVER, ConsoleSession
from bot.engine.service import QuizService


def scripted(lines: list[str]):
    queue = list(lines)

    async def read_line(_prompt: str) -> str | None:
        return queue.pop(0) if queue else None

    return read_line


def session(service: QuizService, lines: list[str]) -> tuple[ConsoleSession, io.StringIO]:
    buffer = io.StringIO()
    out = Console(file=buffer, width=120, color_system=None)
    return ConsoleSession(service, CONSOLE_SERVER.player("ada"), out, scripted(lines)), buffer


async def test_repl_answers_today_then_shows_board_stats_and_reveal(service: QuizService) -> None:
    opened = await service.open_daily(CONSOLE_SERVER)
    key = opened.question.key_letters()
    repl, buffer = session(service, [key, key, "/leaderboard all", "/stats", "/reveal", "/nope", "/quit", "A"])
    await repl.repl()
    text = buffer.getvalue()
    assert "Today's question" in text and opened.question.id in text
    assert "Correct! +10 points" in text
    assert "No question is open" in text  # the second answer has no open question any more
    assert "ada" in text and "Leaderboard, all time" in text
    assert "1 answered, 100% correct" in text
    assert f"Answer: {key} · 1 answered, 100% correct" in text
    assert "Unknown command '/nope'" in text


async def test_repl_refuses_a_second_answer_to_today(service: QuizService) -> None:
    opened = await service.open_daily(CONSOLE_SERVER)
    await service.submit_answer(opened.round.id, CONSOLE_SERVER.player("ada"), opened.question.answer)
    repl, buffer = session(service, [opened.question.key_letters()])
    await repl.repl()
    assert "You already answered this question" in buffer.getvalue()


async def test_quiz_command_by_topic_domain_and_errors(service: QuizService) -> None:
    repl, buffer = session(service, ["/quiz sqs", "/quiz domain 2", "/quiz kinesis", "/quiz a b c", "/leaderboard year",
                                     "/topics"])
    await repl.repl()
    text = buffer.getvalue()
    assert text.count("Practice") == 2
    assert "Unknown topic 'kinesis'" in text
    assert "Usage: /quiz [topic] or /quiz domain N" in text
    assert "Usage: /leaderboard [week|month|all]" in text
    assert "s3-encryption, sqs" in text


async def test_study_commands_review_exam_teams_and_reports(service: QuizService, clock) -> None:
    practice = await service.open_practice(CONSOLE_SERVER.player("ada"))
    question = practice.question
    wrong_letter = next(letter for i, letter in enumerate(question.letters) if i not in question.answer)
    await service.admin.report_question(CONSOLE_SERVER.player("bob"), practice.question.id, "unclear", "Which region?")
    repl, buffer = session(service, [
        # Exam answers that fit any draw order: "AB" only lands when a multi item is current.
        "/quiz", "/review", "/exam 2", "A", "AB", "A", "AB", "/exam x",
        "/team create Lambda Lions", "/team join lambda lions", "/team", "/team assign bob Lambda Lions",
        "/leaderboard all teams", "/team bogus", "/reports", "/reports resolve 1 reworded", "/reports",
    ])
    repl.current = None
    await repl.service.submit_answer(practice.round.id, repl.player, frozenset({"ABCD".index(wrong_letter)}))
    await repl.repl()
    text = buffer.getvalue()
    assert "Nothing to review right now; next review: 2026-11-25 12:00 UTC." in text
    assert "Mock exam 1/2" in text and "Mock exam 2/2" in text and "Mock exam: " in text
    assert "Usage: /exam [number of questions, 1-65]" in text
    assert "Created team Lambda Lions." in text and "You joined Lambda Lions." in text
    assert "Lambda Lions (1) ← you" in text and "bob is now in Lambda Lions." in text
    assert "Team board (all)" in text and "Usage: /team [list" in text
    assert "#1 " in text and "(unclear) by bob: Which region?" in text
    assert "Report #1 resolved." in text and "No open reports." in text
    clock.advance(days=1)
    repl2, buffer2 = session(service, ["/review", "/stats"])
    await repl2.repl()
    due = await service.study.due(CONSOLE_SERVER.player("ada"))
    assert practice.question in due
    assert "╭─ Review" in buffer2.getvalue() and due[0].id in buffer2.getvalue()
    assert "Exam readiness" in buffer2.getvalue()
