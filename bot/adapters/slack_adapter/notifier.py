"""The scheduler's way into Slack: post the daily question, reveal it, tell admins.

Slack errors become ``DeliveryFailed``; missing access (``not_in_channel``,
``missing_scope`` …) is permanent so the lifecycle pauses the schedule and
tells an admin instead of retrying forever.
"""

from __future__ import annotations

import logging

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_adapter import blocks
from bot.adapters.slack_adapter.clients import Clients
from bot.adapters.slack_adapter.counter import CountUpdater
from bot.engine.errors import DeliveryFailed
from bot.engine.model import Question, Round, ServerConfig, ServerKey
from bot.engine.outcomes import Recap
from bot.engine.service import QuizService

log = logging.getLogger(__name__)

PERMANENT_ERRORS = frozenset({
    "not_in_channel", "channel_not_found", "is_archived", "missing_scope", "not_authed", "invalid_auth",
    "account_inactive", "token_revoked", "no_permission", "restricted_action", "team_access_not_granted",
    "ekm_access_denied", "not_allowed_token_type",
})


def delivery_failed(exc: SlackApiError | aiohttp.ClientError | TimeoutError, what: str) -> DeliveryFailed:
    """Translate a Slack or network error; permanent when the app lacks access."""
    if isinstance(exc, SlackApiError):
        data = exc.response.data if exc.response is not None else None
        # A 5xx from a proxy can carry an HTML page instead of Slack's JSON: a blip, retried later.
        code = str(data.get("error", "unknown_error")) if isinstance(data, dict) else f"http_{exc.response.status_code}"
        return DeliveryFailed(f"Slack refused {what}: {code}", permanent=code in PERMANENT_ERRORS)
    return DeliveryFailed(f"Slack unreachable for {what}: {type(exc).__name__}")


def mention(config: ServerConfig) -> str:
    """The ``mention_role`` setting as Slack markup: a user group id, ``here`` or ``channel``."""
    role = config.mention_role
    if not role:
        return ""
    if role.lower() in {"here", "channel", "everyone"}:
        return f"<!{role.lower()}>"
    return f"<!subteam^{role}>"


MAX_ADMINS_TOLD = 5


async def workspace_admins(client: AsyncWebClient) -> list[str]:
    """Up to five workspace admins or owners (``users.list``, users:read), for notices with no one configured."""
    found: list[str] = []
    cursor: str | None = None
    try:
        while len(found) < MAX_ADMINS_TOLD:
            page = await client.users_list(limit=200, cursor=cursor)
            for user in page.get("members") or []:
                in_charge = user.get("is_admin") or user.get("is_owner")
                if in_charge and not user.get("is_bot") and not user.get("deleted"):
                    found.append(str(user["id"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                break
    except SlackApiError as exc:
        log.warning("could not list workspace admins: %s", exc.response.get("error") if exc.response else exc)
    return found[:MAX_ADMINS_TOLD]


class SlackNotifier:
    """Implements ``bot.engine.ports.Notifier`` for Slack workspaces."""

    # Slack's limits are per workspace (chat.postMessage: about 1/s per channel) and each server is its
    # own workspace with one daily post, so there is no cross-workspace rate to pace to; the Web API
    # client's rate-limit handler honours Retry-After if a workspace ever answers 429.
    sends_per_second = float("inf")

    def __init__(self, service: QuizService, clients: Clients, counter: CountUpdater) -> None:
        self._service = service
        self._clients = clients
        self._counter = counter

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Post the question with letter buttons; return the message ``ts``."""
        if not config.channel_id:
            raise DeliveryFailed("no daily channel is set", permanent=True)
        message = blocks.question_message(question, round_, count=0, mention=mention(config))
        client = await self._clients.for_team(config.server.server_id, resend_on_reset=False)
        try:
            response = await client.chat_postMessage(channel=config.channel_id, **message.kwargs())
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise delivery_failed(exc, f"the daily post in {config.channel_id}") from exc
        return str(response["ts"])

    async def reveal_daily(self, config: ServerConfig, round_: Round, recap: Recap) -> None:
        """Replace the post with the key and distribution (no buttons), then post the recap in its thread."""
        self._counter.cancel(round_.id)
        channel, ts = round_.channel_id or config.channel_id, round_.message_ref
        if not channel or not ts:
            raise DeliveryFailed(f"round {round_.id} has no recorded post", permanent=True)
        client = await self._clients.for_team(config.server.server_id)
        try:
            await client.chat_update(channel=channel, ts=ts, **blocks.reveal_message(recap.reveal).kwargs())
            await client.chat_postMessage(channel=channel, thread_ts=ts, **blocks.recap_message(recap).kwargs())
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise delivery_failed(exc, f"the reveal in {channel}") from exc

    async def tell_admins(self, server: ServerKey, text: str) -> None:
        """DM the configured admins, or the installing user when none are configured."""
        config = await self._service.config(server)
        recipients = list(config.admins)
        installer = await self._clients.installer(server.server_id)
        if not recipients and installer:
            recipients = [installer]
        client = await self._clients.for_team(server.server_id)
        if not recipients:
            recipients = await workspace_admins(client)
        if not recipients:
            raise DeliveryFailed(f"no admin known in {server.server_id}; set one with /quiz config admins")
        for user_id in recipients:
            await self._dm(client, user_id, text)

    async def _dm(self, client: AsyncWebClient, user_id: str, text: str) -> None:
        try:
            await client.chat_postMessage(channel=user_id, text=text)
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise delivery_failed(exc, f"a message to admin {user_id}") from exc

    async def refresh_count(self, round_id: int) -> None:
        """Re-render an open daily post with its current answer count (called by ``CountUpdater``)."""
        opened = await self._service.round_by_id(round_id)
        round_ = opened.round
        if round_.revealed_at is not None or not round_.message_ref or not round_.channel_id:
            return
        count = await self._service.answer_count(round_id)
        config = await self._service.config(round_.server)
        message = blocks.question_message(opened.question, round_, count=count, mention=mention(config))
        client = await self._clients.for_team(round_.server.server_id)
        await client.chat_update(channel=round_.channel_id, ts=round_.message_ref, **message.kwargs())
