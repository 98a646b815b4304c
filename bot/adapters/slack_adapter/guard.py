"""An aiohttp middleware in front of bolt's HTTP handler.

Bolt parses a request body before it verifies the signature, so an
unauthenticated body that is not JSON (or a payload that is not an object)
ends as a 500 from inside bolt. This guard verifies the signature first —
401 for anything unsigned, forged, stale or with a malformed timestamp — and
turns a signed request bolt cannot parse into a 400.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def signature_guard(signing_secret: str, path: str) -> Callable[[web.Request, Handler], Awaitable[web.StreamResponse]]:
    """Middleware for the events path: 401 before parsing unless signed, 400 when bolt cannot parse."""
    verifier = SignatureVerifier(signing_secret)

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method != "POST" or request.path != path:
            return await handler(request)
        body = (await request.read()).decode("utf-8", errors="replace")
        try:
            valid = verifier.is_valid(body, request.headers.get("X-Slack-Request-Timestamp", ""),
                                      request.headers.get("X-Slack-Signature", ""))
        except ValueError:  # a timestamp that is not a number
            valid = False
        if not valid:
            return web.Response(status=401, text="invalid signature")
        try:
            return await handler(request)
        except (AttributeError, TypeError, ValueError, json.JSONDecodeError) as exc:
            log.warning("unparseable signed slack request: %s", type(exc).__name__)
            return web.Response(status=400, text="bad request")

    return guard
