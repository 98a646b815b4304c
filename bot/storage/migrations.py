"""Numbered SQL migrations, applied in order, each in its own transaction.

The version lives in the database (``PRAGMA user_version``), never beside it.
A database newer than the code, or one that holds tables but no version (a
foreign file), is refused with a clear message and left untouched.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.storage.database import Database, DatabaseError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
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


async def current_version(db: Database) -> int:
    """The schema version recorded in the database."""
    async with db.conn.execute("PRAGMA user_version") as cursor:
        row = await cursor.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: Database, directory: Path = MIGRATIONS_DIR) -> int:
    """Apply pending migrations; return the resulting version."""
    migrations = discover(directory)
    head = migrations[-1].version if migrations else 0
    version = await current_version(db)
    if version > head:
        raise DatabaseError(
            f"{db.path} has schema version {version}, newer than this code's {head}; "
            "upgrade QuizBot or use another QUIZBOT_DATABASE_PATH"
        )
    if version == 0 and await _has_tables(db):
        raise DatabaseError(f"{db.path} holds tables QuizBot did not create; refusing to migrate it")
    for migration in migrations[version:]:
        await _apply(db, migration)
        log.info("applied migration %s", migration.path.name)
    return head


async def _has_tables(db: Database) -> bool:
    async with db.conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'") as cursor:
        row = await cursor.fetchone()
    return bool(row and row[0])


async def _apply(db: Database, migration: Migration) -> None:
    statements = _split(migration.path.read_text(encoding="utf-8"))
    async with db.transaction() as conn:
        for statement in statements:
            await conn.execute(statement)
        await conn.execute(f"PRAGMA user_version = {migration.version:d}")


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
