"""Export over the real store: answers given through the service come back row for row."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from bot.engine.model import LETTERS, Attempt, Period, ServerKey
from bot.engine.service import QuizService
from bot.reporting.export import COLUMNS, ExportFormat, UnknownServer, build_export, export_file, to_csv
from bot.storage.database import Database
from bot.storage.export_store import SqlExportStore
from bot.storage.quiz_store import SqlQuizStore
from bot.storage.readonly import open_readonly
from tests.fakes import FakeClock, right, wrong

SERVER = ServerKey("slack", "T01")
OTHER = ServerKey("discord", "g9")


async def play_day(service: QuizService, server: ServerKey, users: dict[str, bool]) -> int:
    opened = await service.open_daily(server)
    for user, correct in users.items():
        pick = right(opened.question) if correct else wrong(opened.question)
        await service.submit_answer(opened.round.id, server.player(user), pick)
    return opened.round.id


async def stored_attempts(store: SqlQuizStore, round_ids: list[int]) -> list[Attempt]:
    found = [a for rid in round_ids for a in await store.round_attempts(rid)]
    return sorted(found, key=lambda a: (a.answered_at, a.round_id, a.player.user_id))


def as_csv_row(attempt: Attempt) -> dict[str, str]:
    return {
        "answered_at": attempt.answered_at.strftime("%Y-%m-%dT%H:%M:%SZ"), "user_id": attempt.player.user_id,
        "round_id": str(attempt.round_id), "kind": attempt.kind.value, "question_id": attempt.question_id,
        "topic": attempt.topic, "domain": str(attempt.domain),
        "choices": "".join(LETTERS[i] for i in sorted(attempt.choices)),
        "correct": "true" if attempt.correct else "false", "points": str(attempt.points),
    }


async def test_csv_round_trips_through_the_csv_module(
    service: QuizService, store: SqlQuizStore, clock: FakeClock, db: Database
) -> None:
    rounds = []
    for _ in range(3):
        rounds.append(await play_day(service, SERVER, {"ann": True, "bo, the \"quoted\"": False, "cy": True}))
        clock.advance(days=1)
    await play_day(service, OTHER, {"ann": True})  # another server never leaks in
    practice = await service.open_practice(SERVER.player("ann"))
    await service.submit_answer(practice.round.id, SERVER.player("ann"), right(practice.question))
    rounds.append(practice.round.id)
    async with open_readonly(db.path) as conn:
        export = await build_export(SqlExportStore(conn), SERVER, Period.ALL, now=clock.now())
    rows = list(csv.DictReader(io.StringIO(to_csv(export), newline="")))
    assert rows == [as_csv_row(a) for a in await stored_attempts(store, rounds)]
    assert len(rows) == 10 and {r["kind"] for r in rows} == {"daily", "practice"}
    assert list(rows[0]) == list(COLUMNS)


async def test_json_has_answers_and_the_period_board(
    service: QuizService, clock: FakeClock, db: Database
) -> None:
    await play_day(service, SERVER, {"ann": True, "bo": False})
    clock.advance(days=1)
    await play_day(service, SERVER, {"bo": True})
    file = await export_file(SqlExportStore(db), SERVER, Period.WEEK, ExportFormat.JSON, now=clock.now())
    assert file.filename == "quizbot-slack-T01-w2026-W48.json" and file.media_type == "application/json"
    document = json.loads(file.content)
    assert set(document) == {"schema", "server", "period", "period_key", "timezone", "columns", "answers", "board"}
    assert document["server"] == {"platform": "slack", "server_id": "T01"}
    assert [(a["user_id"], a["correct"], a["points"]) for a in document["answers"]] == [
        ("ann", True, 10), ("bo", False, 0), ("bo", True, 10)]
    assert document["answers"][0]["answered_at"] == "2026-11-24T12:00:00Z"
    board = await service.leaderboard(SERVER, Period.WEEK)
    assert document["board"] == [
        {"rank": e.rank, "user_id": e.user_id, "points": e.points, "answered": e.answered, "correct": e.correct}
        for e in board.entries]


async def test_week_and_month_follow_the_server_timezone(
    service: QuizService, clock: FakeClock, db: Database
) -> None:
    await service.update_config(SERVER, "timezone", "America/Los_Angeles")
    moments = {
        "sun": "2026-11-30T05:00:00+00:00",   # Sunday 29 Nov 21:00 in LA: ISO week 48 there, 49 in UTC
        "mon": "2026-11-30T12:00:00+00:00",   # Monday 30 Nov 04:00 in LA: week 49
        "nov30": "2026-12-01T03:00:00+00:00",  # still 30 Nov in LA: November there, December in UTC
        "dec1": "2026-12-01T12:00:00+00:00",  # 1 Dec in LA
    }
    for user, instant in moments.items():
        clock.set(instant)
        await play_day(service, SERVER, {user: True})
    source = SqlExportStore(db)

    async def users(period: Period, at: date | None = None) -> list[str]:
        export = await build_export(source, SERVER, period, now=clock.now(), at=at)
        return [a.player.user_id for a in export.answers]

    assert await users(Period.WEEK, date(2026, 11, 29)) == ["sun"]
    assert await users(Period.WEEK, date(2026, 11, 30)) == ["mon", "nov30", "dec1"]
    assert await users(Period.MONTH, date(2026, 11, 2)) == ["sun", "mon", "nov30"]
    assert await users(Period.MONTH, date(2026, 12, 31)) == ["dec1"]
    assert await users(Period.ALL) == ["sun", "mon", "nov30", "dec1"]
    clock.set("2026-12-01T03:30:00+00:00")  # default --at: today in LA, which is still 30 November
    export = await build_export(source, SERVER, Period.MONTH, now=clock.now())
    assert (export.period_key, export.timezone) == ("m2026-11", "America/Los_Angeles")
    assert [s.user_id for s in export.board] == ["mon", "nov30", "sun"]


async def test_unknown_server_is_refused(service: QuizService, clock: FakeClock, db: Database) -> None:
    await play_day(service, SERVER, {"ann": True})
    with pytest.raises(UnknownServer, match="no server slack:T0l"):
        await build_export(SqlExportStore(db), ServerKey("slack", "T0l"), Period.ALL, now=clock.now())


async def test_empty_period_gives_a_header_only_csv(service: QuizService, clock: FakeClock, db: Database) -> None:
    await play_day(service, SERVER, {"ann": True})
    file = await export_file(SqlExportStore(db), SERVER, Period.WEEK, ExportFormat.CSV, now=clock.now(),
                             at=date(2025, 1, 1))
    assert file.content.decode() == ",".join(COLUMNS) + "\r\n"
