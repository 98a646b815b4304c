"""``/quiz team`` (members and admins) and the team board of ``/quiz leaderboard``, through the real AsyncApp."""

from __future__ import annotations

from bot.engine.model import ServerKey
from bot.engine.service import QuizService
from tests.adapters.slack_adapter.conftest import Harness
from tests.adapters.slack_adapter.fake_slack import TEAM
from tests.fakes import FakeClock

SERVER = ServerKey("slack", TEAM)


def text_of(reply: dict[str, object]) -> str:
    return str(reply["text"])


async def test_members_join_and_leave_admins_create_rename_assign_and_delete(
    slack: Harness, service: QuizService
) -> None:
    slack.fake.admins.add("UADMIN")
    assert "No teams yet" in text_of(await slack.command("team", rid="t0"))
    refused = text_of(await slack.command("team create Rogue", rid="t1"))
    assert "Only workspace admins and QuizBot admins can manage teams" in refused
    assert await service.teams.list(SERVER) == ()

    # Slack sends "&" escaped, and some clients type curly quotes.
    created = text_of(await slack.command('team create "Red &amp; Co"', user="UADMIN", rid="t2"))
    assert created == "Created team *Red &amp; Co*."
    await slack.command("team create Blue", user="UADMIN", rid="t3")
    assert "You joined *Red &amp; Co*" in text_of(await slack.command("team join \u201cred &amp; co\u201d", rid="t4"))
    listed = text_of(await slack.command("team list", rid="t5"))
    assert "*Red &amp; Co* (1) ← yours" in listed and "*Blue* (0)" in listed
    assert "You left your team" in text_of(await slack.command("team leave", rid="t6"))
    assert "not in a team" in text_of(await slack.command("team leave", rid="t7"))

    assigned = text_of(await slack.command("team assign <@U2|two> Blue", user="UADMIN", rid="t8"))
    assert assigned == "<@U2> is now in *Blue*."
    assert (mine := await service.teams.mine(SERVER.player("U2"))) is not None and mine.name == "Blue"
    assert "Renamed to *Azure*" in text_of(await slack.command("team rename Blue Azure", user="UADMIN", rid="t9"))
    assert "Team deleted" in text_of(await slack.command("team delete Azure", user="UADMIN", rid="t10"))
    assert await service.teams.mine(SERVER.player("U2")) is None
    assert "No team called 'Nope'" in text_of(await slack.command("team join Nope", rid="t11"))
    for bad in ("team dance", "team rename OnlyOne", "team assign bob Blue", "team join"):
        assert "Usage: `/quiz team" in text_of(await slack.command(bad, user="UADMIN", rid=bad))


async def test_team_board_ranks_by_points_per_active_member_not_by_total(
    slack: Harness, service: QuizService, clock: FakeClock
) -> None:
    slack.fake.admins.add("UADMIN")
    await slack.command("team create Big", user="UADMIN", rid="c1")
    await slack.command("team create Small", user="UADMIN", rid="c2")
    for user in ("U1", "U2", "U3"):
        await slack.command("team join Big", user=user, rid=f"j{user}")
    await slack.command("team assign <@U4> Small", user="UADMIN", rid="a4")
    clock.advance(minutes=1)
    opened = await service.open_daily(SERVER)
    key = opened.question.answer
    miss = frozenset(sorted(set(range(len(opened.question.choices))) - key)[: len(key)])
    for user, choices in (("U1", key), ("U2", key), ("U3", miss), ("U4", key)):
        await service.submit_answer(opened.round.id, SERVER.player(user), choices)

    board = text_of(await slack.command("leaderboard teams", rid="b1")).splitlines()
    assert board[0] == "*Team board, this week* (ranked by points per active member)"
    assert board[1].startswith("1. *Small* 10.0 pts/active · 10 pts · 1/1 active (100%) · streak 1")
    assert board[2].startswith("2. *Big* 6.7 pts/active · 20 pts · 3/3 active (100%) · streak 1")
    assert "*Team board, all time*" in text_of(await slack.command("leaderboard teams all", rid="b2"))
    people = text_of(await slack.command("leaderboard month people", rid="b3"))
    assert "*Leaderboard, this month*" in people and "<@U1> 10 pts" in people
    assert "Usage: /quiz leaderboard" in text_of(await slack.command("leaderboard teams people", rid="b4"))
