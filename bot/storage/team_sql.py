"""Teams, dated membership and the team-board queries (totals, active and member counts kept by triggers)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.engine.errors import InvalidConfig
from bot.engine.model import PlayerKey, ServerKey, Team
from bot.storage.database import IntegrityViolation, Row
from bot.storage.sql_base import SqlBase, epoch, from_text, to_text

_TEAM = (
    "SELECT t.id, t.platform, t.server_id, t.name, t.role_ref, t.members FROM teams t"
)


def _team(row: Row) -> Team:
    return Team(row["id"], ServerKey(row["platform"], row["server_id"]), row["name"], row["members"], row["role_ref"])


class TeamQueries(SqlBase):
    """SQL of teams and team boards."""

    async def create_team(self, server: ServerKey, name: str, at: datetime) -> Team:
        """Insert a team; a live team of the same name (any case) is refused."""
        try:
            await self._run(
                "INSERT INTO teams (platform, server_id, name, created_at) VALUES (?, ?, ?, ?)",
                (server.platform, server.server_id, name, to_text(at)),
            )
        except IntegrityViolation as exc:
            raise InvalidConfig(f"A team called {name!r} already exists.") from exc
        team = await self.find_team(server, name)
        assert team is not None  # noqa: S101 - inserted just above
        return team

    async def find_team(self, server: ServerKey, name: str) -> Team | None:
        """A live team by name, case-insensitively."""
        row = await self._one(
            f"{_TEAM} WHERE t.platform = ? AND t.server_id = ? AND lower(t.name) = lower(?)"
            " AND t.deleted_at IS NULL",
            (server.platform, server.server_id, name),
        )
        return _team(row) if row else None

    async def teams(self, server: ServerKey) -> Sequence[Team]:
        """Live teams of a server by name."""
        rows = await self._all(
            f"{_TEAM} WHERE t.platform = ? AND t.server_id = ? AND t.deleted_at IS NULL ORDER BY lower(t.name), t.id",
            (server.platform, server.server_id),
        )
        return [_team(r) for r in rows]

    async def rename_team(self, team_id: int, name: str) -> None:
        """Rename; a clash with another live team is refused."""
        try:
            await self._run("UPDATE teams SET name = ? WHERE id = ?", (name, team_id))
        except IntegrityViolation as exc:
            raise InvalidConfig(f"A team called {name!r} already exists.") from exc

    async def delete_team(self, team_id: int, at: datetime) -> None:
        """Soft-delete the team and end its members' stints, in one transaction."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE teams SET deleted_at = ? WHERE id = ?", (to_text(at), team_id))
            await tx.execute(
                "UPDATE team_members SET left_at = ? WHERE team_id = ? AND left_at IS NULL", (to_text(at), team_id)
            )

    async def set_membership(self, player: PlayerKey, team_id: int | None, at: datetime) -> None:
        """End the current stint and start one in ``team_id``; one transaction, so never two teams."""
        key = (player.platform, player.server_id, player.user_id)
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE team_members SET left_at = ? WHERE platform = ? AND server_id = ? AND user_id = ?"
                " AND left_at IS NULL",
                (to_text(at), *key),
            )
            if team_id is not None:
                await tx.execute(
                    "INSERT INTO team_members (platform, server_id, user_id, team_id, joined_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (*key, team_id, to_text(at)),
                )

    async def current_team(self, player: PlayerKey) -> Team | None:
        """The team of the player's open stint."""
        row = await self._one(
            f"{_TEAM} JOIN team_members cur ON cur.team_id = t.id AND cur.left_at IS NULL"
            " WHERE cur.platform = ? AND cur.server_id = ? AND cur.user_id = ?",
            (player.platform, player.server_id, player.user_id),
        )
        return _team(row) if row else None

    async def team_rows(self, server: ServerKey, period_key: str) -> Sequence[tuple[Team, int, int]]:
        """(team, points, active members) for a board bucket; teams without points show zeros."""
        rows = await self._all(
            "SELECT t.id, t.platform, t.server_id, t.name, t.role_ref, t.members,"
            " coalesce(tt.points, 0) AS points, coalesce(tt.active, 0) AS active"
            " FROM teams t LEFT JOIN team_totals tt ON tt.team_id = t.id AND tt.period = ?"
            " WHERE t.platform = ? AND t.server_id = ? AND t.deleted_at IS NULL",
            (period_key, server.platform, server.server_id),
        )
        return [(_team(r), int(r["points"]), int(r["active"])) for r in rows]

    async def daily_answerers(
        self, server: ServerKey, limit: int
    ) -> Sequence[tuple[datetime, bool, frozenset[str]]]:
        """The newest daily rounds, whether each is still open, and the users who answered each."""
        # One row per (round, answerer), folded here: string aggregation is spelled differently per backend.
        rows = await self._all(
            "SELECT r.daily_seq, r.opened_at, r.revealed_at, a.user_id"
            " FROM (SELECT id, opened_at, revealed_at, daily_seq FROM rounds WHERE platform = ? AND server_id = ?"
            " AND daily_seq IS NOT NULL ORDER BY daily_seq DESC LIMIT ?) AS r"
            " LEFT JOIN attempts a ON a.round_id = r.id ORDER BY r.daily_seq DESC",
            (server.platform, server.server_id, limit),
        )
        rounds: dict[int, tuple[datetime, bool, set[str]]] = {}
        for r in rows:
            _opened, _open, users = rounds.setdefault(
                int(r[0]), (from_text(r[1]) or epoch(), r[2] is None, set()))
            if r[3] is not None:
                users.add(r[3])
        return [(opened, is_open, frozenset(users)) for opened, is_open, users in rounds.values()]

    async def current_members(self, server: ServerKey) -> Mapping[int, Sequence[tuple[str, datetime]]]:
        """Open stints per live team."""
        rows = await self._all(
            "SELECT m.team_id, m.user_id, m.joined_at FROM team_members m JOIN teams t ON t.id = m.team_id"
            " WHERE m.platform = ? AND m.server_id = ? AND m.left_at IS NULL AND t.deleted_at IS NULL",
            (server.platform, server.server_id),
        )
        members: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
        for r in rows:
            members[int(r[0])].append((r[1], from_text(r[2]) or epoch()))
        return members
