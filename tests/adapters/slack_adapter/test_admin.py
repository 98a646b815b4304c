"""Admin ``/quiz reports``, ``/quiz serverstats`` and ``/quiz export``, and their refusal, via the real AsyncApp."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bot.engine.model import LETTERS, ServerKey
from bot.engine.service import QuizService
from tests.adapters.slack_adapter.conftest import Harness
from tests.adapters.slack_adapter.fake_slack import TEAM
from tests.fakes import FakeClock

SERVER = ServerKey("slack", TEAM)
ADMIN = "UADMIN"


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


async def daily_answers(service: QuizService, users: int, right: int) -> int:
    """A daily round answered by ``users`` people, the first ``right`` of them correctly; its round id."""
    opened = await service.open_daily(SERVER)
    key = opened.question.answer
    miss = frozenset(sorted(set(range(len(opened.question.choices))) - key)[: len(key)])
    for n in range(users):
        await service.submit_answer(opened.round.id, SERVER.player(f"U{n}"), key if n < right else miss)
    return opened.round.id


@pytest.mark.parametrize("text, what", [
    ("reports", "see and resolve question reports"), ("reports resolve 1 done", "see and resolve question reports"),
    ("serverstats", "see server stats"), ("export", "export answers"), ("export all json", "export answers"),
])
async def test_admin_commands_are_refused_to_members(
    slack: Harness, service: QuizService, text: str, what: str
) -> None:
    report = await service.admin.report_question(SERVER.player("U2"), "sqs-001", "typo", "A typo in choice B.")
    await daily_answers(service, users=2, right=1)
    reply = await slack.command(text, user="U2")
    assert reply["text"] == f"Only workspace admins and QuizBot admins can {what}."
    assert "blocks" not in reply and [r.id for r in await service.admin.open_reports(SERVER)] == [report.id]


async def test_reports_list_escaped_and_resolve(slack: Harness, service: QuizService) -> None:
    slack.fake.admins.add(ADMIN)
    assert "No open reports." in (await slack.command("reports", user=ADMIN, rid="r0"))["text"]
    first = await service.admin.report_question(SERVER.player("U2"), "sqs-001", "wrong key",
                                                "<!channel> B & C are both ok")
    await service.admin.report_question(SERVER.player("U3"), "sqs-003", "unclear", "What is 'same message'?")
    listed = await slack.command("reports", user=ADMIN, rid="r1")
    texts = [b["text"]["text"] for b in listed["blocks"] if b["type"] == "section"]
    assert texts[0] == "*Open reports* (2)"
    assert texts[1].startswith(f"*#{first.id}* `sqs-001` · wrong key · <@U2> · 2026-11-24")
    assert texts[1].endswith("&lt;!channel&gt; B &amp; C are both ok")  # a report cannot ping the channel
    done = await slack.command(f"reports resolve #{first.id} fixed the key", user=ADMIN, rid="r2")
    assert done["text"] == f"Report #{first.id} resolved."
    assert [r.question_id for r in await service.admin.open_reports(SERVER)] == ["sqs-003"]
    assert "No open report" in (await slack.command(f"reports resolve {first.id}", user=ADMIN, rid="r3"))["text"]
    assert "Usage: /quiz reports" in (await slack.command("reports close 2", user=ADMIN, rid="r4"))["text"]


async def test_serverstats_shows_participation_domains_and_hardest(
    slack: Harness, service: QuizService, clock: FakeClock
) -> None:
    slack.fake.admins.add(ADMIN)
    await daily_answers(service, users=5, right=1)
    clock.advance(days=1)
    await daily_answers(service, users=2, right=2)
    reply = await slack.command("serverstats", user=ADMIN, rid="s1")
    daily, domains, hardest = (b["text"]["text"] for b in reply["blocks"])
    assert daily.splitlines()[1:] == ["`Tue 11-24` `██████████` 5", "`Wed 11-25` `████░░░░░░` 2"]
    assert daily.startswith("*Daily question participation* █▃")
    assert domains == "*Accuracy per domain*\n• Development with AWS Services: 3/7 (43%)"
    assert hardest.splitlines()[1].endswith(": 1/5 correct (20%)")
    assert "Usage: /quiz serverstats" in (await slack.command("serverstats now", user=ADMIN, rid="s2"))["text"]


async def test_export_csv_round_trips_through_the_csv_module(slack: Harness, service: QuizService) -> None:
    slack.fake.admins.add(ADMIN)
    round_id = await daily_answers(service, users=3, right=2)
    opened = await service.round_by_id(round_id)
    reply = await slack.command("export csv week", user=ADMIN, rid="x1")
    head, body = (b["text"]["text"] for b in reply["blocks"])
    assert head.startswith("*Export* `quizbot-slack-T1-w2026-W48.csv`")
    assert body.startswith("```") and body.endswith("```")
    rows = list(csv.DictReader(io.StringIO(unescape(body[3:-3]), newline="")))
    key = "".join(LETTERS[i] for i in sorted(opened.question.answer))
    assert [(r["user_id"], r["correct"], r["choices"] == key) for r in rows] == [
        ("U0", "true", True), ("U1", "true", True), ("U2", "false", False)]
    assert {(r["answered_at"], r["round_id"], r["kind"], r["question_id"]) for r in rows} == {
        ("2026-11-24T12:00:00Z", str(round_id), "daily", opened.question.id)}

    document = await slack.command("export all json", user=ADMIN, rid="x2")
    parsed = json.loads(unescape(document["blocks"][1]["text"]["text"][3:-3]))
    assert parsed["period_key"] == "all" and len(parsed["answers"]) == 3 and parsed["board"][0]["points"] == 10
    assert "Usage: /quiz export" in (await slack.command("export week month", user=ADMIN, rid="x3"))["text"]


async def test_export_too_long_for_a_message_says_how_to_get_the_file(slack: Harness, service: QuizService) -> None:
    slack.fake.admins.add(ADMIN)
    await daily_answers(service, users=60, right=20)
    reply = await slack.command("export", user=ADMIN, rid="x1")
    assert len(reply["blocks"]) == 1 and "too long for a Slack message" in reply["text"]
    assert ("`quizbot export --server slack:T1 --period week --format csv --out quizbot-slack-T1-w2026-W48.csv`"
            in reply["text"])
