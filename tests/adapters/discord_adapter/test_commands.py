"""Each /quiz subcommand through the real CommandTree, including admin refusal and autocomplete."""

from __future__ import annotations

from typing import Any

from bot.engine.service import QuizService
from tests.adapters.discord_adapter.conftest import SERVER, Harness
from tests.adapters.discord_adapter.fake_discord import (
    ADMIN_PERMS,
    CHANNEL_ID,
    GUILD_ID,
    interaction,
    member,
    slash,
)


def opt(name: str, value: Any, kind: int = 3, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "value": value, **extra}


async def test_commands_synced_once_to_the_dev_guild_with_admin_hint(harness: Harness) -> None:
    puts = harness.fake.bodies("PUT", "/applications/1000/guilds/2000/commands")
    assert len(puts) == 1
    names = {c["name"]: c for c in puts[0]}
    assert set(names) == {"quiz", "quizbot-sync"}
    subs = {o["name"] for o in names["quiz"]["options"]}
    assert subs == {"question", "today", "leaderboard", "stats", "config", "review", "exam", "team", "reports",
                    "serverstats", "export"}
    assert names["quizbot-sync"]["default_member_permissions"] == 8


async def test_question_gives_a_private_practice_round_with_buttons(harness: Harness) -> None:
    shown = await harness.reply(harness.inject(interaction(2, slash("question", [opt("topic", "sqs")]), 11)))
    assert shown["flags"] & 64
    assert shown["embeds"][0]["title"] == "Practice" and "sqs" in shown["embeds"][0]["footer"]["text"]
    assert shown["components"], "practice questions come with answer components"


async def test_question_with_unknown_topic_is_refused_privately(harness: Harness) -> None:
    shown = await harness.reply(harness.inject(interaction(2, slash("question", [opt("topic", "kinesis")]), 11)))
    assert "Unknown topic 'kinesis'" in shown["content"]


async def test_today_before_and_after_answering(harness: Harness, service: QuizService, configured: None) -> None:
    none_yet = await harness.reply(harness.inject(interaction(2, slash("today"), 11)))
    assert "No daily question" in none_yet["content"]
    opened = await service.open_daily(SERVER)
    fresh = await harness.reply(harness.inject(interaction(2, slash("today"), 11)))
    assert fresh["components"] and opened.question.id in fresh["embeds"][0]["footer"]["text"]
    await service.submit_answer(opened.round.id, SERVER.player("11"), opened.question.answer)
    done = await harness.reply(harness.inject(interaction(2, slash("today"), 11)))
    assert f"You answered **{opened.question.key_letters()}**" in done["content"] and not done.get("components")


async def test_leaderboard_and_stats_of_another_member(harness: Harness, service: QuizService,
                                                        configured: None) -> None:
    opened = await service.open_daily(SERVER)
    await service.submit_answer(opened.round.id, SERVER.player("12"), opened.question.answer)
    board = await harness.reply(harness.inject(interaction(2, slash("leaderboard", [opt("period", "all")]), 11)))
    assert "Leaderboard, all time" in board["content"] and "1. <@12> · 10 pts" in board["content"]
    assert board["allowed_mentions"]["parse"] == []
    target = member(12)
    resolved = {"users": {"12": target["user"]}, "members": {"12": {k: v for k, v in target.items() if k != "user"}}}
    stats = await harness.reply(harness.inject(interaction(2, slash("stats", [opt("member", "12", 6)],
                                                                     resolved=resolved), 11)))
    assert "<@12>: 1 answered, 100% correct" in stats["content"]


def channel_option() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    channel = {"id": str(CHANNEL_ID), "type": 0, "name": "quiz", "permissions": "0", "guild_id": str(GUILD_ID),
               "position": 0, "parent_id": None, "nsfw": False, "permission_overwrites": []}
    return [opt("channel", str(CHANNEL_ID), 7)], {"channels": {str(CHANNEL_ID): channel}}


async def test_admin_config_channel_time_enable_and_show(harness: Harness, service: QuizService) -> None:
    options, resolved = channel_option()
    ch = await harness.reply(harness.inject(interaction(2, slash("channel", options, group="config",
                                                                 resolved=resolved), 11, perms=ADMIN_PERMS)))
    assert f"Channel: <#{CHANNEL_ID}>" in ch["content"]
    tm = await harness.reply(harness.inject(interaction(2, slash("time", [opt("value", "7:30")], group="config"),
                                                        11, perms=ADMIN_PERMS)))
    assert "Time: 07:30" in tm["content"]
    await harness.reply(harness.inject(interaction(2, slash("enable", group="config"), 11, perms=ADMIN_PERMS)))
    show = await harness.reply(harness.inject(interaction(2, slash("show", group="config"), 11, perms=ADMIN_PERMS)))
    assert "Daily question: **on**" in show["content"]
    config = await service.config(SERVER)
    assert config.enabled and config.post_time == "07:30" and config.channel_id == str(CHANNEL_ID)


async def test_invalid_setting_shows_the_engine_message(harness: Harness) -> None:
    bad = await harness.reply(harness.inject(interaction(2, slash("time", [opt("value", "25:00")], group="config"),
                                                         11, perms=ADMIN_PERMS)))
    assert "is not a time" in bad["content"]


async def test_non_admin_is_refused_before_anything_changes(harness: Harness, service: QuizService) -> None:
    token = harness.inject(interaction(2, slash("time", [opt("value", "08:00")], group="config"), 11))
    shown = await harness.reply(token, edited=False)
    assert shown["type"] == 4 and shown["flags"] & 64 and "Manage Server" in shown["content"]
    assert (await service.config(SERVER)).post_time == "09:00"


async def test_timezone_autocomplete_offers_iana_zones(harness: Harness) -> None:
    data = slash("timezone", [opt("value", "berl", focused=True)], group="config")
    token = harness.inject(interaction(4, data, 11, perms=ADMIN_PERMS))
    shown = await harness.reply(token, edited=False)
    assert shown["type"] == 8 and {"name": "Europe/Berlin", "value": "Europe/Berlin"} in shown["choices"]


async def test_resync_is_owner_only(harness: Harness) -> None:
    data = {"id": "2", "name": "quizbot-sync", "type": 1, "options": []}
    refused = await harness.reply(harness.inject(interaction(2, data, 11, perms=ADMIN_PERMS)), edited=False)
    assert "Only the bot's owner" in refused["content"]
    done = await harness.reply(harness.inject(interaction(2, data, 4000, perms=ADMIN_PERMS)))
    assert done["content"] == "Slash commands synced."
    assert len(harness.fake.bodies("PUT", "/applications/1000/guilds/2000/commands")) == 2
