"""Analytics over the real store: seeded answers through the service, read back read-only."""

from __future__ import annotations

import sqlite3

import pytest

from bot.engine.model import PlayerKey, ServerKey
from bot.engine.service import QuizService
from bot.reporting.analytics import DISTRACTOR_BEATS_KEY, LOW_CORRECT, SCHEMA, VERDICT, collect
from bot.storage.analytics_store import SqlAnalyticsStore
from bot.storage.database import Database, DatabaseError, WriteRefused
from bot.storage.readonly import open_readonly
from tests.fakes import StaticBank, make_question

SERVER = ServerKey("discord", "g1")
# One topic per item, so a practice draw with a topic filter picks exactly that item.
BAD = make_question("bad-001", topic="sns", answer=frozenset({1}))
GOOD = make_question("good-001", topic="sqs", answer=frozenset({0}))
FEW = make_question("few-001", topic="kinesis", answer=frozenset({0}))
QUESTIONS = (BAD, GOOD, FEW)


@pytest.fixture
def bank() -> StaticBank:
    """Overrides the conftest bank, so the conftest ``service`` (the real one) serves these items."""
    return StaticBank(QUESTIONS)


@pytest.fixture
def static_service(service: QuizService) -> QuizService:
    return service


async def answer(service: QuizService, player: PlayerKey, topic: str, choice: int) -> int:
    opened = await service.open_practice(player, topic=topic)
    await service.submit_answer(opened.round.id, player, frozenset({choice}))
    return opened.round.id


async def seed(service: QuizService) -> None:
    # BAD: key B, but most people pick C -> the key is probably wrong.
    for n, choice in enumerate([2, 2, 2, 2, 1, 0]):
        await answer(service, SERVER.player(f"p{n}"), "sns", choice)
    # GOOD: five of six right.
    for n, choice in enumerate([0, 0, 0, 0, 0, 3]):
        await answer(service, SERVER.player(f"p{n}"), "sqs", choice)
    # FEW: everyone wrong, but only two answers -> not enough evidence to flag.
    for n in range(2):
        await answer(service, SERVER.player(f"p{n}"), "kinesis", 3)
    report = await service.admin.report_question(SERVER.player("p0"), BAD.id, "wrong key", "C is right, surely")
    await service.admin.report_question(SERVER.player("p1"), BAD.id, "unclear", "Which region?")
    await service.admin.resolve_report(SERVER, report.id, "admin", "checked")


async def test_seeded_bad_item_is_flagged_first_with_its_figures(static_service: QuizService, db: Database) -> None:
    await seed(static_service)
    async with open_readonly(db.path) as reader:  # beside the open writer, like a running bot
        report = await collect(SqlAnalyticsStore(reader), QUESTIONS)
    assert [item.question.id for item in report.flagged] == ["bad-001"]
    bad = report.items[0]
    assert bad.question.id == "bad-001"
    assert (bad.asked, bad.answers, bad.correct, bad.picks) == (6, 6, 1, (1, 1, 4, 0))
    assert bad.pct_correct == pytest.approx(16.7)
    assert bad.flags == (DISTRACTOR_BEATS_KEY, LOW_CORRECT)
    assert (bad.reports_open, bad.reports_total) == (1, 2)
    by_id = {item.question.id: item for item in report.items}
    assert by_id["good-001"].flags == () and by_id["good-001"].pct_correct == pytest.approx(83.3)
    assert by_id["few-001"].flags == () and by_id["few-001"].answers == 2


async def test_min_answers_lowers_the_evidence_bar(static_service: QuizService, db: Database) -> None:
    await seed(static_service)
    async with open_readonly(db.path) as reader:
        report = await collect(SqlAnalyticsStore(reader), QUESTIONS, min_answers=2)
    assert {item.question.id for item in report.flagged} == {"bad-001", "few-001"}


async def test_json_schema_is_stable(static_service: QuizService, db: Database) -> None:
    await seed(static_service)
    async with open_readonly(db.path) as reader:
        document = (await collect(SqlAnalyticsStore(reader), QUESTIONS[1:])).to_dict()
    assert set(document) == {"schema", "min_answers", "low_correct_pct", "totals", "questions", "not_in_bank"}
    assert document["schema"] == SCHEMA
    assert document["totals"] == {"questions": 2, "asked": 2, "answers": 8, "flagged": 0}
    # bad-001 was answered but is not in this (smaller) bank: it is listed, not lost.
    assert document["not_in_bank"] == [{"question_id": "bad-001", "asked": 6, "answers": 6}]
    item = document["questions"][0]
    assert set(item) == {"question_id", "topic", "domain", "type", "key", "asked", "answers", "correct",
                         "pct_correct", "choices", "reports_open", "reports_total", "flags", "verdict"}
    assert set(item["choices"][0]) == {"letter", "picks", "pick_pct", "is_key"}


async def test_flagged_item_json_carries_the_verdict(static_service: QuizService, db: Database) -> None:
    await seed(static_service)
    async with open_readonly(db.path) as reader:
        document = (await collect(SqlAnalyticsStore(reader), QUESTIONS)).to_dict()
    first = document["questions"][0]
    assert first["question_id"] == "bad-001" and first["verdict"] == VERDICT and first["key"] == "B"
    assert [c["pick_pct"] for c in first["choices"]] == [16.7, 16.7, 66.7, 0.0]


async def test_readonly_connection_refuses_writes(db: Database) -> None:
    async with open_readonly(db.path) as reader:
        with pytest.raises(WriteRefused, match="readonly"):
            await reader.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")


async def test_missing_database_is_refused_and_not_created(tmp_path) -> None:
    missing = tmp_path / "nope" / "quiz.db"
    with pytest.raises(DatabaseError, match="does not exist"):
        async with open_readonly(missing):
            pass
    assert not missing.exists() and not missing.parent.exists()


async def test_foreign_sqlite_file_is_refused(tmp_path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseError, match="not a QuizBot database"):
        async with open_readonly(other):
            pass
