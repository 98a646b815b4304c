"""The scheduler's way into Slack: post the daily question, reveal it, tell admins.

Slack errors become ``DeliveryFailed``; missing access (``not_in_channel``,
``missing_scope`` …) is permanent so the lifecycle pauses the schedule and
tells an admin instead of retrying forever.

chat.postMessage has no idempotency key, and a timeout or a dropped connection
can hide a post Slack accepted. Each daily post therefore carries message
metadata naming its round, and before the scheduler sends a round again,
``find_daily`` looks for that metadata in the channel (conversations.history,
the channels:history / groups:history scopes) and adopts the post it finds.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

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
DAILY_EVENT = "quizbot_daily"
# conversations.history's largest page for apps distributed outside the Marketplace (since 2025; Tier 3
# apps may ask more). A few pages cover a daily channel between a claim and its retries.
LOOKUP_PAGE = 15
LOOKUP_PAGES = 3


def daily_metadata(round_id: int) -> dict[str, Any]:
    """Message metadata that lets ``find_daily`` recognise the round's post."""
    return {"event_type": DAILY_EVENT, "event_payload": {"round_id": round_id}}


def is_daily_post(message: dict[str, Any], round_id: int) -> bool:
    """Whether a conversations.history message is the daily post of ``round_id``."""
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    return bool(metadata.get("event_type") == DAILY_EVENT and str(payload.get("round_id")) == str(round_id))


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
        self._lookup_refused: set[str] = set()  # workspaces already warned about, so the log says it once

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Post the question with letter buttons; return the message ``ts``."""
        if not config.channel_id:
            raise DeliveryFailed("no daily channel is set", permanent=True)
        message = blocks.question_message(question, round_, count=0, mention=mention(config))
        client = await self._clients.for_team(config.server.server_id, resend_on_reset=False)
        try:
            response = await client.chat_postMessage(channel=config.channel_id, metadata=daily_metadata(round_.id),
                                                     **message.kwargs())
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            raise delivery_failed(exc, f"the daily post in {config.channel_id}") from exc
        return str(response["ts"])

    async def find_daily(self, config: ServerConfig, round_: Round, since: datetime) -> str | None:
        """The ``ts`` of the round's post in the daily channel since ``since``, found by its metadata.

        Refused lookups (no history scope, bot not in the channel) return None, so the
        scheduler posts again as it did before this check existed; the log says so once.
        """
        team = config.server.server_id
        if not config.channel_id:
            return None
        client = await self._clients.for_team(team)
        cursor: str | None = None
        try:
            for _ in range(LOOKUP_PAGES):
                page = await client.conversations_history(
                    channel=config.channel_id, oldest=f"{since.timestamp():.6f}", inclusive=True,
                    limit=LOOKUP_PAGE, include_all_metadata=True, cursor=cursor)
                found = next((m for m in page.get("messages") or [] if is_daily_post(m, round_.id)), None)
                if found is not None:
                    return str(found["ts"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
                if not page.get("has_more") or cursor is None:
                    return None
        except (TimeoutError, SlackApiError, aiohttp.ClientError) as exc:
            failed = delivery_failed(exc, f"the history of {config.channel_id}")
            if not (isinstance(exc, SlackApiError) and failed.permanent):
                raise failed from exc
            if team not in self._lookup_refused:
                self._lookup_refused.add(team)
                log.warning("cannot check %s for an earlier daily post (%s): a retry may post twice; grant the"
                            " channels:history and groups:history scopes and invite the bot", team, failed)
            return None
        log.info("no daily post of round %s among the last %d messages of %s", round_.id,
                 LOOKUP_PAGE * LOOKUP_PAGES, config.channel_id)
        return None

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
