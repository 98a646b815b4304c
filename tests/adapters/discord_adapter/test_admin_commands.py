"""Admin /quiz reports, serverstats and export, and the refusal of every admin command to members."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest

from bot.engine.service import QuizService
from tests.adapters.discord_adapter.conftest import SERVER, Harness
from tests.adapters.discord_adapter.fake_discord import ADMIN_PERMS, interaction, slash
from tests.adapters.discord_adapter.test_commands import opt
from tests.adapters.discord_adapter.test_team_commands import member_option, team
from tests.fakes import FakeClock

ADMIN_COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("team create", team("create", [opt("name", "Blue")])),
    ("team rename", team("rename", [opt("team", "Blue"), opt("new_name", "Red")])),
    ("team delete", team("delete", [opt("team", "Blue")])),
    ("team assign", team("assign", [*member_option(12)[0], opt("team", "Blue")], resolved=member_option(12)[1])),
    ("team role", team("role", [opt("team", "Blue")])),
    ("reports list", slash("list", group="reports")),
    ("reports resolve", slash("resolve", [opt("report", 1, 4)], group="reports")),
    ("serverstats", slash("serverstats")),
    ("export", slash("export", [opt("period", "all")])),
]


@pytest.mark.parametrize(("name", "data"), ADMIN_COMMANDS, ids=[n for n, _ in ADMIN_COMMANDS])
async def test_admin_commands_refuse_members(harness: Harness, service: QuizService, name: str,
                                             data: dict[str, Any]) -> None:
    await service.teams.create(SERVER, "Blue")
    token = harness.inject(interaction(2, data, 11))
    shown = await harness.reply(token, edited=False)
    assert shown["type"] == 4 and shown["flags"] & 64 and "Manage Server" in shown["content"], name
    assert [(t.name, t.members) for t in await service.teams.list(SERVER)] == [("Blue", 0)]
    assert harness.fake.uploads(token) == []


async def admin(harness: Harness, data: dict[str, Any]) -> dict[str, Any]:
    return await harness.reply(harness.inject(interaction(2, data, 4000, perms=ADMIN_PERMS)))


async def answer_daily(service: QuizService, users: range, *, right: bool = True) -> None:
    opened = await service.open_daily(SERVER)
    wrong = frozenset({min(set(range(len(opened.question.choices))) - opened.question.answer)})
    for user in users:
        await service.submit_answer(opened.round.id, SERVER.player(str(user)),
                                    opened.question.answer if right else wrong)


async def test_reports_are_listed_and_resolved(harness: Harness, service: QuizService, configured: None) -> None:
    opened = await service.open_daily(SERVER)
    await service.admin.report_question(SERVER.player("11"), opened.question.id, "unclear", "Which region?")
    listed = await admin(harness, slash("list", group="reports"))
    assert f"**#1** `{opened.question.id}` · unclear · <@11>" in listed["content"]
    assert listed["allowed_mentions"]["parse"] == []
    resolved = await admin(harness, slash("resolve", [opt("report", 1, 4), opt("note", "reworded")],
                                          group="reports"))
    assert resolved["content"] == "Report #1 resolved."
    assert (await admin(harness, slash("list", group="reports")))["content"] == "No open reports."
    again = await admin(harness, slash("resolve", [opt("report", 1, 4)], group="reports"))
    assert "No open report #1" in again["content"]


async def test_serverstats_show_participation_domains_and_hardest(harness: Harness, service: QuizService,
                                                                  configured: None, clock: FakeClock) -> None:
    await answer_daily(service, range(20, 26), right=False)
    clock.advance(days=1)
    await answer_daily(service, range(20, 23))
    shown = await admin(harness, slash("serverstats"))
    text = shown["content"]
    assert "Daily answerers 11-24…11-25: `█▅`" in text and "(max 6, latest 3)" in text
    assert "• Development with AWS Services: 3/9 (33%)" in text
    assert "**Hardest questions** (5+ answers)" in text and "0/6 correct (0%)" in text


async def test_export_uploads_a_private_csv_that_round_trips(harness: Harness, service: QuizService,
                                                             configured: None) -> None:
    await answer_daily(service, range(30, 33))
    token = harness.inject(interaction(2, slash("export", [opt("period", "all")]), 4000, perms=ADMIN_PERMS))
    shown = await harness.reply(token)
    assert harness.fake.interaction_flags[token] & 64, "only the admin sees the file"
    assert shown["content"] == "Answers and board, all time."
    [(filename, data)] = harness.fake.uploads(token)
    assert filename == "quizbot-discord-2000-all.csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))
    assert [(r["user_id"], r["correct"], r["points"], r["kind"]) for r in rows] == [
        (str(u), "true", "10", "daily") for u in range(30, 33)]
    assert rows[0]["answered_at"] == "2026-11-24T12:00:00Z"


async def test_export_as_json_for_the_week(harness: Harness, service: QuizService,
                                                         configured: None) -> None:
    await answer_daily(service, range(30, 31))
    token = harness.inject(interaction(2, slash("export", [opt("period", "week"), opt("format", "json")]), 4000,
                                       perms=ADMIN_PERMS))
    await harness.reply(token)
    [(filename, data)] = harness.fake.uploads(token)
    document = json.loads(data)
    assert filename == "quizbot-discord-2000-w2026-W48.json"
    assert document["board"][0]["user_id"] == "30" and document["answers"][0]["correct"] is True


async def test_export_of_an_unknown_server_says_there_is_nothing(harness: Harness) -> None:
    shown = await admin(harness, slash("export"))
    assert "Nothing to export yet" in shown["content"]
