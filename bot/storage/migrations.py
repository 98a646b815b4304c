"""Numbered SQL migrations, applied in order, each in its own transaction.

SQLite runs ``migrations/NNNN_*.sql`` and keeps the version in ``PRAGMA
user_version``; PostgreSQL runs ``migrations/postgres/NNNN_*.sql`` (the same
numbers and schema, in its dialect) and keeps it in ``quizbot_schema``. Either
way the version lives in the database, never beside it. A database newer than
the code, or one that holds tables but no version (a foreign database), is
refused with a clear message and left untouched. On PostgreSQL several
processes may start at once: migrating takes the transaction lock and reads
the version again under it, so exactly one of them applies each file.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.storage.database import Database, DatabaseError, Executor

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
POSTGRES_DIR = MIGRATIONS_DIR / "postgres"
VERSION_TABLE = "quizbot_schema"
_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    path: Path


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Migration files sorted by number; gaps or duplicates are a packaging bug."""
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise DatabaseError(f"migration file {path.name} is not named NNNN_name.sql")
        found.append(Migration(int(match.group(1)), path))
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise DatabaseError(f"migrations must be numbered 0001.. without gaps, found {versions}")
    return found


def directory_for(db: Database) -> Path:
    """The migration set of the database's dialect."""
    return POSTGRES_DIR if db.dialect == "postgres" else MIGRATIONS_DIR


async def current_version(db: Executor, dialect: str = "sqlite") -> int:
    """The schema version recorded in the database (0 when none is)."""
    if dialect == "postgres":
        exists = await db.fetch_one("SELECT to_regclass(?) IS NOT NULL", (VERSION_TABLE,))
        if not (exists and exists[0]):
            return 0
        row = await db.fetch_one(f"SELECT max(version) FROM {VERSION_TABLE}", ())  # noqa: S608 - constant name
        return int(row[0]) if row and row[0] is not None else 0
    row = await db.fetch_one("PRAGMA user_version", ())
    return int(row[0]) if row else 0


async def migrate(db: Database, directory: Path | None = None) -> int:
    """Apply pending migrations; return the resulting version."""
    migrations = discover(directory or directory_for(db))
    head = migrations[-1].version if migrations else 0
    if db.dialect == "postgres":
        async with db.transaction() as tx:  # serialised: a second process waits, then finds nothing to do
            await _check(db, tx, head)
            await tx.execute(f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER NOT NULL)")
        for migration in migrations:
            await _apply_postgres(db, migration)
        return head
    await _check(db, db, head)
    for migration in migrations[await current_version(db):]:
        await _apply(db, migration)
        log.info("applied migration %s", migration.path.name)
    return head


async def _check(db: Database, on: Executor, head: int) -> None:
    version = await current_version(on, db.dialect)
    if version > head:
        raise DatabaseError(
            f"{db.label} has schema version {version}, newer than this code's {head}; "
            "upgrade QuizBot or point QUIZBOT_DATABASE_PATH / QUIZBOT_DATABASE_URL elsewhere"
        )
    if version == 0 and await has_tables(on, db.dialect):
        raise DatabaseError(f"{db.label} holds tables QuizBot did not create; refusing to migrate it")


async def has_tables(db: Executor, dialect: str) -> bool:
    """Whether the database (the current schema, on PostgreSQL) holds any table."""
    if dialect == "postgres":
        row = await db.fetch_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_name <> ?", (VERSION_TABLE,))
    else:
        row = await db.fetch_one("SELECT count(*) FROM sqlite_master WHERE type = 'table'", ())
    return bool(row and row[0])


async def _apply(db: Database, migration: Migration) -> None:
    statements = _split(migration.path.read_text(encoding="utf-8"))
    async with db.transaction() as tx:
        for statement in statements:
            await tx.execute(statement)
        await tx.execute(f"PRAGMA user_version = {migration.version:d}")


async def _apply_postgres(db: Database, migration: Migration) -> None:
    """Apply one file unless another process did; the file runs as one script (plpgsql bodies stay whole)."""
    async with db.transaction() as tx:
        if await current_version(tx, "postgres") >= migration.version:
            return
        await tx.execute(migration.path.read_text(encoding="utf-8"))
        await tx.execute(f"INSERT INTO {VERSION_TABLE} (version) VALUES ({migration.version:d})")  # noqa: S608
    log.info("applied migration postgres/%s", migration.path.name)


def _split(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies whole."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buffer.strip():
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise DatabaseError(f"unterminated SQL statement: {buffer.strip()[:60]!r}")
    return statements
