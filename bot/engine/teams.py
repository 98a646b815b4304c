"""Teams: dated membership, and boards ranked fairly by points per active member."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime

from bot.engine.errors import InvalidConfig
from bot.engine.model import Period, PlayerKey, ServerKey, Team, TeamStanding
from bot.engine.ports import Clock
from bot.engine.study_ports import StudyStore
from bot.engine.timekeys import local_date, period_key

_NAME = re.compile(r"^[\w][\w .&'-]{0,39}$")
STREAK_LOOKBACK = 60
TimezoneLookup = Callable[[ServerKey], Awaitable[str]]


def clean_name(name: str) -> str:
    """1-40 characters of letters, digits, spaces and ``.&'-``; trimmed."""
    cleaned = " ".join(name.split())
    if not _NAME.match(cleaned):
        raise InvalidConfig("A team name has 1-40 letters, digits, spaces or .&'- characters.")
    return cleaned


def team_streak(
    members: Sequence[tuple[str, datetime]], rounds: Sequence[tuple[datetime, bool, frozenset[str]]]
) -> int:
    """Consecutive newest daily rounds on which every member (who had joined by then) answered.

    ``rounds`` are (opened_at, still open, who answered), newest first; a round still open
    and not yet complete is skipped rather than breaking the streak.
    """
    streak = 0
    for opened_at, is_open, answered in rounds:
        expected = {user for user, joined in members if joined <= opened_at}
        if expected and expected <= answered:
            streak += 1
        elif not (is_open and expected):
            break
    return streak


def rank_teams(
    rows: Sequence[tuple[Team, int, int]], streaks: Mapping[int, int]
) -> tuple[TeamStanding, ...]:
    """Rank by points per active member, then total points, then name."""
    standings = [TeamStanding(0, team.name, points, active, team.members, streaks.get(team.id, 0))
                 for team, points, active in rows]
    standings.sort(key=lambda s: (-s.per_member, -s.points, s.team.casefold()))
    return tuple(TeamStanding(i + 1, s.team, s.points, s.active, s.members, s.streak)
                 for i, s in enumerate(standings))


class TeamService:
    """Admin and member operations on teams; admin checks are the adapters' job."""

    def __init__(self, store: StudyStore, clock: Clock, timezone_of: TimezoneLookup) -> None:
        self._store = store
        self._clock = clock
        self._timezone_of = timezone_of

    async def create(self, server: ServerKey, name: str) -> Team:
        """Create a team with a unique (case-insensitive) name."""
        return await self._store.create_team(server, clean_name(name), self._clock.now())

    async def _team(self, server: ServerKey, name: str) -> Team:
        team = await self._store.find_team(server, name.strip())
        if team is None:
            known = ", ".join(t.name for t in await self._store.teams(server)) or "none yet"
            raise InvalidConfig(f"No team called {name.strip()!r} (teams: {known}).")
        return team

    async def rename(self, server: ServerKey, old: str, new: str) -> Team:
        """Rename a team; its points and members stay."""
        team = await self._team(server, old)
        await self._store.rename_team(team.id, clean_name(new))
        return await self._team(server, new)

    async def delete(self, server: ServerKey, name: str) -> None:
        """Delete a team; its members become teamless from now on."""
        await self._store.delete_team((await self._team(server, name)).id, self._clock.now())

    async def join(self, player: PlayerKey, name: str) -> Team:
        """Join (or be assigned to) a team, leaving the current one; earlier points stay where earned."""
        team = await self._team(player.server, name)
        await self._store.set_membership(player, team.id, self._clock.now())
        return team

    async def leave(self, player: PlayerKey) -> None:
        """Leave the current team."""
        if await self._store.current_team(player) is None:
            raise InvalidConfig("You are not in a team.")
        await self._store.set_membership(player, None, self._clock.now())

    async def mine(self, player: PlayerKey) -> Team | None:
        """The player's current team."""
        return await self._store.current_team(player)

    async def list(self, server: ServerKey) -> tuple[Team, ...]:
        """Live teams with member counts."""
        return tuple(await self._store.teams(server))

    async def sync_members(self, server: ServerKey, name: str, user_ids: Sequence[str]) -> Team:
        """Make the team's membership exactly ``user_ids`` (a Discord role or Slack group mapping)."""
        team = await self._team(server, name)
        now = self._clock.now()
        current = {user for user, _ in (await self._store.current_members(server)).get(team.id, ())}
        wanted = set(user_ids)
        for user in sorted(wanted - current):
            await self._store.set_membership(server.player(user), team.id, now)
        for user in sorted(current - wanted):
            await self._store.set_membership(server.player(user), None, now)
        return await self._team(server, name)

    async def board(self, server: ServerKey, period: Period) -> tuple[str, tuple[TeamStanding, ...]]:
        """(period key, standings) of the server's teams."""
        tz = await self._timezone_of(server)
        key = period_key(period, local_date(self._clock.now(), tz))
        rows = await self._store.team_rows(server, key)
        rounds = await self._store.daily_answerers(server, STREAK_LOOKBACK)
        members = await self._store.current_members(server)
        streaks = {team_id: team_streak(list(people), rounds) for team_id, people in members.items()}
        return key, rank_teams(rows, streaks)

