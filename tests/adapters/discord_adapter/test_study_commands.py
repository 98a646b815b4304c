"""/quiz review, /quiz exam and the richer /quiz stats through the real CommandTree and components."""

from __future__ import annotations

import itertools
import json
from typing import Any

from bot.adapters.discord_adapter import build_discord
from bot.engine.model import Question, QuestionType
from bot.engine.outcomes import ExamStep
from bot.engine.service import QuizService
from bot.storage.database import Database
from bot.storage.quiz_store import SqlQuizStore
from tests.adapters.discord_adapter.conftest import SERVER, Harness
from tests.adapters.discord_adapter.fake_discord import GUILD_ID, interaction, slash
from tests.adapters.discord_adapter.test_commands import opt
from tests.adapters.discord_adapter.test_daily_flow import click
from tests.fakes import FakeClock

PLAYER = SERVER.player("11")


def letters_for(question: Question, right: bool) -> list[str]:
    """The key, or a wrong pick of the same size."""
    key = question.key_letters()
    if right:
        return list(key)
    picks = len(question.answer)
    wrong = next("".join(c) for c in itertools.combinations(question.letters, picks) if "".join(c) != key)
    return list(wrong)


def first_custom_id(shown: dict[str, Any]) -> str:
    return shown["components"][0]["components"][0]["custom_id"]


async def choose(harness: Harness, message: dict[str, Any], question: Question, custom_id: str,
                 right: bool) -> str:
    """Click the buttons (or the menu) of ``message``; return the click's token."""
    letters = letters_for(question, right)
    prefix = custom_id.rsplit(":", 1)[0]
    if question.type is QuestionType.MULTI:
        return harness.inject(click(message, f"{prefix}:pick", 11, values=letters))
    return harness.inject(click(message, f"{prefix}:{letters[0]}", 11))


async def test_review_brings_a_missed_question_back_the_next_day(harness: Harness, service: QuizService,
                                                                 clock: FakeClock) -> None:
    token = harness.inject(interaction(2, slash("question", [opt("topic", "sqs")]), 11))
    practice = await harness.reply(token)
    custom_id = first_custom_id(practice)
    missed = (await service.round_by_id(int(custom_id.split(":")[2]))).question
    verdict = await harness.reply(await choose(harness, harness.fake.messages[f"@original:{token}"], missed,
                                               custom_id, right=False))
    assert "Incorrect" in verdict["content"]

    early = await harness.reply(harness.inject(interaction(2, slash("review"), 11)))
    assert "Nothing to review right now; next review: 2026-11-25" in early["content"] and early["flags"] & 64

    clock.advance(days=1)
    token = harness.inject(interaction(2, slash("review"), 11))
    due = await harness.reply(token)
    assert due["embeds"][0]["title"] == "Review" and missed.id in due["embeds"][0]["footer"]["text"]
    assert first_custom_id(due).startswith("quiz:answer:"), "a review is answered like practice"
    again = await harness.reply(await choose(harness, harness.fake.messages[f"@original:{token}"], missed,
                                             first_custom_id(due), right=True))
    assert "Correct!" in again["content"]


def callback_type(harness: Harness, token: str) -> int:
    return next(c.body["type"] for c in harness.fake.calls if c.path.startswith("/interactions/") and token in c.path)


async def test_exam_runs_to_the_report_without_revealing_answers(harness: Harness, service: QuizService) -> None:
    token = harness.inject(interaction(2, slash("exam", [opt("count", 3, 4)]), 11))
    shown = await harness.reply(token)
    message = harness.fake.messages[f"@original:{token}"]
    assert message["flags"] & 64, "the exam is private"
    asked: list[Question] = []
    for position in (1, 2, 3):
        assert shown["embeds"][0]["title"].startswith(f"Mock exam {position}/3 · ")
        custom_id = first_custom_id(shown)
        assert custom_id.startswith("quiz:exam:")
        question = (await service.round_by_id(int(custom_id.split(":")[2]))).question
        asked.append(question)
        token = await choose(harness, message, question, custom_id, right=position == 1)
        shown = await harness.reply(token)
        assert callback_type(harness, token) == 6, "the exam message is updated in place"
        message = {**message, "components": shown.get("components") or []}
        if position < 3:
            text = json.dumps(shown, ensure_ascii=False)
            assert not any(leak in text for leak in ("Correct", "Incorrect", "✅", "❌", question.explanation))

    report, missed = shown["embeds"]
    assert report["title"] == "Mock exam: 1/3 = 33% (not yet)" and shown["components"] == []
    assert [f["name"].split(" · ")[0] for f in missed["fields"]] == [q.id for q in asked[1:]]
    assert asked[1].explanation[:100] in missed["fields"][0]["value"]
    assert await service.exams.current(PLAYER) is None


async def test_a_double_click_answers_the_exam_question_once(harness: Harness, service: QuizService) -> None:
    token = harness.inject(interaction(2, slash("exam", [opt("count", 2, 4)]), 11))
    first = await harness.reply(token)
    message = harness.fake.messages[f"@original:{token}"]
    question = (await service.round_by_id(int(first_custom_id(first).split(":")[2]))).question
    await harness.reply(await choose(harness, message, question, first_custom_id(first), right=True))
    again = await harness.reply(await choose(harness, message, question, first_custom_id(first), right=False))
    assert again["embeds"][0]["title"].startswith("Mock exam 2/2"), "the stale click shows the current question"
    step = await service.exams.current(PLAYER)
    assert isinstance(step, ExamStep) and step.position == 2
    assert await service.my_attempt(step.round.id, PLAYER) is None


async def test_exam_command_resumes_the_running_exam(harness: Harness) -> None:
    first = await harness.reply(harness.inject(interaction(2, slash("exam", [opt("count", 2, 4)]), 11)))
    resumed = await harness.reply(harness.inject(interaction(2, slash("exam"), 11)))
    assert resumed["embeds"][0]["title"].startswith("Mock exam 1/2")
    assert first_custom_id(resumed) == first_custom_id(first)


async def test_stats_show_points_readiness_weakest_topics_and_reviews(harness: Harness,
                                                                       service: QuizService) -> None:
    for right in (False, False, False, True):
        opened = await service.open_practice(PLAYER, topic="sqs")
        await service.submit_answer(opened.round.id, PLAYER, frozenset(letters_index(opened.question, right)))
    shown = await harness.reply(harness.inject(interaction(2, slash("stats"), 11)))
    text = shown["content"]
    assert text.startswith("<@11>: 4 answered, 25% correct · 0 pts")
    assert "**Exam readiness" in text and "░" in text
    assert "Weakest topics: `sqs`" in text and "/quiz question topic:sqs" in text
    assert "Review: **0** due now · next: 2026-11-25" in text


def letters_index(question: Question, right: bool) -> set[int]:
    return {question.letters.index(letter) for letter in letters_for(question, right)}


async def test_exam_buttons_work_after_a_restart(harness: Harness, service: QuizService, store: SqlQuizStore,
                                                 db: Database, clock: FakeClock) -> None:
    token = harness.inject(interaction(2, slash("exam", [opt("count", 2, 4)]), 11))
    first = await harness.reply(token)
    message = harness.fake.messages[f"@original:{token}"]
    await harness.runtime.close()
    harness.runtime = build_discord(service, store, token="fake-token", dev_guild_id=str(GUILD_ID),  # noqa: S106
                                    api_base=harness.base, timing=harness.time.timing(), db=db, clock=clock)
    await harness.runtime.login()
    question = (await service.round_by_id(int(first_custom_id(first).split(":")[2]))).question
    shown = await harness.reply(await choose(harness, message, question, first_custom_id(first), right=True))
    assert shown["embeds"][0]["title"].startswith("Mock exam 2/2")
