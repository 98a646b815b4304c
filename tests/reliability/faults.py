"""The platform fakes with network faults on demand: 5xx, resets, held answers, and Discord's nonce.

Faults: "500" / "503" (an error status), "reset" (the connection drops before
the request is handled), "accepted-reset" (handled, then the connection drops),
"timeout" (the answer is held until the client gives up; never handled) and
"accepted-timeout" (handled, then the answer is held until the client gives
up: the post landed but the sender cannot know). A held answer waits on an
event nobody sets, bounded by ``HOLD_LIMIT``; the fakes are served with
handler cancellation, so the client closing its connection ends the wait.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.adapters.discord_adapter.fake_discord import FakeDiscord, jr
from tests.adapters.slack_adapter.fake_slack import Call, FakeSlack

Fault = str
HOLD_LIMIT = 10.0  # seconds: a client that never times out gets its answer late instead of hanging the test


@dataclass
class FaultySlack(FakeSlack):
    """FakeSlack whose Web API methods fail first with the queued faults."""

    faults: dict[str, list[Fault]] = field(default_factory=dict)  # method -> faults, consumed in order
    gave_up: list[str] = field(default_factory=list)  # "method!fault" of each held answer the client abandoned

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        queue = self.faults.get(method)
        if not queue:
            return await super().api(request)
        fault = queue.pop(0)
        self.calls.append(Call(f"{method}!{fault}", {}))
        return await _fault(fault, request, lambda: super(FaultySlack, self).api(request), self.gave_up)


@dataclass
class FaultyDiscord(FakeDiscord):
    """FakeDiscord whose routes ("POST /channels/3000/messages") fail first with the queued faults.

    It also honours ``nonce`` + ``enforce_nonce`` on message creation as Discord does: a second
    create with a nonce already used returns the first message instead of posting again (Discord
    remembers nonces for a few minutes; the fake for the whole test).
    """

    faults: dict[str, list[Fault]] = field(default_factory=dict)
    gave_up: list[str] = field(default_factory=list)
    nonces: dict[str, str] = field(default_factory=dict)  # nonce -> message id

    async def handle(self, req: web.Request) -> web.Response:
        key = f"{req.method} /{req.match_info['tail']}"
        queue = self.faults.get(key)
        if not queue:
            return await super().handle(req)
        return await _fault(queue.pop(0), req, lambda: super(FaultyDiscord, self).handle(req), self.gave_up)

    def route(self, method: str, path: str, body: Any, files: list[tuple[str, bytes]]) -> web.Response:
        nonce = body.get("nonce") if method == "POST" and isinstance(body, dict) and body.get("enforce_nonce") else None
        if nonce is not None and nonce in self.nonces:
            return jr(self.messages[self.nonces[nonce]])
        response = super().route(method, path, body, files)
        if nonce is not None and response.status == 200 and isinstance(response.body, bytes):
            self.nonces[nonce] = json.loads(response.body)["id"]
        return response


async def _fault(fault: Fault, request: web.Request, handle: Callable[[], Awaitable[web.Response]],
                 gave_up: list[str]) -> web.Response:
    if fault.isdigit():
        await request.read()
        return web.Response(status=int(fault), text="upstream connect error", content_type="text/plain")
    assert request.transport is not None
    if fault == "reset":
        request.transport.abort()
        return web.Response()
    if fault == "accepted-reset":
        response = await handle()
        request.transport.abort()
        return response
    if fault in {"timeout", "accepted-timeout"}:
        response = await handle() if fault == "accepted-timeout" else web.Response(status=500)
        try:
            await asyncio.wait_for(asyncio.Event().wait(), HOLD_LIMIT)
        except asyncio.CancelledError:  # the client gave up and closed the connection
            gave_up.append(f"{request.path}!{fault}")
            raise
        return response
    raise AssertionError(f"unknown fault {fault}")


async def serve(app: web.Application) -> tuple[web.AppRunner, int]:
    """Serve a faulty fake on 127.0.0.1 with handler cancellation, so a held answer ends with its connection."""
    runner = web.AppRunner(app, handler_cancellation=True)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]
