"""SQL of the answer export (``quizbot export`` and the admins' ``/quiz export``).

Answers come back as engine ``Attempt`` values and board rows as ``Standing``,
so the shaping code in ``bot.reporting`` never sees a driver. The period
filter uses the keys the service stored with each answer (computed in the
server's timezone when the answer was given), so an export agrees with the
board of the same period to the point.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.engine.model import Attempt, Period, PlayerKey, RoundKind, ServerKey, Standing
from bot.storage.database import Executor, Row

log = logging.getLogger(__name__)

_PERIOD_COLUMN = {Period.WEEK: "week_key", Period.MONTH: "month_key"}
_ANSWER_COLUMNS = (
    "round_id, platform, server_id, user_id, question_id, choices, correct, points, answered_at, kind, topic,"
    " domain, on_board, week_key, month_key, daily_seq"
)


def _attempt(row: Row) -> Attempt:
    return Attempt(
        round_id=row["round_id"], player=PlayerKey(row["platform"], row["server_id"], row["user_id"]),
        question_id=row["question_id"], choices=frozenset(int(c) for c in row["choices"].split(",") if c),
        correct=bool(row["correct"]), points=row["points"],
        answered_at=datetime.fromisoformat(row["answered_at"]).astimezone(UTC), kind=RoundKind(row["kind"]),
        topic=row["topic"], domain=row["domain"], on_board=bool(row["on_board"]),
        period_keys=(row["week_key"], row["month_key"]), daily_seq=row["daily_seq"],
    )


class SqlExportStore:
    """Reads one server's answers and board; works on the writer or on a read-only database."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def _all(self, sql: str, params: Sequence[object]) -> list[Row]:
        return await self._db.fetch_all(sql, params)

    async def server_timezone(self, server: ServerKey) -> str | None:
        """The server's configured IANA timezone, None when it was never configured."""
        rows = await self._all(
            "SELECT timezone FROM server_config WHERE platform = ? AND server_id = ?",
            (server.platform, server.server_id),
        )
        return str(rows[0][0]) if rows else None

    async def server_known(self, server: ServerKey) -> bool:
        """Whether the database has seen this server at all (a config or a round), to catch typos."""
        rows = await self._all(
            "SELECT EXISTS (SELECT 1 FROM server_config WHERE platform = ? AND server_id = ?)"
            " OR EXISTS (SELECT 1 FROM rounds WHERE platform = ? AND server_id = ?)",
            (server.platform, server.server_id, server.platform, server.server_id),
        )
        return bool(rows[0][0])

    async def answers(self, server: ServerKey, period: Period, period_key: str) -> Sequence[Attempt]:
        """Every answer of the server in the period bucket (all of them for ``Period.ALL``), oldest first."""
        where = "platform = ? AND server_id = ?"
        params: list[object] = [server.platform, server.server_id]
        column = _PERIOD_COLUMN.get(period)
        if column is not None:
            where += f" AND {column} = ?"
            params.append(period_key)
        rows = await self._all(
            f"SELECT {_ANSWER_COLUMNS} FROM attempts WHERE {where}"  # noqa: S608 - fixed column names only
            " ORDER BY answered_at, round_id, user_id",
            params,
        )
        return [_attempt(row) for row in rows]

    async def board(self, server: ServerKey, period_key: str) -> Sequence[Standing]:
        """The whole board bucket, ranked like the bot's leaderboard (points, then user id)."""
        rows = await self._all(
            "SELECT user_id, points, answered, correct FROM board_totals"
            " WHERE platform = ? AND server_id = ? AND period = ? ORDER BY points DESC, user_id",
            (server.platform, server.server_id, period_key),
        )
        return [Standing(rank, r[0], r[1], r[2], r[3]) for rank, r in enumerate(rows, start=1)]
