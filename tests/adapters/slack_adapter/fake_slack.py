"""A local fake of the Slack Web API, response_urls and the Socket Mode websocket.

It records every call and rejects what Slack would reject: blocks that fail
slack_sdk's Block Kit validators, too many blocks, duplicate action ids, an
over-long fallback text, malformed message metadata. It can answer 429 with
Retry-After and fail a method with a Slack error code. Channel messages are
kept (with their metadata) for conversations.history, which refuses with
``missing_scope`` unless the history scopes are granted (``scopes``).
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from aiohttp import WSMsgType, web
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.signature import SignatureVerifier

SECRET = "test-signing-secret"  # noqa: S105 - test-only credentials
BOT_TOKEN = "xoxb-test"  # noqa: S105
APP_TOKEN = "xapp-1-test"  # noqa: S105
CLIENT_SECRET = "client-secret"  # noqa: S105
TEAM = "T1"
SCOPES = frozenset({"commands", "chat:write", "chat:write.public", "users:read", "channels:history", "groups:history"})


@dataclass
class Call:
    method: str
    body: dict[str, Any]
    token: str | None = None


class Rejected(Exception):
    pass


class Refused(Exception):
    """A Slack error answer with extra fields (``missing_scope`` names the scope ``needed``)."""

    def __init__(self, error: str, **fields: str) -> None:
        super().__init__(error)
        self.answer = {"ok": False, "error": error, **fields}


def check_blocks(blocks: list[dict[str, Any]], limit: int) -> None:
    if len(blocks) > limit:
        raise Rejected(f"{len(blocks)} blocks > {limit}")
    seen: set[str] = set()
    for raw in blocks:
        parsed = Block.parse(raw)
        if parsed is None:
            raise Rejected(f"unknown block {raw}")
        parsed.validate_json()
        for element in raw.get("elements", []):
            action_id = element.get("action_id")
            if action_id and action_id in seen:
                raise Rejected(f"duplicate action_id {action_id}")
            seen.add(action_id)
            if element.get("type") == "button" and len(element.get("value", "")) > 2000:
                raise Rejected("button value too long")
        if raw.get("type") == "section" and len(raw["text"]["text"]) > 3000:
            raise Rejected("section text > 3000")


def check_message(body: dict[str, Any]) -> None:
    blocks = body.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if blocks:
        check_blocks(blocks, 50)
    if len(body.get("text") or "") > 40000:
        raise Rejected("text too long")
    if not body.get("text") and not blocks:
        raise Rejected("no_text")
    metadata = body.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    if metadata is not None and not (isinstance(metadata.get("event_type"), str)
                                     and isinstance(metadata.get("event_payload"), dict)):
        raise Rejected(f"invalid_metadata_format {metadata}")


def history_scope(channel: str) -> str:
    """The scope conversations.history needs: private channels (G…) are "groups"."""
    return "groups:history" if channel.startswith("G") else "channels:history"


@dataclass
class FakeSlack:
    admins: set[str] = field(default_factory=set)
    calls: list[Call] = field(default_factory=list)
    fail: dict[str, str] = field(default_factory=dict)          # method -> Slack error code
    rate_limited: dict[str, int] = field(default_factory=dict)  # method -> how many 429s to give first
    sockets: list[web.WebSocketResponse] = field(default_factory=list)
    acks: list[dict[str, Any]] = field(default_factory=list)
    scopes: set[str] = field(default_factory=lambda: set(SCOPES))
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # channel -> messages, oldest first
    clock: Any = None  # with a clock, a ts is its current second (conversations.history's oldest compares them)
    base: str = ""
    _ts: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self.api)
        app.router.add_post("/response/{rid}", self.response_url)
        app.router.add_get("/link", self.websocket)
        return app

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def _body(self, request: web.Request) -> dict[str, Any]:
        raw = await request.text()
        if request.content_type == "application/json" and raw:
            body: dict[str, Any] = json.loads(raw)
        else:
            body = dict(urllib.parse.parse_qsl(raw))
        body.update(request.query)
        return body

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or None
        self.calls.append(Call(method, body, token))
        if self.rate_limited.get(method, 0) > 0:
            self.rate_limited[method] -= 1
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429,
                                     headers={"Retry-After": "3"})
        if method in self.fail:
            return web.json_response({"ok": False, "error": self.fail[method]})
        try:
            return web.json_response({"ok": True, **self.answer(method, body)})
        except Refused as exc:
            return web.json_response(exc.answer)
        except Rejected as exc:
            return web.json_response({"ok": False, "error": "invalid_blocks", "detail": str(exc)})

    def answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"team_id": TEAM, "user_id": "UBOT", "bot_id": "B1", "url": "https://t1.slack.com/"}
        if method in {"chat.postMessage", "chat.update", "chat.postEphemeral"}:
            check_message(body)
            self._ts += 1
            second = int(self.clock.now().timestamp()) if self.clock is not None else 1700000000
            ts = body.get("ts") or f"{second}.{self._ts:06d}"
            if method == "chat.postMessage" and not body.get("thread_ts"):
                self.history.setdefault(body["channel"], []).append(
                    {"type": "message", "ts": ts, "text": body.get("text"), "bot_id": "B1", "user": "UBOT",
                     "metadata": body.get("metadata")})
            return {"channel": body.get("channel"), "ts": ts}
        if method == "conversations.history":
            return self.read_history(body)
        if method in {"views.publish", "views.open"}:
            view = body["view"] if isinstance(body["view"], dict) else json.loads(body["view"])
            check_blocks(view["blocks"], 100)
            View(**view).validate_json()
            return {"view": {"id": "V1", **view}}
        if method == "users.info":
            user = body["user"]
            return {"user": {"id": user, "is_admin": user in self.admins, "is_owner": False}}
        if method == "users.list":
            members = [{"id": u, "is_admin": True, "is_owner": False, "is_bot": False, "deleted": False}
                       for u in sorted(self.admins)]
            members.append({"id": "UBOT", "is_admin": False, "is_owner": False, "is_bot": True, "deleted": False})
            return {"members": members, "response_metadata": {"next_cursor": ""}}
        if method == "oauth.v2.access":
            return {"access_token": "xoxb-installed", "token_type": "bot", "scope": "commands,chat:write",
                    "bot_user_id": "UBOT2", "app_id": "A1", "team": {"id": "T9", "name": "Nine"},
                    "enterprise": None, "authed_user": {"id": "U9"}, "is_enterprise_install": False}
        if method == "apps.connections.open":
            return {"url": self.base.replace("http", "ws") + "/link"}
        raise Rejected(f"unknown method {method}")

    def read_history(self, body: dict[str, Any]) -> dict[str, Any]:
        """Newest first from ``oldest`` on, ``limit`` a page, the cursor an offset; metadata only when asked."""
        channel = body["channel"]
        if history_scope(channel) not in self.scopes:
            raise Refused("missing_scope", needed=history_scope(channel), provided=",".join(sorted(self.scopes)))
        oldest = Decimal(body.get("oldest") or "0")
        inclusive = str(body.get("inclusive")).lower() in {"1", "true"}
        shown = [m for m in reversed(self.history.get(channel, []))
                 if Decimal(m["ts"]) > oldest or (inclusive and Decimal(m["ts"]) == oldest)]
        start, limit = int(body.get("cursor") or 0), int(body.get("limit") or 100)
        page = shown[start:start + limit]
        if str(body.get("include_all_metadata")).lower() not in {"1", "true"}:
            page = [{k: v for k, v in m.items() if k != "metadata"} for m in page]
        more = start + limit < len(shown)
        return {"messages": page, "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    async def response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.calls.append(Call("response:" + request.match_info["rid"], body))
        try:
            check_message(body)
        except Rejected as exc:
            return web.Response(status=400, text=str(exc))
        return web.Response(text="ok")

    async def websocket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1}))
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                self.acks.append(json.loads(msg.data))
        return ws


async def serve(app: web.Application, **runner_options: Any) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]


def signed_headers(body: str, *, ts: int | None = None, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body),
    }


def slash_form(text: str, *, user: str = "U1", rid: str = "r1", base: str = "", team: str = TEAM) -> str:
    return urllib.parse.urlencode({
        "command": "/quiz", "text": text, "team_id": team, "channel_id": "C1", "user_id": user,
        "user_name": user.lower(), "response_url": f"{base}/response/{rid}", "trigger_id": "1.2.abc",
        "api_app_id": "A1",
    })


def action_form(action_id: str, *, user: str = "U1", rid: str = "r1", base: str = "", ts: str = "1.0",
                ephemeral: bool = False, state: dict[str, Any] | None = None, team: str = TEAM) -> str:
    payload = {
        "type": "block_actions", "team": {"id": team, "domain": "t1"}, "api_app_id": "A1",
        "user": {"id": user, "team_id": team, "username": user.lower()},
        "container": {"type": "message", "message_ts": ts, "channel_id": "C1", "is_ephemeral": ephemeral},
        "channel": {"id": "C1"}, "trigger_id": "1.2.abc", "response_url": f"{base}/response/{rid}",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "value": action_id,
                     "action_ts": "1.1"}],
        "state": {"values": state or {}},
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


async def wait_for(predicate: Any, timeout: float = 5.0) -> None:
    """Poll until ``predicate()`` holds (used only for Socket Mode, whose replies are async)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)
