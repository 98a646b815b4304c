from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.database import Database, DatabaseError
from bot.storage.migrations import current_version, discover, migrate


@pytest.fixture
def backend() -> str:
    """SQLite-specific checks (pragmas, user_version, EXPLAIN QUERY PLAN); PostgreSQL has its own below or in bench."""
    return "sqlite"


async def test_fresh_database_reaches_head_and_rerun_is_a_no_op(tmp_path: Path) -> None:
    head = discover()[-1].version
    async with Database.open(tmp_path / "q.db") as db:
        assert await migrate(db) == head
        tables = {r[0] async for r in await db.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"rounds", "attempts", "board_totals", "streaks", "deck_draws", "server_config"} <= tables
    async with Database.open(tmp_path / "q.db") as db:
        assert await current_version(db) == head
        assert await migrate(db) == head


async def test_pragmas_are_set(db: Database) -> None:
    values = {}
    for pragma in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
        async with db.conn.execute(f"PRAGMA {pragma}") as cursor:
            values[pragma] = (await cursor.fetchone())[0]
    assert values == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 5000}


async def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    async with Database.open(path) as db:
        with pytest.raises(DatabaseError, match="newer than this code"):
            await migrate(db)


async def test_foreign_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    async with Database.open(path) as db:
        with pytest.raises(DatabaseError, match="did not create"):
            await migrate(db)
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert names == ["invoices"]


async def test_non_sqlite_file_is_refused_and_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is my thesis, not a database\n" * 10)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        async with Database.open(path):
            pass
    assert path.read_bytes() == before


async def test_corrupt_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = path.read_bytes()
    with pytest.raises(DatabaseError):
        async with Database.open(path) as db:
            await migrate(db)
    assert path.read_bytes() == before


def test_migration_files_are_numbered_without_gaps(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0003_c.sql").write_text("SELECT 1;")
    with pytest.raises(DatabaseError, match="without gaps"):
        discover(tmp_path)


async def test_failed_migration_rolls_back_whole_file(tmp_path: Path) -> None:
    migrations = tmp_path / "m"
    migrations.mkdir()
    (migrations / "0001_ok.sql").write_text("CREATE TABLE a (x INTEGER);")
    (migrations / "0002_bad.sql").write_text("CREATE TABLE b (x INTEGER);\nINSERT INTO missing VALUES (1);")
    async with Database.open(tmp_path / "q.db") as db:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(db, migrations)
        assert await current_version(db) == 1
        tables = {r[0] async for r in await db.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"a"}
