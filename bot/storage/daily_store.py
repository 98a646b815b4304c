"""``SqlDailyStore``: claim rows (SQLite or PostgreSQL) of daily posts, one per server and local date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.engine.model import DailyPost, PostStatus, ServerKey
from bot.storage.database import Database, Row
from bot.storage.sql_base import from_text, to_text

_KEY = "platform = ? AND server_id = ? AND local_date = ?"


def _post(row: Row) -> DailyPost:
    claimed = from_text(row["claimed_at"])
    assert claimed is not None  # noqa: S101 - NOT NULL column
    return DailyPost(
        server=ServerKey(row["platform"], row["server_id"]), local_date=date.fromisoformat(row["local_date"]),
        status=PostStatus(row["status"]), claimed_at=claimed, round_id=row["round_id"],
        posted_at=from_text(row["posted_at"]), reveal_at=from_text(row["reveal_at"]), failures=row["failures"],
        last_error=row["last_error"],
    )


class SqlDailyStore:
    """Single-statement writes over ``daily_posts``; the primary key is the claim."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @staticmethod
    def _key(server: ServerKey, day: date) -> tuple[str, str, str]:
        return server.platform, server.server_id, day.isoformat()

    async def claim(self, server: ServerKey, day: date, at: datetime) -> bool:
        """Insert the claim; False when the day was already claimed (by us or anyone)."""
        return await self._db.execute(
            "INSERT INTO daily_posts (platform, server_id, local_date, status, claimed_at)"
            " VALUES (?, ?, ?, 'claimed', ?) ON CONFLICT DO NOTHING",
            (*self._key(server, day), to_text(at)),
        ) == 1

    async def get(self, server: ServerKey, day: date) -> DailyPost | None:
        """The claim row of a day."""
        row = await self._db.fetch_one(f"SELECT * FROM daily_posts WHERE {_KEY}", self._key(server, day))  # noqa: S608
        return _post(row) if row else None

    async def attach_round(self, server: ServerKey, day: date, round_id: int) -> None:
        """Remember the round drawn for the day, so a retry re-sends the same question."""
        await self._db.execute(
            f"UPDATE daily_posts SET round_id = ? WHERE {_KEY}", (round_id, *self._key(server, day))  # noqa: S608
        )

    async def mark_posted(self, server: ServerKey, day: date, at: datetime, reveal_at: datetime) -> None:
        """The platform accepted the post."""
        await self._db.execute(
            f"UPDATE daily_posts SET status = 'posted', posted_at = ?, reveal_at = ?, last_error = NULL"  # noqa: S608
            f" WHERE {_KEY}",
            (to_text(at), to_text(reveal_at), *self._key(server, day)),
        )

    async def mark_failed(self, server: ServerKey, day: date, error: str) -> int:
        """Count a failed send; return how many sends of the day have failed."""
        await self._db.execute(
            f"UPDATE daily_posts SET status = 'failed', last_error = ?, failures = failures + 1"  # noqa: S608
            f" WHERE {_KEY}",
            (error[:500], *self._key(server, day)),
        )
        post = await self.get(server, day)
        return post.failures if post else 0

    async def mark_revealed(self, server: ServerKey, day: date) -> None:
        """The reveal was done."""
        await self._db.execute(
            f"UPDATE daily_posts SET status = 'revealed' WHERE {_KEY}", self._key(server, day)  # noqa: S608
        )

    async def open_posts(self) -> Sequence[DailyPost]:
        """Every claim not yet revealed: pending reveals, failed or interrupted sends."""
        rows = await self._db.fetch_all(
            "SELECT * FROM daily_posts WHERE status IN ('claimed', 'posted', 'failed') ORDER BY local_date"
        )
        return [_post(row) for row in rows]

    async def unrevealed_before(self, server: ServerKey, day: date) -> Sequence[DailyPost]:
        """Posted days of a server before ``day`` that were not revealed yet."""
        rows = await self._db.fetch_all(
            "SELECT * FROM daily_posts WHERE platform = ? AND server_id = ? AND local_date < ?"
            " AND status = 'posted' ORDER BY local_date",
            self._key(server, day),
        )
        return [_post(row) for row in rows]
