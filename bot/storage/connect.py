"""Pick the backend from the settings: PostgreSQL when a URL is set, else the embedded SQLite file."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path

from bot.storage.database import Database, SqliteDatabase


def open_database(path: Path, url: str | None = None) -> AbstractAsyncContextManager[Database]:
    """The bot's database, not yet migrated: PostgreSQL at ``url`` when given, else SQLite at ``path``."""
    if url:
        # Imported only when used: the embedded default needs no PostgreSQL driver loaded.
        from bot.storage.postgres import PostgresDatabase

        return PostgresDatabase.open(url)
    return SqliteDatabase.open(path)
