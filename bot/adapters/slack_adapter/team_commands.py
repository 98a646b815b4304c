"""``/quiz team ...`` and ``/quiz leaderboard [period] [people|teams]``.

On Slack a team's membership is explicit (join, leave, or an admin's
assign): mapping user groups would need the ``usergroups:read`` scope.
Names with spaces are quoted: ``/quiz team rename "Old name" "New name"``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.adapters.slack_adapter import blocks, study_blocks
from bot.adapters.slack_adapter.ids import escape, unwrap_mentions
from bot.adapters.slack_adapter.invocation import Invocation, reply_text, require_admin
from bot.engine.errors import QuizError
from bot.engine.model import Period, PlayerKey
from bot.engine.service import QuizService

TEAM_USAGE = ("Usage: `/quiz team [list | join NAME | leave]`; admins: `create NAME`, `rename OLD NEW`"
              " (quote names with spaces), `delete NAME`, `assign @user NAME`")
BOARD_USAGE = "Usage: /quiz leaderboard [week|month|all] [people|teams]"
_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")

Action = Callable[[QuizService, PlayerKey, tuple[str, ...]], Awaitable[str]]


def _name(rest: tuple[str, ...]) -> str:
    if not rest:
        raise QuizError(TEAM_USAGE)
    return " ".join(rest)


def _none(rest: tuple[str, ...]) -> None:
    if rest:
        raise QuizError(TEAM_USAGE)


async def _list(service: QuizService, player: PlayerKey, rest: tuple[str, ...]) -> str:
    _none(rest)
    return study_blocks.teams_text(await service.teams.list(player.server), await service.teams.mine(player))


async def _join(service: QuizService, player: PlayerKey, rest: tuple[str, ...]) -> str:
    return f"You joined *{escape((await service.teams.join(player, _name(rest))).name)}*."


async def _leave(service: QuizService, player: PlayerKey, rest: tuple[str, ...]) -> str:
    _none(rest)
    await service.teams.leave(player)
    return "You left your team; your earlier points stay with it."


async def _create(service: QuizService, player: PlayerKey, rest: tuple[str, ...]) -> str:
    return f"Created team *{escape((await service.teams.create(player.server, _name(rest))).name)}*."


async def _rename(service: QuizService, player: PlayerKey, rest: tuple[str, ...]) -> str:
    if len(rest) != 2:
        raise QuizError(TEAM_USAGE)
    return f"Renamed to *{escape((await service.teams.rename(player.server, rest[0], rest[1])).name)}*."


async def _delete(service: QuizService, player: PlayerKey, rest: tuple[str, ...]) -> str:
    await service.teams.delete(player.server, _name(rest))
    return "Team deleted; its members are teamless from now on."


async def _assign(service: QuizService, player: PlayerKey, rest: tuple[str, ...]) -> str:
    user_id = unwrap_mentions(rest[0]) if rest else ""
    if not _USER_ID.match(user_id):
        raise QuizError(TEAM_USAGE)
    team = await service.teams.join(player.server.player(user_id), _name(rest[1:]))
    return f"<@{user_id}> is now in *{escape(team.name)}*."


MEMBER_ACTIONS: dict[str, Action] = {"list": _list, "join": _join, "leave": _leave}
ADMIN_ACTIONS: dict[str, Action] = {"create": _create, "rename": _rename, "delete": _delete, "assign": _assign}


async def team(service: QuizService, inv: Invocation) -> None:
    """``team [list | join NAME | leave]`` for everyone; create, rename, delete and assign for admins."""
    name, rest = (inv.args[0].lower(), inv.args[1:]) if inv.args else ("list", ())
    action = MEMBER_ACTIONS.get(name) or ADMIN_ACTIONS.get(name)
    if action is None:
        raise QuizError(TEAM_USAGE)
    if name in ADMIN_ACTIONS:
        await require_admin(service, inv, "manage teams")
    await reply_text(inv, await action(service, inv.player, rest))


async def leaderboard(service: QuizService, inv: Invocation) -> None:
    """``leaderboard [week|month|all] [people|teams]``, in either order; week and people by default."""
    words = [a.lower() for a in inv.args]
    kinds = [w for w in words if w in {"people", "teams"}]
    periods = [w for w in words if w not in {"people", "teams"}]
    if len(kinds) > 1 or len(periods) > 1:
        raise QuizError(BOARD_USAGE)
    try:
        period = Period(periods[0]) if periods else Period.WEEK
    except ValueError:
        raise QuizError(BOARD_USAGE) from None
    if kinds == ["teams"]:
        _key, standings = await service.teams.board(inv.player.server, period)
        await reply_text(inv, study_blocks.team_board_text(period, standings))
        return
    board = await service.leaderboard(inv.player.server, period, player=inv.player)
    await reply_text(inv, blocks.leaderboard_text(board))
