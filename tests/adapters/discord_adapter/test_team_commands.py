"""/quiz team ..., the team board and the lazy team-role sync, through the real CommandTree."""

from __future__ import annotations

from typing import Any

from bot.engine.model import Period
from bot.engine.service import QuizService
from tests.adapters.discord_adapter.conftest import SERVER, Harness
from tests.adapters.discord_adapter.fake_discord import (
    ADMIN_PERMS,
    TEAM_ROLE_ID,
    interaction,
    member,
    role_payload,
    slash,
)
from tests.adapters.discord_adapter.test_commands import opt
from tests.adapters.discord_adapter.test_daily_flow import click, post_today


def team(sub: str, options: list[dict[str, Any]] | None = None, **kw: Any) -> dict[str, Any]:
    return slash(sub, options, group="team", **kw)


def member_option(user_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    target = member(user_id)
    resolved = {"users": {str(user_id): target["user"]},
                "members": {str(user_id): {k: v for k, v in target.items() if k != "user"}}}
    return [opt("member", str(user_id), 6)], resolved


async def admin(harness: Harness, data: dict[str, Any]) -> dict[str, Any]:
    return await harness.reply(harness.inject(interaction(2, data, 4000, perms=ADMIN_PERMS)))


async def test_members_join_and_leave_and_admins_manage_teams(harness: Harness, service: QuizService) -> None:
    created = await admin(harness, team("create", [opt("name", "Blue")]))
    assert "Created team **Blue**" in created["content"]
    await admin(harness, team("create", [opt("name", "Red")]))
    joined = await harness.reply(harness.inject(interaction(2, team("join", [opt("team", "blue")]), 11)))
    assert joined["content"] == "You joined **Blue**." and joined["flags"] & 64
    listed = await harness.reply(harness.inject(interaction(2, team("list"), 11)))
    assert "• Blue (1) ← you" in listed["content"] and "• Red (0)" in listed["content"]
    left = await harness.reply(harness.inject(interaction(2, team("leave"), 11)))
    assert "You left your team" in left["content"]

    options, resolved = member_option(12)
    assigned = await admin(harness, team("assign", [*options, opt("team", "Red")], resolved=resolved))
    assert assigned["content"] == "<@12> is now in **Red**." and assigned["allowed_mentions"]["parse"] == []
    renamed = await admin(harness, team("rename", [opt("team", "Red"), opt("new_name", "Crimson")]))
    assert renamed["content"] == "Renamed to **Crimson**."
    mine = await service.teams.mine(SERVER.player("12"))
    assert mine is not None and mine.name == "Crimson"
    await admin(harness, team("delete", [opt("team", "Crimson")]))
    assert await service.teams.mine(SERVER.player("12")) is None
    unknown = await harness.reply(harness.inject(interaction(2, team("join", [opt("team", "Green")]), 11)))
    assert "No team called 'Green'" in unknown["content"]


async def test_team_name_autocomplete(harness: Harness, service: QuizService) -> None:
    await service.teams.create(SERVER, "Blue")
    await service.teams.create(SERVER, "Red")
    token = harness.inject(interaction(4, team("join", [opt("team", "bl", focused=True)]), 11))
    shown = await harness.reply(token, edited=False)
    assert shown["type"] == 8 and shown["choices"] == [{"name": "Blue", "value": "Blue"}]


async def test_team_board_ranks_by_points_per_active_member(harness: Harness, service: QuizService,
                                                            configured: None) -> None:
    await service.teams.create(SERVER, "Blue")
    await service.teams.create(SERVER, "Red")
    await service.teams.join(SERVER.player("11"), "Blue")
    for user in ("12", "13", "14"):
        await service.teams.join(SERVER.player(user), "Red")
    opened, message = await post_today(harness, service)
    key, wrong = opened.question.key_letters(), next(x for x in opened.question.letters if x not in
                                                      opened.question.key_letters())
    for user, letter in ((11, key), (12, key), (13, key), (14, wrong)):
        await harness.reply(harness.inject(click(message, f"quiz:answer:{opened.round.id}:{letter}", user)))
    data = slash("leaderboard", [opt("period", "all"), opt("scope", "teams")])
    board = (await harness.reply(harness.inject(interaction(2, data, 11))))["content"]
    lines = board.splitlines()
    assert lines[0].startswith("**Team board, all time**")
    assert lines[1] == "1. **Blue** · 10.0 pts/active · 10 pts · 1 active · 1 members (100% took part) · streak 1"
    assert lines[2] == "2. **Red** · 6.7 pts/active · 20 pts · 3 active · 3 members (100% took part) · streak 1"


async def test_a_team_mapped_to_a_role_follows_the_role(harness: Harness, service: QuizService,
                                                        configured: None) -> None:
    await service.teams.create(SERVER, "Blue")
    resolved = {"roles": {str(TEAM_ROLE_ID): role_payload(TEAM_ROLE_ID, "blue")}}
    mapped = await admin(harness, team("role", [opt("team", "Blue"), opt("role", str(TEAM_ROLE_ID), 8)],
                                       resolved=resolved))
    assert f"**Blue** now follows <@&{TEAM_ROLE_ID}>" in mapped["content"]

    # answering with the role puts the member in the team before the answer is scored
    opened, message = await post_today(harness, service)
    token = harness.inject(click(message, f"quiz:answer:{opened.round.id}:{opened.question.key_letters()}", 21)
                           | {"member": member(21, roles=(TEAM_ROLE_ID,))})
    await harness.reply(token)
    mine = await service.teams.mine(SERVER.player("21"))
    assert mine is not None and mine.name == "Blue"
    _key, standings = await service.teams.board(SERVER, Period.ALL)
    assert standings[0].points == 10

    refused = await harness.reply(harness.inject(interaction(2, team("join", [opt("team", "Blue")]), 22)))
    assert f"follows the role <@&{TEAM_ROLE_ID}>" in refused["content"]
    kept = await harness.reply(harness.inject(interaction(2, team("leave"), 21, roles=(TEAM_ROLE_ID,))))
    assert "A team role decides" in kept["content"]

    # the role was taken away: the next look at the board takes the member out; the points stay
    data = slash("leaderboard", [opt("period", "all"), opt("scope", "teams")])
    board = await harness.reply(harness.inject(interaction(2, data, 21)))
    assert "1. **Blue** · 10.0 pts/active · 10 pts · 1 active · 0 members" in board["content"]
    assert await service.teams.mine(SERVER.player("21")) is None
    listed = await harness.reply(harness.inject(interaction(2, team("list"), 21)))
    assert f"• Blue (0) · role <@&{TEAM_ROLE_ID}>" in listed["content"]
