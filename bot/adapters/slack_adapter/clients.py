"""Web API clients per workspace, the rate-limit retry, and the admin check.

One bot token (Socket Mode, single workspace) or the installation store
(OAuth, many workspaces) decides which token a workspace's client carries.
Nothing is cached between requests, so several HTTP workers agree.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.engine.errors import DeliveryFailed
from bot.engine.model import ServerConfig

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
MAX_RETRY_AFTER = 60.0
DEFAULT_TIMEOUT = 30.0  # slack_sdk's own default: a request that takes longer counts as failed


class RateLimitRetry(AsyncRetryHandler):
    """Retry a 429 after its ``Retry-After``; the sleep is injected so tests never wait."""

    def __init__(self, max_retry_count: int = 3, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep

    async def _can_retry_async(self, *, state: RetryState, request: HttpRequest,
                               response: HttpResponse | None = None, error: Exception | None = None) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(self, *, state: RetryState, request: HttpRequest,
                                             response: HttpResponse | None = None,
                                             error: Exception | None = None) -> None:
        """Wait what Slack asked (capped), then let the client send again."""
        headers = {k.lower(): v for k, v in (response.headers if response else {}).items()}
        raw = headers.get("retry-after", ["1"])
        try:
            delay = min(float(raw[0] if isinstance(raw, list) else raw), MAX_RETRY_AFTER)
        except ValueError:
            delay = 1.0
        log.info("slack rate limit on %s: retrying in %.1fs", request.url, delay)
        state.next_attempt_requested = True
        await self._sleep(delay)
        state.increment_current_attempt()


class Clients:
    """Builds the ``AsyncWebClient`` of a workspace."""

    def __init__(self, *, bot_token: str | None, installations: AsyncInstallationStore | None,
                 api_base: str | None, sleep: Sleep = asyncio.sleep, timeout: float = DEFAULT_TIMEOUT) -> None:
        self._bot_token = bot_token
        self._installations = installations
        self._api_base = api_base
        self._sleep = sleep
        self._timeout = timeout

    def make(self, token: str | None = None, *, resend_on_reset: bool = True) -> AsyncWebClient:
        """A client with the rate-limit retry, pointed at ``api_base`` when set (tests).

        ``resend_on_reset=False`` for posting: chat.postMessage has no idempotency key, so a
        resend after a dropped connection can post twice; the scheduler retries a failed post
        itself, through the day's claim.
        """
        handlers: list[Any] = [RateLimitRetry(sleep=self._sleep)]
        if resend_on_reset:
            handlers.insert(0, AsyncConnectionErrorRetryHandler())
        # slack_sdk types the timeout as int, but aiohttp takes any number of seconds (tests use fractions).
        timeout: Any = self._timeout
        if self._api_base:
            return AsyncWebClient(token=token, base_url=self._api_base, retry_handlers=handlers, timeout=timeout)
        return AsyncWebClient(token=token, retry_handlers=handlers, timeout=timeout)

    async def installer(self, team_id: str) -> str | None:
        """The user who installed the app in ``team_id`` (OAuth mode only)."""
        if self._installations is None:
            return None
        found = await self._installations.async_find_installation(enterprise_id=None, team_id=team_id)
        return found.user_id if found else None

    async def for_team(self, team_id: str, *, resend_on_reset: bool = True) -> AsyncWebClient:
        """The workspace's client; DeliveryFailed(permanent) when the app is not installed there."""
        if self._installations is None:
            return self.make(self._bot_token, resend_on_reset=resend_on_reset)
        bot = await self._installations.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None:
            raise DeliveryFailed(f"QuizBot is not installed in Slack workspace {team_id}", permanent=True)
        return self.make(bot.bot_token, resend_on_reset=resend_on_reset)


async def is_admin(client: AsyncWebClient, config: ServerConfig, user_id: str) -> bool:
    """Workspace admins and owners (``users.info``), plus the users named in the server's ``admins`` setting."""
    if user_id in config.admins:
        return True
    response = await client.users_info(user=user_id)
    user = response.get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
