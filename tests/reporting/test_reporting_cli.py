"""``quizbot content analytics`` and ``quizbot export`` as a user runs them, beside an open writer."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from bot.engine.model import ServerKey
from bot.engine.service import QuizService
from bot.storage.database import Database
from tests.conftest import FIXTURE_BANK
from tests.fakes import FakeClock, right, wrong
from tests.test_cli import quizbot

SERVER = ServerKey("discord", "g1")


@pytest.fixture
def env(db: Database) -> dict[str, str]:
    return {"QUIZBOT_DATABASE_PATH": db.path, "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)}


async def seed_bad_daily(service: QuizService, clock: FakeClock) -> tuple[str, str]:
    """A daily question that five people answer with the same wrong letters, one right; plus a good day."""
    opened = await service.open_daily(SERVER)
    for n in range(5):
        await service.submit_answer(opened.round.id, SERVER.player(f"p{n}"), wrong(opened.question))
    await service.submit_answer(opened.round.id, SERVER.player("p5"), right(opened.question))
    clock.advance(days=1)
    second = await service.open_daily(SERVER)
    for n in range(5):
        await service.submit_answer(second.round.id, SERVER.player(f"p{n}"), right(second.question))
    return opened.question.id, second.question.id


def digest(path: Path) -> str:
    parts = [p.read_bytes() for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    return hashlib.sha256(b"|".join(parts)).hexdigest()


async def test_analytics_json_flags_the_bad_item_and_leaves_the_db_alone(
    service: QuizService, clock: FakeClock, env: dict[str, str]
) -> None:
    bad_id, _ = await seed_bad_daily(service, clock)
    before = digest(Path(env["QUIZBOT_DATABASE_PATH"]))
    result = quizbot("content", "analytics", "--json", env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema"] == "quizbot.content-analytics/1"
    assert document["totals"]["questions"] == 5 and document["totals"]["flagged"] == 1
    first = document["questions"][0]
    assert first["question_id"] == bad_id and "distractor_beats_key" in first["flags"]
    assert first["verdict"] == "likely wrong key or unclear prompt"
    assert digest(Path(env["QUIZBOT_DATABASE_PATH"])) == before


async def test_analytics_table_lists_flagged_items_first(
    service: QuizService, clock: FakeClock, env: dict[str, str], tmp_path: Path
) -> None:
    bad_id, good_id = await seed_bad_daily(service, clock)
    result = quizbot("content", "analytics", "--db", env.pop("QUIZBOT_DATABASE_PATH"), env=env)
    assert result.returncode == 0, result.stderr
    assert "question analytics" in result.stdout
    assert f"{bad_id}: likely wrong key or unclear prompt" in result.stdout
    assert "5 items · 2 asked · 3 never asked · 1 flagged" in result.stdout
    body = result.stdout.split("question analytics", 1)[1]
    assert body.index(bad_id) < body.index(good_id)


async def test_export_csv_to_file_and_json_to_stdout(
    service: QuizService, clock: FakeClock, env: dict[str, str], tmp_path: Path
) -> None:
    await seed_bad_daily(service, clock)
    out = tmp_path / "answers.csv"
    result = quizbot("export", "--server", "discord:g1", "--period", "week", "--at", "2026-11-25",
                     "--format", "csv", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 11 and {r["user_id"] for r in rows} == {f"p{n}" for n in range(6)}
    assert rows[0]["answered_at"] == "2026-11-24T12:00:00Z" and rows[-1]["answered_at"] == "2026-11-25T12:00:00Z"
    result = quizbot("export", "--server", "discord:g1", "--period", "all", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert len(document["answers"]) == 11 and document["period_key"] == "all"
    assert document["board"][0]["rank"] == 1 and {b["user_id"] for b in document["board"]} == {
        f"p{n}" for n in range(6)}
    stdout_csv = quizbot("export", "--server", "discord:g1", "--period", "all", "--format", "csv", env=env)
    assert list(csv.DictReader(io.StringIO(stdout_csv.stdout))) == rows


@pytest.mark.parametrize("server", ["g1", "discord:", "teams:g1", ":g1"])
def test_export_bad_server_format_is_a_usage_error(server: str, tmp_path: Path) -> None:
    result = quizbot("export", "--server", server, "--period", "week", "--format", "csv",
                     env={"QUIZBOT_DATABASE_PATH": str(tmp_path / "quiz.db")})
    assert result.returncode == 2
    assert "usage: quizbot export" in result.stderr and "PLATFORM:SERVER_ID" in result.stderr


def test_bad_at_date_is_a_usage_error(tmp_path: Path) -> None:
    result = quizbot("export", "--server", "discord:g1", "--period", "week", "--at", "next week", "--format",
                     "csv", env={"QUIZBOT_DATABASE_PATH": str(tmp_path / "quiz.db")})
    assert result.returncode == 2 and "not an ISO date" in result.stderr


@pytest.mark.parametrize("command", [
    ("content", "analytics"),
    ("export", "--server", "discord:g1", "--period", "all", "--format", "csv"),
])
def test_missing_database_exits_1_and_creates_nothing(command: tuple[str, ...], tmp_path: Path) -> None:
    missing = tmp_path / "data" / "quiz.db"
    result = quizbot(*command, env={"QUIZBOT_DATABASE_PATH": str(missing), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)})
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "quiz.db" in result.stderr
    assert not missing.parent.exists()


async def test_export_unknown_server_exits_1(service: QuizService, clock: FakeClock, env: dict[str, str]) -> None:
    await seed_bad_daily(service, clock)
    result = quizbot("export", "--server", "discord:g2", "--period", "all", "--format", "json", env=env)
    assert result.returncode == 1 and "no server discord:g2" in result.stderr


@pytest.mark.parametrize("command", [("content", "--help"), ("content", "analytics", "--help"), ("export", "--help")])
def test_help_of_the_new_commands_renders(command: tuple[str, ...]) -> None:
    result = quizbot(*command)
    assert result.returncode == 0, result.stderr
    assert "usage: quizbot" in result.stdout
