"""``/quiz`` subcommands, signatures, admins and App Home through the real AsyncApp over HTTP."""

from __future__ import annotations

import json
import time

import pytest

from bot.engine.model import ServerKey
from bot.engine.service import QuizService
from tests.adapters.slack_adapter.conftest import Harness
from tests.adapters.slack_adapter.fake_slack import TEAM, action_form, signed_headers, slash_form

SERVER = ServerKey("slack", TEAM)


async def run(slack: Harness, text: str, *, user: str = "U1", rid: str = "r1") -> str:
    resp = await slack.post(slash_form(text, user=user, rid=rid, base=slack.fake.base))
    assert resp.status == 200
    [reply] = slack.fake.of(f"response:{rid}")
    assert reply.body["response_type"] == "ephemeral"
    return str(reply.body["text"])


@pytest.mark.parametrize("text", ["", "help", "frobnicate", "frobnicate review"])
async def test_help_and_unknown_input_get_usage(slack: Harness, text: str) -> None:
    assert "/quiz question" in await run(slack, text)


async def test_question_gives_a_private_practice_question_answerable_in_place(
    slack: Harness, service: QuizService
) -> None:
    await run(slack, "question sqs")
    reply = slack.fake.of("response:r1")[0].body
    controls = reply["blocks"][2]["elements"]
    round_id = int((controls[0]["action_id"]).split(":")[2])
    opened = await service.round_by_id(round_id)
    assert opened.question.topic == "sqs" and opened.round.owner == "U1"
    if opened.question.type == "multi":
        options = [o for o in controls[0]["options"] if int(o["value"].rsplit(":", 1)[1]) in opened.question.answer]
        state = {f"quiz:round:{round_id}": {f"quiz:pick:{round_id}": {"selected_options": options}}}
        form = action_form(f"quiz:submit:{round_id}", rid="a1", base=slack.fake.base, ephemeral=True, state=state)
    else:
        form = action_form(f"quiz:answer:{round_id}:{min(opened.question.answer)}", rid="a1",
                           base=slack.fake.base, ephemeral=True)
    assert (await slack.post(form)).status == 200
    [verdict] = slack.fake.of("response:a1")
    assert verdict.body["replace_original"] is True and "Correct" in verdict.body["text"]
    assert slack.fake.of("chat.update") == []  # practice has no public count


async def test_multi_question_submit_with_checkboxes(slack: Harness, service: QuizService) -> None:
    opened = await service.open_practice(SERVER.player("U1"), topic="sqs")
    while opened.question.type != "multi":
        opened = await service.open_practice(SERVER.player("U1"), topic="sqs")
    rid = opened.round.id
    picked = [{"value": f"quiz:answer:{rid}:{i}"} for i in sorted(opened.question.answer)]
    state = {f"quiz:round:{rid}": {f"quiz:pick:{rid}": {"selected_options": picked}}}
    tick = action_form(f"quiz:pick:{rid}", rid="t", base=slack.fake.base, ephemeral=True)
    assert (await slack.post(tick)).status == 200 and slack.fake.of("response:t") == []
    form = action_form(f"quiz:submit:{rid}", rid="s", base=slack.fake.base, ephemeral=True, state=state)
    assert (await slack.post(form)).status == 200
    assert "Correct" in slack.fake.of("response:s")[0].body["text"]


async def test_question_with_unknown_topic_is_refused_privately(slack: Harness) -> None:
    assert "Unknown topic" in await run(slack, "question nope")


async def test_today_without_and_with_a_daily_question(slack: Harness, service: QuizService) -> None:
    assert "no daily question yet" in await run(slack, "today", rid="t0")
    opened = await service.open_daily(SERVER)
    await run(slack, "today", rid="t1")
    assert slack.fake.of("response:t1")[0].body["blocks"][2]["type"] == "actions"
    await service.submit_answer(opened.round.id, SERVER.player("U1"), frozenset({0}) if opened.question.type
                                != "multi" else frozenset(opened.question.answer))
    assert "You answered" in await run(slack, "today", rid="t2")


async def test_leaderboard_periods_and_bad_period(slack: Harness, service: QuizService) -> None:
    opened = await service.open_daily(SERVER)
    await service.submit_answer(opened.round.id, SERVER.player("U7"), frozenset(opened.question.answer))
    assert "<@U7> 10 pts" in await run(slack, "leaderboard", rid="l1")
    assert "all time" in await run(slack, "leaderboard all", rid="l2")
    assert "this month" in await run(slack, "leaderboard month", rid="l3")
    assert "Usage: /quiz leaderboard" in await run(slack, "leaderboard year", rid="l4")


async def test_stats_of_self_and_of_a_mentioned_user(slack: Harness) -> None:
    assert "Stats of <@U1>" in await run(slack, "stats", rid="s1")
    assert "Stats of <@U5>" in await run(slack, "stats <@U5|five>", rid="s2")
    assert "Usage" in await run(slack, "stats bob", rid="s3")


async def test_config_refused_for_non_admin(slack: Harness, service: QuizService) -> None:
    assert "Only workspace admins" in await run(slack, "config channel <#C9|quiz>", user="U2")
    assert (await service.config(SERVER)).channel_id is None
    assert slack.fake.of("views.open") == []


async def test_config_set_and_show_for_workspace_admin(slack: Harness, service: QuizService) -> None:
    slack.fake.admins.add("UADMIN")
    assert "`channel`: C9" in await run(slack, "config channel <#C9|quiz>", user="UADMIN", rid="c1")
    assert (await service.config(SERVER)).channel_id == "C9"
    assert "not a time" in await run(slack, "config time 25:00", user="UADMIN", rid="c2")
    await run(slack, "config admins <@U2|two>", user="UADMIN", rid="c3")
    assert "`time`: 09:00" in await run(slack, "config show", user="U2", rid="c4")  # configured admin


async def test_config_modal_open_and_submit(slack: Harness, service: QuizService) -> None:
    slack.fake.admins.add("UADMIN")
    assert (await slack.post(slash_form("config", user="UADMIN", base=slack.fake.base))).status == 200
    [opened] = slack.fake.of("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "quiz:config" and opened.body["trigger_id"] == "1.2.abc"
    values = {b["block_id"]: {"value": {"value": b["element"].get("initial_value", "")}} for b in view["blocks"]}
    values["channel"] = {"value": {"selected_channel": "C5"}}
    values["time"] = {"value": {"value": "07:30"}}
    payload = {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": "UADMIN", "team_id": TEAM},
               "api_app_id": "A1", "view": {**view, "id": "V1", "state": {"values": values}}}
    form = "payload=" + __import__("urllib.parse").parse.quote(json.dumps(payload))
    resp = await slack.post(form)
    assert resp.status == 200
    config = await service.config(SERVER)
    assert (config.channel_id, config.post_time) == ("C5", "07:30")
    assert slack.fake.of("views.publish")[-1].body["user_id"] == "UADMIN"

    values["time"] = {"value": {"value": "7pm"}}
    payload["view"]["state"]["values"] = values  # type: ignore[index]
    bad = "payload=" + __import__("urllib.parse").parse.quote(json.dumps(payload))
    async with slack.session.post(slack.url, data=bad, headers=signed_headers(bad)) as resp:
        answer = await resp.json()
    assert answer["response_action"] == "errors" and "not a time" in answer["errors"]["time"]


async def test_app_home_publish_shows_readiness_and_settings_only_to_admins(slack: Harness) -> None:
    async def home(user: str) -> list[dict[str, object]]:
        body = json.dumps({
            "type": "event_callback", "team_id": TEAM, "api_app_id": "A1", "event_id": f"Ev{user}",
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": user, "channel": "D1", "tab": "home"},
        })
        async with slack.session.post(slack.url, data=body, headers={
                **signed_headers(body), "Content-Type": "application/json"}) as resp:
            assert resp.status == 200
        call = slack.fake.of("views.publish")[-1]
        assert call.body["user_id"] == user
        return call.body["view"]["blocks"]  # type: ignore[no-any-return]

    slack.fake.admins.add("UADMIN")
    member = await home("U1")
    assert "Stats of <@U1>" in member[0]["text"]["text"]  # type: ignore[index]
    readiness = member[1]["text"]["text"]  # type: ignore[index]
    assert readiness.startswith("*Exam readiness 0/100*") and "`░░░░░░░░░░`   0 Security · seen 0/2" in readiness
    assert all(b["type"] != "actions" for b in member)
    admin = await home("UADMIN")
    assert admin[-1]["elements"][0]["action_id"] == "quiz:config:open"  # type: ignore[index]


@pytest.mark.parametrize("stale, secret", [(False, "forged-secret"), (True, None)])
async def test_forged_or_stale_requests_are_refused_and_change_nothing(
    slack: Harness, service: QuizService, stale: bool, secret: str | None
) -> None:
    opened = await service.open_daily(SERVER)
    form = action_form(f"quiz:answer:{opened.round.id}:0", rid="x", base=slack.fake.base)
    headers = signed_headers(form, ts=int(time.time()) - 301 if stale else None,
                             **({"secret": secret} if secret else {}))
    async with slack.session.post(slack.url, data=form, headers=headers) as resp:
        assert resp.status == 401
    assert await service.answer_count(opened.round.id) == 0
    assert slack.fake.of("response:x") == []
