"""``/quiz review``, ``/quiz exam`` with its buttons, and the richer ``/quiz stats``, through the real AsyncApp."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from bot.engine.model import Question, QuestionType, ServerKey
from bot.engine.outcomes import ExamStep
from bot.engine.service import QuizService
from tests.adapters.slack_adapter.conftest import Harness
from tests.adapters.slack_adapter.fake_slack import TEAM, action_form
from tests.fakes import FakeClock

SERVER = ServerKey("slack", TEAM)
PLAYER = SERVER.player("U1")
VERDICT_MARKS = ("Correct", "Incorrect", ":white_check_mark:", ":x:", "The answer is")


def round_of(reply: dict[str, Any]) -> int:
    """The round id carried by the first control of a question message."""
    control = next(b for b in reply["blocks"] if b["type"] == "actions")["elements"][0]
    return int(re.findall(r":(\d+)", control["action_id"])[0])


def wrong(question: Question) -> frozenset[int]:
    """As many letters as the key, none of them in it."""
    return frozenset(sorted(set(range(len(question.choices))) - question.answer)[: len(question.answer)])


def exam_click(round_id: int, question: Question, choices: frozenset[int]) -> tuple[str, dict[str, Any] | None]:
    """The action id and checkbox state that answer an exam question with ``choices``."""
    if question.type is not QuestionType.MULTI:
        [choice] = choices
        return f"quiz:exam:{round_id}:{choice}", None
    picked = [{"value": f"quiz:exam:{round_id}:{i}"} for i in sorted(choices)]
    return f"quiz:exam:submit:{round_id}", {f"quiz:round:{round_id}": {f"quiz:exam:pick:{round_id}": {
        "selected_options": picked}}}


async def test_review_serves_a_missed_question_again_the_next_day(
    slack: Harness, service: QuizService, clock: FakeClock
) -> None:
    asked = await slack.command("question s3-encryption", rid="q")
    round_id = round_of(asked)
    missed = (await service.round_by_id(round_id)).question
    [miss] = wrong(missed)
    assert "Incorrect" in (await slack.click(f"quiz:answer:{round_id}:{miss}", rid="a1"))["text"]

    assert "Nothing to review right now; next review: 2026-11-2" in (await slack.command("review", rid="r0"))["text"]
    clock.advance(days=1)
    review = await slack.command("review", rid="r1")
    assert review["blocks"][0]["text"]["text"].startswith("*Review question*")
    again = await service.round_by_id(round_of(review))
    assert again.question.id == missed.id and again.round.owner == "U1"
    verdict = await slack.click(f"quiz:answer:{again.round.id}:{min(missed.answer)}", rid="a2")  # the practice path
    assert "Correct" in verdict["text"] and verdict["replace_original"] is True
    assert "Usage: /quiz review" in (await slack.command("review now", rid="r2"))["text"]


async def answer_step(slack: Harness, service: QuizService, step: dict[str, Any], rid: str) -> tuple[
        dict[str, Any], bool]:
    """Answer one exam step (the key on even rounds, wrong letters on odd ones); return the reply and if right."""
    round_id = round_of(step)
    question = (await service.round_by_id(round_id)).question
    controls = json.dumps(next(b for b in step["blocks"] if b["type"] == "actions"))
    assert "quiz:answer:" not in controls and "quiz:submit:" not in controls  # never the practice (verdict) path
    choices = question.answer if round_id % 2 == 0 else wrong(question)
    action_id, state = exam_click(round_id, question, choices)
    return await slack.click(action_id, rid=rid, state=state), choices == question.answer


async def test_exam_runs_to_the_report_and_shows_no_verdict_before_it(slack: Harness, service: QuizService) -> None:
    step = await slack.command("exam 5", rid="start")
    assert "question 1/5" in step["blocks"][0]["text"]["text"]
    right, first_round = 0, round_of(step)
    explanations = [q.explanation for q in service.bank.all()]
    for n in range(5):  # the fixture bank has five questions
        text = json.dumps(step, ensure_ascii=False)
        assert not any(mark in text for mark in (*VERDICT_MARKS, *explanations)), text
        step, correct = await answer_step(slack, service, step, rid=f"e{n}")
        right += correct
        assert step["replace_original"] is True
    report = step["blocks"][0]["text"]["text"]
    assert report.startswith(f"*Mock exam finished*: {right}/5") and "pass line 72%" in report
    assert "Missed items joined your review queue" in step["blocks"][-1]["elements"][0]["text"]
    assert len(step["blocks"]) == 5 - right + 2  # head, one section per missed item, tail
    assert "Usage: /quiz exam" in (await slack.command("exam lots", rid="bad"))["text"]
    late = await slack.click(f"quiz:exam:{first_round}:0", rid="late")
    assert "no exam running" in late["text"] and not any(mark in late["text"] for mark in VERDICT_MARKS)


async def test_exam_double_click_and_stale_click_never_answer_the_next_question(
    slack: Harness, service: QuizService
) -> None:
    first = round_of(await slack.command("exam 3", rid="start"))
    question = (await service.round_by_id(first)).question
    action_id, state = exam_click(first, question, question.answer)
    clicks = [action_form(action_id, rid=f"d{i}", base=slack.fake.base, ephemeral=True, state=state) for i in (1, 2)]
    await asyncio.gather(*(slack.post(click) for click in clicks))  # one double click, two deliveries at once
    replies = [slack.fake.of(f"response:d{i}")[0].body["text"] for i in (1, 2)]
    assert sum(text.startswith("Mock exam 2/3") for text in replies) == 1, replies
    current = await service.exams.current(PLAYER)
    assert isinstance(current, ExamStep) and current.position == 2
    assert await service.my_attempt(current.round.id, PLAYER) is None  # the second click did not land here
    stale = await slack.click(f"quiz:exam:{first}:0", rid="stale")
    assert "no longer the current one" in stale["text"]
    resumed = await slack.command("exam", rid="resume")
    assert "question 2/3" in resumed["blocks"][0]["text"]["text"] and round_of(resumed) == current.round.id


async def test_stats_show_points_readiness_weakest_topics_and_review_queue(
    slack: Harness, service: QuizService, clock: FakeClock
) -> None:
    for _ in range(3):  # three misses in sqs make it a weakest topic
        opened = await service.open_practice(PLAYER, topic="sqs")
        await service.submit_answer(opened.round.id, PLAYER, wrong(opened.question))
    reply = await slack.command("stats", rid="s1")
    assert "Stats of <@U1>" in reply["text"]
    head, study = (b["text"]["text"] for b in reply["blocks"])
    assert "3 answered, 0% correct · 0 points" in head
    assert re.search(r"`[█░]{10}`\s+\d+ ", study) and "*Exam readiness " in study
    assert "Weakest topics: sqs. Practise with `/quiz question sqs`." in study
    assert "Review: 0 due now, next 2026-11-25 12:00 UTC." in study  # misses come back tomorrow
    clock.advance(days=1)
    later = (await slack.command("stats", rid="s3"))["blocks"][1]["text"]["text"]
    assert "Review: 3 due now, next nothing scheduled. Practise them with `/quiz review`." in later
    assert "Usage: /quiz stats" in (await slack.command("stats <@U2> <@U3>", rid="s2"))["text"]
