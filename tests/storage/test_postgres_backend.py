"""What only the PostgreSQL backend has to prove: trigger parity with SQLite, migrations under
several starting processes, refusals, placeholder rewriting and error translation."""

from __future__ import annotations

import asyncio

import pytest

from bot.storage.database import DatabaseError, IntegrityViolation, WriteRefused
from bot.storage.migrations import POSTGRES_DIR, current_version, discover, migrate
from bot.storage.postgres import PostgresDatabase, redact, scrub, to_dollar
from tests.storage import trigger_parity

HEAD = discover(POSTGRES_DIR)[-1].version


def test_placeholders_are_rewritten_outside_literals_only() -> None:
    sql = "SELECT '?', \"a?b\" FROM t WHERE x = ? AND y = 'it''s ?' AND z IN (?, ?)"
    assert to_dollar(sql) == "SELECT '?', \"a?b\" FROM t WHERE x = $1 AND y = 'it''s ?' AND z IN ($2, $3)"


def test_redact_hides_only_the_password() -> None:
    assert redact("postgresql://quiz:s3cret@db.internal:5433/quizbot") == "postgresql://quiz:***@db.internal:5433/quizbot"
    assert redact("postgresql://quiz@db/quizbot") == "postgresql://quiz@db/quizbot"


def test_scrub_removes_the_password_in_either_spelling_from_driver_text() -> None:
    url = "postgresql://quiz:p%40ss@db/quizbot"
    assert scrub("auth failed for p@ss and p%40ss", url) == "auth failed for *** and ***"
    assert scrub("no password here", "postgresql://quiz@db/quizbot") == "no password here"


async def test_triggers_keep_the_same_rows_as_sqlite(pg_database: str) -> None:
    """Boards, streaks and team boards: every parity case gives identical rows (values and types) on both."""
    assert await trigger_parity.compare(pg_database) == []


async def test_three_processes_migrating_at_once_apply_each_file_once(pg_database: str) -> None:
    async with (PostgresDatabase.open(pg_database) as a, PostgresDatabase.open(pg_database) as b,
                PostgresDatabase.open(pg_database) as c):
        versions = await asyncio.gather(migrate(a), migrate(b), migrate(c))
        assert versions == [HEAD] * 3
        rows = await a.fetch_all("SELECT version FROM quizbot_schema ORDER BY version")
        assert [r[0] for r in rows] == list(range(1, HEAD + 1))
        assert await migrate(b) == HEAD  # a restart finds nothing to do


async def test_foreign_database_is_refused_untouched(pg_database: str) -> None:
    async with PostgresDatabase.open(pg_database) as db:
        await db.execute("CREATE TABLE invoices (id INTEGER)")
        with pytest.raises(DatabaseError, match="did not create"):
            await migrate(db)
        assert await current_version(db, "postgres") == 0
        tables = await db.fetch_all(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
        assert [r[0] for r in tables] == ["invoices"]


async def test_newer_database_is_refused(pg_dsn: str) -> None:
    async with PostgresDatabase.open(pg_dsn) as db:
        await db.execute("INSERT INTO quizbot_schema (version) VALUES (?)", (HEAD + 1,))
        with pytest.raises(DatabaseError, match="newer than this code"):
            await migrate(db)


async def test_unreachable_server_is_a_clear_error_without_the_password() -> None:
    with pytest.raises(DatabaseError) as caught:
        async with PostgresDatabase.open("postgresql://quiz:hunter2@127.0.0.1:1/quizbot"):
            pass
    assert "127.0.0.1:1" in str(caught.value)
    assert "hunter2" not in str(caught.value)


async def test_driver_errors_are_translated(pg_dsn: str) -> None:
    async with PostgresDatabase.open(pg_dsn) as db:
        await db.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
        with pytest.raises(IntegrityViolation):
            await db.execute("INSERT INTO meta (key, value) VALUES ('k', 'w')")
        await db.execute("ALTER DATABASE " + pg_dsn.rsplit("/", 1)[1] + " SET default_transaction_read_only = on")
    async with PostgresDatabase.open(pg_dsn) as read_only:
        with pytest.raises(WriteRefused):
            await read_only.execute("INSERT INTO meta (key, value) VALUES ('x', 'y')")
        assert (await read_only.fetch_one("SELECT value FROM meta WHERE key = 'k'"))[0] == "v"  # type: ignore[index]


async def test_a_failed_transaction_leaves_nothing(pg_dsn: str) -> None:
    async with PostgresDatabase.open(pg_dsn) as db:
        with pytest.raises(IntegrityViolation):
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO meta (key, value) VALUES ('a', '1')")
                await tx.execute("INSERT INTO meta (key, value) VALUES ('a', '2')")
        assert await db.fetch_one("SELECT value FROM meta WHERE key = 'a'") is None
