"""Restart-safe components, the report modal, error paths, rate limits, permissions and admin notes."""

from __future__ import annotations

import logging

import pytest

from bot.adapters.discord_adapter import build_discord
from bot.engine.errors import DeliveryFailed
from bot.engine.model import PlayerKey
from bot.engine.service import QuizService
from bot.storage.quiz_store import SqlQuizStore
from tests.adapters.discord_adapter.conftest import SERVER, Harness
from tests.adapters.discord_adapter.fake_discord import GUILD_ID, guild_payload, interaction, until
from tests.adapters.discord_adapter.test_daily_flow import click, post_today


async def test_click_on_a_post_from_before_a_restart(harness: Harness, service: QuizService,
                                                     store: SqlQuizStore, configured: None) -> None:
    opened, message = await post_today(harness, service)
    await harness.runtime.close()
    restarted = build_discord(service, store, token="fake-token", dev_guild_id=str(GUILD_ID),  # noqa: S106
                              api_base=harness.base,
                              timing=harness.time.timing())
    await restarted.login()
    harness.runtime = restarted
    key = opened.question.key_letters()
    shown = await harness.reply(harness.inject(click(message, f"quiz:answer:{opened.round.id}:{key}", 11)))
    assert "Correct!" in shown["content"]
    # same command tree, same stored hash: no second sync after the restart
    assert len(harness.fake.bodies("PUT", "/applications/1000/guilds/2000/commands")) == 1


async def test_multi_question_uses_a_select_with_exact_pick_count(harness: Harness, service: QuizService,
                                                                  configured: None) -> None:
    opened, message = await post_today(harness, service, "multi")
    select = message["components"][0]["components"][0]
    picks = len(opened.question.answer)
    assert select["type"] == 3 and select["min_values"] == select["max_values"] == picks
    key = list(opened.question.key_letters())
    shown = await harness.reply(harness.inject(click(message, select["custom_id"], 11, values=key)))
    assert "Correct!" in shown["content"]


async def test_unknown_round_gets_a_clear_private_message(harness: Harness, service: QuizService,
                                                          configured: None) -> None:
    _opened, message = await post_today(harness, service)
    message["components"][0]["components"][0]["custom_id"] = "quiz:answer:99999:A"
    shown = await harness.reply(harness.inject(click(message, "quiz:answer:99999:A", 11)))
    assert "no longer exists" in shown["content"] and shown["flags"] & 64


async def test_unexpected_error_is_logged_and_apologised_for(
    harness: Harness, service: QuizService, configured: None, caplog: pytest.LogCaptureFixture,
) -> None:
    _opened, message = await post_today(harness, service, "multi")
    select = message["components"][0]["components"][0]
    with caplog.at_level(logging.ERROR, logger="bot.adapters.discord_adapter.errors"):
        shown = await harness.reply(harness.inject(click(message, select["custom_id"], 11, values=["Z", "Y"])))
    assert shown["content"].startswith("Sorry, something went wrong")
    assert any("interaction failed" in r.getMessage() and f"user=11 guild={GUILD_ID}" in r.getMessage()
               for r in caplog.records)


async def test_report_button_opens_a_modal_and_stores_the_report(harness: Harness, service: QuizService,
                                                                 configured: None) -> None:
    opened, message = await post_today(harness, service)
    token = harness.inject(click(message, f"quiz:report:{opened.round.id}", 11))
    modal = await harness.shown_modal(token)
    assert modal["type"] == 9
    fields = [row["components"][0]["custom_id"] for row in modal["components"]]
    submit = {"custom_id": modal["custom_id"], "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": fields[0], "value": "Wrong key"}]},
        {"type": 1, "components": [{"type": 4, "custom_id": fields[1], "value": "B is right since 2024."}]}]}
    shown = await harness.reply(harness.inject(interaction(5, submit, 11, message=message)))
    assert "Report #1" in shown["content"]
    reports = await service.admin.open_reports(SERVER)
    assert [(r.question_id, r.reason, r.player) for r in reports] == [
        (opened.question.id, "wrong key", PlayerKey("discord", str(GUILD_ID), "11"))]


async def test_rate_limited_send_is_retried(harness: Harness, service: QuizService, configured: None) -> None:
    harness.fake.fail_next["POST /channels/3000/messages"] = [429]
    await post_today(harness, service)
    assert len(harness.fake.bodies("POST", "/channels/3000/messages")) == 2


async def test_missing_permissions_refused_before_posting(harness: Harness, service: QuizService,
                                                          configured: None) -> None:
    harness.runtime.client._connection.parse_guild_create(guild_payload(bot_perms=1024 | 2048))  # view + send
    opened = await service.open_daily(SERVER)
    with pytest.raises(DeliveryFailed) as failed:
        await harness.runtime.notifier.post_daily(await service.config(SERVER), opened.round, opened.question)
    assert failed.value.permanent and "embed_links" in str(failed.value)
    assert harness.fake.bodies("POST", "/channels/3000/messages") == []


async def test_forbidden_send_is_a_permanent_failure(harness: Harness, service: QuizService,
                                                     configured: None) -> None:
    harness.fake.fail_next["POST /channels/3000/messages"] = [403]
    with pytest.raises(DeliveryFailed) as failed:
        await post_today(harness, service)
    assert failed.value.permanent


async def test_tell_admins_dms_the_owner_or_falls_back_to_the_system_channel(harness: Harness) -> None:
    await harness.runtime.notifier.tell_admins(SERVER, "posting is paused")
    assert harness.fake.bodies("POST", "/channels/5000/messages")[0]["content"] == "posting is paused"
    harness.fake.dm_open = False
    await harness.runtime.notifier.tell_admins(SERVER, "still paused")
    assert harness.fake.bodies("POST", "/channels/3001/messages")[0]["content"] == "still paused"


async def test_count_edits_are_debounced_per_message(harness: Harness, service: QuizService,
                                                     configured: None) -> None:
    opened, message = await post_today(harness, service)
    counter = harness.runtime.counter
    mid = int(message["id"])
    counter.touch(opened.round.id, 3000, mid)
    await counter.idle()  # first edit: nothing to wait for
    for user in ("21", "22", "23"):
        await service.submit_answer(opened.round.id, SERVER.player(user), opened.question.answer)
        counter.touch(opened.round.id, 3000, mid)
    await until(lambda: harness.time.waits == [1.0], "one debounced wait")
    harness.time.released = 1
    await counter.idle()
    edits = harness.fake.bodies("PATCH", f"/channels/3000/messages/{mid}")
    assert len(edits) == 2 and "3 answered" in edits[-1]["embeds"][0]["footer"]["text"]
