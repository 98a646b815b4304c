"""OAuth install round trip (HTTP mode, many workspaces) and Socket Mode against local fakes."""

from __future__ import annotations

import json
import time
import urllib.parse

import aiohttp
import pytest

from bot.adapters.slack_adapter import build_slack
from bot.adapters.slack_adapter.oauth_store import SqlStateStore
from bot.engine.service import QuizService
from bot.storage.database import Database
from tests.adapters.slack_adapter.conftest import Timing
from tests.adapters.slack_adapter.fake_slack import (
    APP_TOKEN,
    BOT_TOKEN,
    CLIENT_SECRET,
    SECRET,
    FakeSlack,
    signed_headers,
    slash_form,
    wait_for,
)


# slack_sdk 3.47 still builds aiohttp.BasicAuth for oauth.v2.access; aiohttp 3.14 deprecates it.
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
async def test_oauth_install_stores_the_installation_in_sqlite_and_serves_that_workspace(
    fake: FakeSlack, service: QuizService, db: Database, timing: Timing
) -> None:
    runtime = build_slack(service, db, bot_token=None, app_token=None, signing_secret=SECRET, client_id="111.222",
                          client_secret=CLIENT_SECRET, http_port=0, api_base=fake.base + "/api/", http_host="127.0.0.1",
                          process_before_response=True, sleep=timing.sleep, monotonic=timing.monotonic)
    await runtime.start()
    base = f"http://127.0.0.1:{runtime.port}"
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
            async with session.get(base + "/slack/install", allow_redirects=False) as resp:
                assert resp.status == 302
                query = urllib.parse.parse_qs(urllib.parse.urlparse(resp.headers["Location"]).query)
                cookie = resp.headers["Set-Cookie"].split(";")[0]  # Secure: a browser sends it back over https
            assert query["client_id"] == ["111.222"] and "chat:write" in query["scope"][0]
            redirect = f"{base}/slack/oauth_redirect?code=abc&state={query['state'][0]}"
            async with session.get(redirect, allow_redirects=False, headers={"Cookie": cookie}) as resp:
                assert resp.status == 200, await resp.text()
            async with session.get(redirect, allow_redirects=False, headers={"Cookie": cookie}) as resp:
                assert resp.status != 200  # the state is single-use

            async with db.conn.execute("SELECT team_id, user_id FROM slack_installations") as cursor:
                assert [tuple(r) for r in await cursor.fetchall()] == [("T9", "U9")]
            form = slash_form("stats", team="T9", base=fake.base)
            async with session.post(base + "/slack/events", data=form, headers=signed_headers(form)) as resp:
                assert resp.status == 200
            assert "Stats of <@U1>" in fake.of("response:r1")[0].body["text"]

            body = json.dumps({"type": "event_callback", "team_id": "T9", "api_app_id": "A1", "event_id": "Ev1",
                               "event_time": int(time.time()), "event": {"type": "app_uninstalled"}})
            headers = {**signed_headers(body), "Content-Type": "application/json"}
            async with session.post(base + "/slack/events", data=body, headers=headers) as resp:
                assert resp.status == 200
            async with db.conn.execute("SELECT count(*) FROM slack_bots") as cursor:
                assert (await cursor.fetchone())[0] == 0
    finally:
        await runtime.close()


async def test_oauth_state_expires(db: Database) -> None:
    now = [100.0]
    store = SqlStateStore(db, expiration_seconds=10, now=lambda: now[0])
    state = await store.async_issue()
    now[0] += 11
    assert await store.async_consume(state) is False


async def test_socket_mode_serves_a_slash_command(
    fake: FakeSlack, service: QuizService, db: Database, timing: Timing
) -> None:
    runtime = build_slack(service, db, bot_token=BOT_TOKEN, app_token=APP_TOKEN, signing_secret=None,
                          api_base=fake.base + "/api/", sleep=timing.sleep, monotonic=timing.monotonic)
    assert runtime.mode == "socket"
    await runtime.start()
    try:
        await wait_for(lambda: len(fake.sockets) == 1)
        payload = dict(urllib.parse.parse_qsl(slash_form("leaderboard", base=fake.base)))
        await fake.sockets[0].send_str(json.dumps({"envelope_id": "env-1", "type": "slash_commands",
                                                   "payload": payload, "accepts_response_payload": True}))
        await wait_for(lambda: bool(fake.acks) and bool(fake.of("response:r1")))
        assert fake.acks[0]["envelope_id"] == "env-1"
        assert "Leaderboard" in fake.of("response:r1")[0].body["text"]
        assert fake.of("apps.connections.open")[0].token == APP_TOKEN
    finally:
        await runtime.close()
