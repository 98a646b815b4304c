"""A local fake of Discord's gateway, enough for the real discord.py client to connect one or many shards.

It serves, on one 127.0.0.1 port beside the REST fake's routes:

- ``GET /api/v10/gateway/bot``: the recommended shard count and a ``ws://`` URL (``/bot-gateway``),
  which is what ``AutoShardedClient`` asks when the count is ``auto``;
- a websocket at ``/gateway`` (what tests set as discord.py's default gateway) and at ``/bot-gateway``.
  It sends HELLO (op 10), ACKs heartbeats (op 1 -> op 11), records and validates IDENTIFY (op 2), answers
  with a READY dispatch carrying the shard, then one GUILD_CREATE per guild that lives on that shard
  (``(guild_id >> 22) % shard_count``), as Discord does. A bad IDENTIFY closes with 4010 like Discord.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.adapters.discord_adapter.fake_discord import APP_ID, BOT_ME, FakeDiscord, guild_payload, jr

HELLO, HEARTBEAT, IDENTIFY, HEARTBEAT_ACK, DISPATCH = 10, 1, 2, 11, 0
INVALID_SHARD = 4010


def guild_on_shard(index: int) -> int:
    """A guild id whose snowflake puts it on shard ``index % n`` for any shard count ``n``."""
    return (index << 22) | 1


@dataclass(frozen=True)
class Identify:
    """One IDENTIFY as the fake received it (without the token)."""

    path: str
    shard: tuple[int, int] | None
    intents: int


@dataclass
class FakeGateway:
    """Records every IDENTIFY and heartbeat; answers like Discord's gateway."""

    recommended_shards: int = 1
    guild_ids: tuple[int, ...] = ()
    identifies: list[Identify] = field(default_factory=list)
    heartbeats: int = 0
    bot_gateway_calls: int = 0
    rejected: list[str] = field(default_factory=list)
    _sockets: set[web.WebSocketResponse] = field(default_factory=set)

    def app(self, rest: FakeDiscord) -> web.Application:
        app = web.Application()
        # registered before the REST fake's catch-all, so these win
        app.router.add_get("/api/v10/gateway/bot", self.gateway_bot)
        app.router.add_get("/gateway", self.websocket)
        app.router.add_get("/bot-gateway", self.websocket)
        app.router.add_route("*", "/api/v10/{tail:.*}", rest.handle)
        return app

    async def gateway_bot(self, req: web.Request) -> web.Response:
        self.bot_gateway_calls += 1
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        body = {"url": f"ws://{req.host}/bot-gateway", "shards": self.recommended_shards, "session_start_limit": limit}
        return jr(body)  # discord.py wants the bare application/json type

    def shards_identified(self) -> list[tuple[int, int] | None]:
        return [i.shard for i in self.identifies]

    async def websocket(self, req: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(req)
        self._sockets.add(ws)
        seq = itertools.count(1)
        try:
            await ws.send_json({"op": HELLO, "d": {"heartbeat_interval": 45_000}})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                if frame["op"] == HEARTBEAT:
                    self.heartbeats += 1
                    await ws.send_json({"op": HEARTBEAT_ACK})
                elif frame["op"] == IDENTIFY:
                    await self.identify(ws, req, frame["d"], seq)
        finally:
            self._sockets.discard(ws)
        return ws

    async def identify(self, ws: web.WebSocketResponse, req: web.Request, data: dict[str, Any],
                       seq: itertools.count[int]) -> None:
        problem = self.invalid(data)
        if problem:
            self.rejected.append(problem)
            await ws.close(code=INVALID_SHARD, message=problem.encode())
            return
        shard = (int(data["shard"][0]), int(data["shard"][1])) if "shard" in data else None
        self.identifies.append(Identify(req.path, shard, data["intents"]))
        mine = [g for g in self.guild_ids if shard is None or (g >> 22) % shard[1] == shard[0]]
        ready: dict[str, Any] = {
            "v": 10, "user": BOT_ME, "guilds": [{"id": str(g), "unavailable": True} for g in mine],
            "session_id": f"session-{len(self.identifies)}", "resume_gateway_url": f"ws://{req.host}{req.path}",
            "application": {"id": str(APP_ID), "flags": 0},
        }
        if shard is not None:
            ready["shard"] = list(shard)  # Discord echoes the shard only when IDENTIFY sent one
        await ws.send_json({"op": DISPATCH, "t": "READY", "s": next(seq), "d": ready})
        for g in mine:
            guild = dict(guild_payload(), id=str(g))
            await ws.send_json({"op": DISPATCH, "t": "GUILD_CREATE", "s": next(seq), "d": guild})

    @staticmethod
    def invalid(data: dict[str, Any]) -> str:
        """Why Discord would refuse this IDENTIFY ('' when it would not)."""
        if not data.get("token") or not isinstance(data.get("intents"), int):
            return "IDENTIFY without a token or intents"
        shard = data.get("shard")
        if shard is not None and not (isinstance(shard, list) and len(shard) == 2 and 0 <= shard[0] < shard[1]):
            return f"invalid shard {shard}"
        return ""

    async def close(self) -> None:
        """Close any socket the client left open, so the server stops at once."""
        for ws in list(self._sockets):
            await ws.close()


async def serve_gateway(gateway: FakeGateway, rest: FakeDiscord) -> tuple[web.AppRunner, str, str]:
    """Start REST + gateway on one loopback port; return the runner, the REST base and the gateway URL."""
    runner = web.AppRunner(gateway.app(rest))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/api/v10", f"ws://127.0.0.1:{port}/gateway"
