"""Every board query is answered from its index: no table scan, no temp B-tree."""

from __future__ import annotations

import pytest

from bot.storage.database import Database
from bot.storage.quiz_store import BOARD_SQL, RANK_SQL, STANDING_SQL


@pytest.fixture
def backend() -> str:
    """SQLite-specific checks (pragmas, user_version, EXPLAIN QUERY PLAN); PostgreSQL has its own below or in bench."""
    return "sqlite"

QUERIES = {
    "board": (BOARD_SQL, ("discord", "g1", "w2026-W48", 10)),
    "rank": (RANK_SQL, ("discord", "g1", "all", 10, "discord", "g1", "all", 10, "u1")),
    "standing": (STANDING_SQL, ("discord", "g1", "m2026-11", "u1")),
}


async def plan(db: Database, sql: str, params: tuple) -> list[str]:
    async with db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cursor:
        return [row[3] for row in await cursor.fetchall()]


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_board_queries_use_an_index(db: Database, name: str) -> None:
    rows = [("discord", "g1", p, f"u{i}", i, 1, 1) for i in range(300) for p in ("all", "w2026-W48", "m2026-11")]
    await db.conn.executemany("INSERT INTO board_totals VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    await db.conn.execute("ANALYZE")
    sql, params = QUERIES[name]
    steps = await plan(db, sql, params)
    text = " | ".join(steps)
    assert "USING" in text and ("INDEX board_rank" in text or "PRIMARY KEY" in text), text
    # "SCAN CONSTANT ROW" is the outer SELECT of the rank query's two scalar subqueries, not a table scan.
    assert not any(step.startswith("SCAN") and "INDEX" not in step and step != "SCAN CONSTANT ROW"
                   for step in steps), text
    assert "TEMP B-TREE" not in text, text


async def test_board_query_uses_the_covering_rank_index(db: Database) -> None:
    steps = await plan(db, *QUERIES["board"])
    assert steps == ["SEARCH board_totals USING COVERING INDEX board_rank (platform=? AND server_id=? AND period=?)"]


async def test_rank_query_walks_only_index_ranges(db: Database) -> None:
    steps = await plan(db, *QUERIES["rank"])
    searches = [s for s in steps if s.startswith("SEARCH")]
    assert searches == [
        "SEARCH board_totals USING COVERING INDEX board_rank (platform=? AND server_id=? AND period=? AND points>?)",
        "SEARCH board_totals USING COVERING INDEX board_rank"
        " (platform=? AND server_id=? AND period=? AND points=? AND user_id<?)",
    ]
