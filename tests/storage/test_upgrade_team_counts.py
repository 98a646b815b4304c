"""Migrations 0008 and 0009 on a database that already has teams: the new counts start right and stay right."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.storage.database import Database
from bot.storage.migrations import MIGRATIONS_DIR, POSTGRES_DIR, migrate
from bot.storage.postgres import PostgresDatabase

SETUP = (
    "INSERT INTO teams (id, platform, server_id, name, created_at) VALUES (1, 'discord', 'g', 'red', 't0')",
    "INSERT INTO team_members (platform, server_id, user_id, team_id, joined_at) VALUES"
    " ('discord', 'g', 'ann', 1, 't0'), ('discord', 'g', 'bob', 1, 't0')",
    "INSERT INTO rounds (id, platform, server_id, kind, question_id, opened_at, timezone, on_board, daily_seq)"
    " VALUES (1, 'discord', 'g', 'daily', 'q1', 't1', 'UTC', 1, 1),"
    " (2, 'discord', 'g', 'daily', 'q2', 't2', 'UTC', 1, 2)",
)


ANSWER = (
    "INSERT INTO attempts (round_id, platform, server_id, user_id, question_id, choices, correct, points,"
    " answered_at, kind, topic, domain, on_board, week_key, month_key, daily_seq) VALUES (?, 'discord', 'g', ?,"
    " 'q', '0', 1, 10, 't', 'daily', 'iam', 2, 1, 'w2026-W49', 'm2026-12', ?)"
)


async def answer(db: Database, round_id: int, user: str) -> None:
    await db.execute(ANSWER, (round_id, user, round_id))


@asynccontextmanager
async def opened(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    if backend == "postgres":
        async with PostgresDatabase.open(request.getfixturevalue("pg_database")) as pg:
            yield pg
    else:
        async with Database.open(tmp_path / "q.db") as lite:
            yield lite


async def test_0008_counts_existing_activity_then_keeps_counting(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source = POSTGRES_DIR if backend == "postgres" else MIGRATIONS_DIR
    before = tmp_path / "upto7"
    before.mkdir()
    for path in sorted(source.glob("*.sql")):
        if int(path.name[:4]) <= 7:
            shutil.copy(path, before / path.name)
    async with opened(backend, tmp_path, request) as db:
        assert await migrate(db, before) == 7
        for statement in SETUP:
            await db.execute(statement)
        for round_id, user in ((1, "ann"), (1, "bob"), (2, "ann")):
            await answer(db, round_id, user)
        assert await migrate(db) == int(sorted(source.glob("*.sql"))[-1].name[:4])  # 0008 and later
        rows = await db.fetch_all("SELECT period, active FROM team_totals WHERE team_id = 1 ORDER BY period")
        assert [tuple(r) for r in rows] == [("all", 2), ("m2026-12", 2), ("w2026-W49", 2)]
        await answer(db, 2, "bob")  # already active: no change
        await answer(db, 2, "cat")  # not in a team: no change
        row = await db.fetch_one("SELECT active, answered FROM team_totals WHERE team_id = 1 AND period = 'all'")
        assert tuple(row) == (2, 4)  # type: ignore[arg-type]


async def test_0009_counts_open_stints_then_follows_joins_and_leaves(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    source = POSTGRES_DIR if backend == "postgres" else MIGRATIONS_DIR
    before = tmp_path / "upto8"
    before.mkdir()
    for path in sorted(source.glob("*.sql")):
        if int(path.name[:4]) <= 8:
            shutil.copy(path, before / path.name)
    async with opened(backend, tmp_path, request) as db:
        assert await migrate(db, before) == 8
        for statement in SETUP[:2]:
            await db.execute(statement)
        await db.execute("INSERT INTO teams (id, platform, server_id, name, created_at) VALUES (2, 'discord', 'g',"
                         " 'blue', 't0')")
        await db.execute("UPDATE team_members SET left_at = 't1' WHERE user_id = 'bob'")  # bob left red
        await migrate(db)

        async def members() -> list[tuple[int, int]]:
            return [tuple(r) for r in await db.fetch_all("SELECT id, members FROM teams ORDER BY id")]

        assert await members() == [(1, 1), (2, 0)]
        await db.execute("INSERT INTO team_members (platform, server_id, user_id, team_id, joined_at)"
                         " VALUES ('discord', 'g', 'bob', 2, 't2')")  # bob joins blue
        await db.execute("UPDATE team_members SET left_at = 't3' WHERE user_id = 'ann' AND left_at IS NULL")
        await db.execute("UPDATE team_members SET left_at = 't4' WHERE user_id = 'ann'")  # a closed stint again
        assert await members() == [(1, 0), (2, 1)]
        await db.execute("DELETE FROM team_members WHERE user_id = 'bob' AND left_at IS NULL")
        assert await members() == [(1, 0), (2, 0)]
