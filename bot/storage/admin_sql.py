"""Reports from players and the adapters' key-value bookkeeping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.engine.model import PlayerKey, Report, ServerKey
from bot.storage.sql_base import SqlBase, epoch, from_text, to_text, writes


class AdminQueries(SqlBase):
    """Reports and meta."""

    async def add_report(self, report: Report) -> Report:
        """Store a question report."""
        player = report.player
        row = await self._one(
            "INSERT INTO reports (platform, server_id, user_id, question_id, round_id, reason, text, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (player.platform, player.server_id, player.user_id, report.question_id, report.round_id, report.reason,
             report.text, to_text(report.created_at)),
        )
        return replace(report, id=int(row[0]) if row else 0)

    async def open_reports(self, server: ServerKey) -> Sequence[Report]:
        """Unresolved reports of a server, oldest first."""
        rows = await self._all(
            "SELECT * FROM reports WHERE platform = ? AND server_id = ? AND resolved_at IS NULL ORDER BY id",
            (server.platform, server.server_id),
        )
        return [
            Report(id=r["id"], player=PlayerKey(r["platform"], r["server_id"], r["user_id"]),
                   question_id=r["question_id"], round_id=r["round_id"], reason=r["reason"], text=r["text"],
                   created_at=from_text(r["created_at"]) or epoch())
            for r in rows
        ]

    async def resolve_report(self, server: ServerKey, report_id: int, by: str, resolution: str,
                             at: datetime) -> bool:
        """Resolve an open report of this server."""
        changed = await self._run(
            "UPDATE reports SET resolved_at = ?, resolved_by = ?, resolution = ?"
            " WHERE id = ? AND platform = ? AND server_id = ? AND resolved_at IS NULL",
            (to_text(at), by, resolution, report_id, server.platform, server.server_id),
        )
        return changed == 1

    async def get_meta(self, key: str) -> str | None:
        """A bookkeeping value."""
        row = await self._one("SELECT value FROM meta WHERE key = ?", (key,))
        return str(row[0]) if row else None

    async def set_meta(self, key: str, value: str) -> None:
        """Store a bookkeeping value; a refused write is ``StorageUnavailable``."""
        async with writes():
            await self._run(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

