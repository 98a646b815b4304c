"""A local fake of Discord's REST API that enforces Discord's limits, plus raw gateway payload builders.

Message ids are snowflakes made from the test's clock (``FakeDiscord.clock``, or
the FakeClock's start when none is given), so reading a channel's history
``after`` a moment works as on Discord.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import discord
from aiohttp import BodyPartReader, web

APP_ID = 1000
GUILD_ID = 2000
CHANNEL_ID = 3000
OWNER_ID = 4000
SYSTEM_CHANNEL_ID = 3001
BOT_ME = {"id": str(APP_ID), "username": "quizbot", "discriminator": "0", "avatar": None, "bot": True,
          "global_name": None}
OWNER = {"id": str(OWNER_ID), "username": "owner", "discriminator": "0", "avatar": None, "global_name": None}


START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # FakeClock's start: ids when the fake has no clock
EPHEMERAL = 64
REFUSALS = {50001: "Missing Access", 50013: "Missing Permissions"}


def jr(obj: Any, status: int = 200, **headers: str) -> web.Response:
    # discord.py compares the content type for equality, so no charset suffix
    return web.Response(body=json.dumps(obj).encode(), status=status,
                        headers={"Content-Type": "application/json", **headers})


class Invalid(Exception):
    pass


def check(cond: bool, what: str) -> None:
    if not cond:
        raise Invalid(what)


def validate_embeds(embeds: list[dict[str, Any]]) -> None:
    check(len(embeds) <= 10, "more than 10 embeds")
    total = 0
    for e in embeds:
        parts = {"title": 256, "description": 4096}
        for key, limit in parts.items():
            check(len(e.get(key) or "") <= limit, f"embed {key} over {limit}")
            total += len(e.get(key) or "")
        fields = e.get("fields", [])
        check(len(fields) <= 25, "more than 25 fields")
        for f in fields:
            check(0 < len(f["name"]) <= 256 and 0 < len(f["value"]) <= 1024, f"field too long or empty: {f['name']}")
            total += len(f["name"]) + len(f["value"])
        footer = (e.get("footer") or {}).get("text", "")
        check(len(footer) <= 2048, "footer over 2048")
        total += len(footer)
    check(total <= 6000, "embeds over 6000 characters")


def validate_components(rows: list[dict[str, Any]]) -> None:
    check(len(rows) <= 5, "more than 5 action rows")
    ids: set[str] = set()
    for row in rows:
        check(row["type"] == 1, "top-level component is not an action row")
        items = row["components"]
        check(1 <= len(items) <= 5, "action row with 0 or more than 5 components")
        if any(i["type"] == 3 for i in items):
            check(len(items) == 1, "a select must be alone in its row")
        for item in items:
            cid = item.get("custom_id", "")
            check(1 <= len(cid) <= 100, f"custom_id length {len(cid)}")
            check(cid not in ids, f"duplicate custom_id {cid}")
            ids.add(cid)
            if item["type"] == 2:
                check(len(item.get("label") or "") <= 80, "button label over 80")
            if item["type"] == 3:
                options = item["options"]
                check(1 <= len(options) <= 25, "select options not 1..25")
                for o in options:
                    check(all(len(o.get(k) or "") <= 100 for k in ("label", "value", "description")),
                          "select option over 100")
                check(len(item.get("placeholder") or "") <= 150, "placeholder over 150")
                lo, hi = item.get("min_values", 1), item.get("max_values", 1)
                check(0 <= lo <= hi <= len(options), "min/max values out of range")


UPLOAD_LIMIT = 10 * 1024 * 1024  # attachment_size_limit of the interaction payloads below
COMMAND_NAME = re.compile(r"^[-_a-z0-9]{1,32}$")


def validate_message(body: dict[str, Any], files: list[tuple[str, bytes]] | None = None) -> None:
    check(len(body.get("content") or "") <= 2000, "content over 2000")
    validate_embeds(body.get("embeds") or [])
    validate_components(body.get("components") or [])
    files = files or []
    check(len(files) <= 10, "more than 10 files")
    listed = {a.get("filename") for a in body.get("attachments") or []}
    for name, data in files:
        check(name in listed, f"file {name} is not listed in payload_json attachments")
        check(0 < len(data) <= UPLOAD_LIMIT, f"file {name} empty or over the upload limit")
        check(bool(name) and "/" not in name, f"bad file name {name!r}")


def command_chars(option: dict[str, Any]) -> int:
    """Characters Discord counts toward a command's 8000 (names, descriptions, choice names and values)."""
    total = len(option["name"]) + len(option.get("description", ""))
    total += sum(len(c["name"]) + len(str(c["value"])) for c in option.get("choices", []))
    return total + sum(command_chars(o) for o in option.get("options", []))


def validate_options(options: list[dict[str, Any]], depth: int) -> None:
    check(len(options) <= 25, "more than 25 options")
    required_done = False
    for o in options:
        check(bool(COMMAND_NAME.match(o["name"])), f"option name {o['name']!r}")
        check(1 <= len(o.get("description", "")) <= 100, f"option description of {o['name']}")
        check(len(o.get("choices", [])) <= 25, f"more than 25 choices on {o['name']}")
        for c in o.get("choices", []):
            check(1 <= len(c["name"]) <= 100 and len(str(c["value"])) <= 100, f"choice of {o['name']}")
        if o["type"] in (1, 2):
            check(depth < 2 and (o["type"] == 1 or depth == 0), f"subcommand nesting at {o['name']}")
            inner = o.get("options", [])
            check(o["type"] == 1 or all(i["type"] == 1 for i in inner), "a group holds only subcommands")
            validate_options(inner, depth + 1)
        else:
            check(not (required_done and o.get("required")), f"required option {o['name']} after an optional one")
            required_done = required_done or not o.get("required")


def validate_command(command: dict[str, Any]) -> None:
    check(bool(COMMAND_NAME.match(command["name"])), f"command name {command['name']!r}")
    check(1 <= len(command.get("description", "x")) <= 100, f"command description of {command['name']}")
    validate_options(command.get("options", []), 0)
    check(command_chars(command) <= 8000, f"command {command['name']} over 8000 characters")


def validate_modal(data: dict[str, Any]) -> None:
    check(1 <= len(data["title"]) <= 45, "modal title not 1..45")
    check(1 <= len(data["components"]) <= 5, "modal needs 1..5 components")
    for row in data["components"]:
        for item in row["components"]:
            check(len(item.get("label", "")) <= 45, "text input label over 45")
            check(len(item.get("placeholder", "")) <= 100, "placeholder over 100")


@dataclass
class Call:
    method: str
    path: str
    body: Any  # the JSON body, or a GET's query parameters
    files: list[tuple[str, bytes]] = field(default_factory=list)


@dataclass
class FakeDiscord:
    """Records every request; answers like Discord; returns 400 for a payload Discord would reject."""

    calls: list[Call] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    messages: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_next: dict[str, list[int]] = field(default_factory=dict)  # "POST /channels/3000/messages" -> [429, ...]
    dm_open: bool = True
    interaction_flags: dict[str, int] = field(default_factory=dict)
    clock: Any = None  # anything with now(); message ids are snowflakes of its time
    unreadable: dict[str, int] = field(default_factory=dict)  # channel id -> 403 code for reading its history
    last_id: int = 0

    def next_id(self) -> str:
        """A snowflake of the clock's time, always above the last one (Discord's ids only grow)."""
        now = self.clock.now() if self.clock is not None else START
        self.last_id = max(self.last_id + 1, discord.utils.time_snowflake(now))
        return str(self.last_id)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/v10/{tail:.*}", self.handle)
        return app

    def bodies(self, method: str, prefix: str) -> list[Any]:
        return [c.body for c in self.calls if c.method == method and c.path.startswith(prefix)]

    async def handle(self, req: web.Request) -> web.Response:
        path = "/" + req.match_info["tail"]
        body, files = await self.read_body(req)
        if req.method == "GET":
            body = dict(req.query)
        self.calls.append(Call(req.method, path, body, files))
        failures = self.fail_next.get(f"{req.method} {path}")
        if failures:
            status = failures.pop(0)
            if status == 429:
                return jr({"message": "You are being rate limited.", "retry_after": 0.01, "global": False}, 429,
                          Via="1.1 google", **{"X-RateLimit-Scope": "user"})
            return jr({"message": "Missing Access", "code": 50001}, status)
        try:
            return self.route(req.method, path, body, files)
        except Invalid as exc:
            self.rejected.append(f"{req.method} {path}: {exc}")
            errors = {"body": {"_errors": [{"code": "INVALID", "message": str(exc)}]}}  # Discord's nesting
            return jr({"message": "Invalid Form Body", "code": 50035, "errors": errors}, 400)

    @staticmethod
    async def read_body(req: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        """JSON, or discord.py's multipart upload: ``payload_json`` plus ``files[n]`` parts."""
        if not req.can_read_body:
            return None, []
        if req.content_type != "multipart/form-data":
            return await req.json(), []
        body: Any = None
        files: list[tuple[str, bytes]] = []
        async for part in await req.multipart():
            if not isinstance(part, BodyPartReader):
                continue
            if part.name == "payload_json":
                body = json.loads(await part.text())
            else:
                files.append((part.filename or "", bytes(await part.read())))
        return body, files

    def route(self, method: str, path: str, body: Any, files: list[tuple[str, bytes]]) -> web.Response:
        parts = path.strip("/").split("/")
        if path == "/users/@me":
            return jr(BOT_ME)
        if path == "/oauth2/applications/@me":
            return jr({"id": str(APP_ID), "name": "quiz", "description": "", "icon": None, "bot_public": True,
                       "bot_require_code_grant": False, "owner": OWNER, "verify_key": "0", "flags": 0})
        if path.endswith("/commands") and method == "PUT":
            for c in body:
                validate_command(c)
            return jr([dict(c, id=str(i + 1), application_id=str(APP_ID), version="1") for i, c in enumerate(body)])
        if parts[0] == "interactions" and parts[-1] == "callback":
            return self.callback(parts[1], parts[2], body)
        if parts[0] == "webhooks" and method == "PATCH":
            validate_message(body, files)
            return jr(self.store(f"@original:{parts[2]}", body, self.interaction_flags.get(parts[2], 0), webhook=True))
        if parts[0] == "webhooks" and method == "POST":
            validate_message(body, files)
            return jr(self.store(self.next_id(), body, body.get("flags", 0), webhook=True))
        if parts[0] == "channels" and parts[1] == "5000" and method == "POST":
            if not self.dm_open:
                return jr({"message": "Cannot send messages to this user", "code": 50007}, 403)
            return jr(self.store(self.next_id(), body, 0, channel_id="5000"))
        if parts[0] == "channels" and len(parts) == 3 and parts[2] == "messages" and method == "GET":
            return self.history(parts[1], body)
        if parts[0] == "channels" and len(parts) == 3 and method == "POST":
            validate_message(body, files)
            return jr(self.store(self.next_id(), body, 0, channel_id=parts[1]))
        if parts[0] == "channels" and len(parts) == 4 and method == "PATCH":
            validate_message(body, files)
            old = self.messages[parts[3]]
            return jr(self.store(parts[3], {**old, **body}, old.get("flags", 0), channel_id=parts[1]))
        if path == "/users/@me/channels":
            return jr({"id": "5000", "type": 1, "recipients": [OWNER], "last_message_id": None})
        if parts[0] == "users":
            return jr(OWNER)
        if parts[0] == "guilds" and len(parts) == 2:
            return jr(guild_payload())
        return jr({"message": f"fake: no route {method} {path}", "code": 0}, 404)

    def callback(self, iid: str, token: str, body: dict[str, Any]) -> web.Response:
        data = body.get("data") or {}
        if body["type"] == 9:
            validate_modal(data)
        else:
            validate_message(data)
        self.interaction_flags[token] = data.get("flags", 0)
        return jr({"interaction": {"id": iid, "type": 2, "response_message_loading": body["type"] == 5,
                                   "response_message_ephemeral": bool(data.get("flags", 0) & 64)}})

    def history(self, channel_id: str, query: dict[str, str]) -> web.Response:
        """GET /channels/{id}/messages: at most ``limit`` (1..100, default 50) messages, newest first.

        With ``after`` these are the oldest ones after that id, with ``before`` the newest ones
        before it (Discord's order either way); ephemeral replies are never in a channel.
        """
        if channel_id in self.unreadable:
            code = self.unreadable[channel_id]
            return jr({"message": REFUSALS[code], "code": code}, 403)
        raw = query.get("limit", "50")
        check(raw.isdigit() and 1 <= int(raw) <= 100, f"limit {raw!r} is not 1..100")
        anchors = [key for key in ("before", "after", "around") if key in query]
        check(len(anchors) <= 1, "before, after and around are mutually exclusive")
        check(all(query[key].isdigit() for key in anchors), "an anchor is not a snowflake")
        check("around" not in query, "fake: around is not supported")
        limit = int(raw)
        shown = sorted((m for m in self.messages.values() if m["channel_id"] == channel_id
                        and not m["flags"] & EPHEMERAL), key=lambda m: int(m["id"]))
        if "after" in query:
            chosen = [m for m in shown if int(m["id"]) > int(query["after"])][:limit]
        else:
            before = int(query.get("before", 2**63))
            chosen = [m for m in shown if int(m["id"]) < before][-limit:]
        return jr(chosen[::-1])

    def store(self, mid: str, body: dict[str, Any], flags: int, channel_id: str = str(CHANNEL_ID), *,
              webhook: bool = False, author: dict[str, Any] = BOT_ME) -> dict[str, Any]:
        """Keep a message as Discord would return it; interaction replies are webhook messages."""
        msg_id = mid if mid.isdigit() else self.next_id()
        msg = {"id": msg_id, "channel_id": channel_id, "type": 0,
               "content": body.get("content") or "", "author": author, "embeds": body.get("embeds") or [],
               "components": body.get("components") or [], "attachments": [], "mentions": [],
               "mention_roles": [], "pinned": False, "mention_everyone": False, "tts": False,
               "timestamp": discord.utils.snowflake_time(int(msg_id)).isoformat(), "edited_timestamp": None,
               "flags": flags}
        if webhook:
            msg["webhook_id"] = str(APP_ID)
        self.messages[mid] = msg
        return msg

    def last_reply(self, token: str) -> dict[str, Any]:
        """What the user sees for an interaction: the callback data, then any edit of @original."""
        shown: dict[str, Any] = {}
        for c in self.calls:
            if c.path.startswith("/interactions/") and c.path.split("/")[3] == token:
                shown = dict(c.body.get("data") or {}, type=c.body["type"])
            if c.path == f"/webhooks/{APP_ID}/{token}/messages/@original":
                shown = {**shown, **c.body, "type": "edit"}
            if c.path == f"/webhooks/{APP_ID}/{token}" and c.method == "POST":
                shown = {**c.body, "type": "followup"}
        return shown

    def uploads(self, token: str) -> list[tuple[str, bytes]]:
        """Files uploaded with the answers to one interaction."""
        return [f for c in self.calls if f"/{token}" in c.path for f in c.files]


async def serve(fake: FakeDiscord) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(fake.app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/api/v10"


async def until(predicate: Any, what: str, timeout: float = 5.0) -> None:
    """Poll until ``predicate()`` is true, failing after a deadline (discord.py answers in background tasks)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.002)


# -- raw gateway payloads --------------------------------------------------------------------

ADMIN_PERMS = str(discord.Permissions(manage_guild=True, send_messages=True, view_channel=True).value)
MEMBER_PERMS = str(discord.Permissions(send_messages=True, view_channel=True).value)


TEAM_ROLE_ID = 7001


def role_payload(role_id: int, name: str, perms: int = 0) -> dict[str, Any]:
    return {"id": str(role_id), "name": name, "permissions": str(perms), "position": 0 if role_id == GUILD_ID else 1,
            "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}


def member(user_id: int, perms: str = MEMBER_PERMS, roles: tuple[int, ...] = ()) -> dict[str, Any]:
    user = {"id": str(user_id), "username": f"user{user_id}", "discriminator": "0", "avatar": None,
            "global_name": None}
    return {"user": user, "roles": [str(r) for r in roles], "joined_at": "2026-01-01T00:00:00+00:00",
            "permissions": perms, "deaf": False, "mute": False, "flags": 0, "nick": None, "avatar": None}


_ids = itertools.count(1)


def interaction(kind: int, data: dict[str, Any], user_id: int, *, perms: str = MEMBER_PERMS,
                message: dict[str, Any] | None = None, roles: tuple[int, ...] = ()) -> dict[str, Any]:
    iid = next(_ids)
    payload: dict[str, Any] = {
        "id": str(iid), "application_id": str(APP_ID), "type": kind, "token": f"tok{iid}", "version": 1,
        "guild_id": str(GUILD_ID), "channel_id": str(CHANNEL_ID),
        "channel": {"id": str(CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "quiz", "position": 0,
                    "permission_overwrites": [], "nsfw": False, "parent_id": None},
        "member": member(user_id, perms, roles), "data": data, "app_permissions": "0", "locale": "en-US",
        "entitlements": [], "attachment_size_limit": UPLOAD_LIMIT, "authorizing_integration_owners": {},
    }
    if message is not None:
        payload["message"] = message
    return payload


def slash(sub: str, options: list[dict[str, Any]] | None = None, *, group: str | None = None,
          resolved: dict[str, Any] | None = None) -> dict[str, Any]:
    leaf = {"type": 1, "name": sub, "options": options or []}
    top = [{"type": 2, "name": group, "options": [leaf]}] if group else [leaf]
    data: dict[str, Any] = {"id": "1", "name": "quiz", "type": 1, "options": top}
    if resolved:
        data["resolved"] = resolved
    return data


def guild_payload(*, bot_perms: int | None = None) -> dict[str, Any]:
    everyone_perms = discord.Permissions(view_channel=True, send_messages=True, embed_links=True,
                                         read_message_history=True) if bot_perms is None else discord.Permissions(
                                             bot_perms)
    channel = {"id": str(CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "quiz", "position": 0,
               "permission_overwrites": [], "nsfw": False, "parent_id": None}
    system = dict(channel, id=str(SYSTEM_CHANNEL_ID), name="general", position=1)
    return {
        "id": str(GUILD_ID), "name": "study", "owner_id": str(OWNER_ID), "icon": None, "splash": None,
        "discovery_splash": None, "features": [], "emojis": [], "stickers": [], "afk_channel_id": None,
        "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
        "explicit_content_filter": 0, "mfa_level": 0, "application_id": None,
        "system_channel_id": str(SYSTEM_CHANNEL_ID), "system_channel_flags": 0, "rules_channel_id": None,
        "vanity_url_code": None, "description": None, "banner": None, "premium_tier": 0,
        "preferred_locale": "en-US", "public_updates_channel_id": None, "nsfw_level": 0,
        "premium_progress_bar_enabled": False, "unavailable": False, "member_count": 2, "large": False,
        "roles": [role_payload(GUILD_ID, "@everyone", everyone_perms.value), role_payload(TEAM_ROLE_ID, "blue")],
        "members": [member(APP_ID, "0") | {"user": BOT_ME}], "channels": [channel, system], "threads": [],
        "presences": [], "voice_states": [], "stage_instances": [], "guild_scheduled_events": [],
    }
