"""Teams mapped to Discord roles: members holding the role are in the team.

Listing a role's members needs the privileged members intent, which QuizBot
does not ask for. So membership follows the roles lazily instead: whenever a
member answers, or views teams or the team board, the roles Discord sent with
that interaction decide their team (through the engine's dated join/leave, so
points stay with the team they were in when earned). A mapped role that is not
in the guild cache is ignored rather than read as "not held", so a cache gap
never moves anyone.

The mapping (team id to role id, so a rename keeps it) is adapter state and
lives in the meta table under one key per guild.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection

from bot.adapters.discord_adapter.meta import MetaStore
from bot.engine.errors import InvalidConfig
from bot.engine.model import PlayerKey, ServerKey, Team
from bot.engine.teams import TeamService

log = logging.getLogger(__name__)


def meta_key(server: ServerKey) -> str:
    """The meta key holding one guild's mapping."""
    return f"discord:team_roles:{server.server_id}"


class TeamRoles:
    """Reads and writes the team-to-role mapping and applies it to one member at a time."""

    def __init__(self, store: MetaStore, teams: TeamService) -> None:
        self._store = store
        self._teams = teams

    async def mapping(self, server: ServerKey) -> dict[int, str]:
        """Role id per live team id (deleted teams drop out)."""
        raw = await self._store.get_meta(meta_key(server))
        stored = {int(team): role for team, role in json.loads(raw).items()} if raw else {}
        if not stored:
            return {}
        live = {team.id for team in await self._teams.list(server)}
        return {team: role for team, role in stored.items() if team in live}

    async def assign(self, server: ServerKey, team_name: str, role_id: str | None) -> Team:
        """Map a team to a role (None: back to explicit membership)."""
        team = await self._find(server, team_name)
        current = await self.mapping(server)
        current.pop(team.id, None)
        if role_id is not None:
            taken = next((t for t, r in current.items() if r == role_id), None)
            if taken is not None:
                raise InvalidConfig("That role is already mapped to another team.")
            current[team.id] = role_id
        await self._store.set_meta(meta_key(server), json.dumps({str(t): r for t, r in current.items()}))
        log.info("team %s of %s mapped to role %s", team.id, server.server_id, role_id)
        return team

    async def sync(self, player: PlayerKey, held: Collection[str], known: Collection[str]) -> None:
        """Put the member in the team of a mapped role they hold, or out of one whose role they lost.

        ``held`` are the member's role ids, ``known`` the role ids the guild cache has.
        """
        mapping = {team: role for team, role in (await self.mapping(player.server)).items() if role in known}
        if not mapping:
            return
        current = await self._teams.mine(player)
        if current is not None and mapping.get(current.id) in held:
            return
        teams = sorted((t for t in await self._teams.list(player.server) if t.id in mapping),
                       key=lambda t: t.name.casefold())
        target = next((t for t in teams if mapping[t.id] in held), None)
        if target is not None:
            await self._teams.join(player, target.name)
            log.info("role sync: user %s joined team %s", player.user_id, target.id)
        elif current is not None and current.id in mapping:
            await self._teams.leave(player)
            log.info("role sync: user %s left team %s", player.user_id, current.id)

    async def refuse_manual(self, server: ServerKey, team_name: str | None, held: Collection[str]) -> None:
        """Refuse a join, leave or assignment that the role sync would undo."""
        mapping = await self.mapping(server)
        if team_name is not None:
            team = await self._find(server, team_name)
            if team.id in mapping:
                raise InvalidConfig(f"Team {team.name} follows the role <@&{mapping[team.id]}>: "
                                    "whoever has the role is in the team.")
        if any(role in held for role in mapping.values()):
            raise InvalidConfig("A team role decides this team membership; an admin changes it by changing roles.")

    async def _find(self, server: ServerKey, name: str) -> Team:
        wanted = name.strip().casefold()
        teams = await self._teams.list(server)
        found = next((t for t in teams if t.name.casefold() == wanted), None)
        if found is None:
            known = ", ".join(t.name for t in teams) or "none yet"
            raise InvalidConfig(f"No team called {name.strip()!r} (teams: {known}).")
        return found
