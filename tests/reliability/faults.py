"""The platform fakes with network faults on demand: 5xx, a connection reset, or a reset after the post landed."""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from tests.adapters.discord_adapter.fake_discord import FakeDiscord
from tests.adapters.slack_adapter.fake_slack import Call, FakeSlack

# "500" | "503" | "reset" (dropped before handling) | "accepted-reset" (handled, then the connection drops)
Fault = str


@dataclass
class FaultySlack(FakeSlack):
    """FakeSlack whose Web API methods fail first with the queued faults."""

    faults: dict[str, list[Fault]] = field(default_factory=dict)  # method -> faults, consumed in order

    async def api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        queue = self.faults.get(method)
        if not queue:
            return await super().api(request)
        fault = queue.pop(0)
        self.calls.append(Call(f"{method}!{fault}", {}))
        return await _fault(fault, request, lambda: super(FaultySlack, self).api(request))


@dataclass
class FaultyDiscord(FakeDiscord):
    """FakeDiscord whose routes ("POST /channels/3000/messages") fail first with the queued faults."""

    faults: dict[str, list[Fault]] = field(default_factory=dict)

    async def handle(self, req: web.Request) -> web.Response:
        key = f"{req.method} /{req.match_info['tail']}"
        queue = self.faults.get(key)
        if not queue:
            return await super().handle(req)
        return await _fault(queue.pop(0), req, lambda: super(FaultyDiscord, self).handle(req))


async def _fault(fault: Fault, request: web.Request, handle) -> web.Response:
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
    raise AssertionError(f"unknown fault {fault}")
