"""Builds the Discord client and owns its lifetime (login, background connection, close)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import discord
import yarl

from bot.adapters.discord_adapter.client import QuizClient
from bot.adapters.discord_adapter.counter import AnswerCounter, Timing
from bot.adapters.discord_adapter.deps import Exporter, QuizDeps
from bot.adapters.discord_adapter.meta import MetaStore
from bot.adapters.discord_adapter.notifier import DiscordNotifier
from bot.adapters.discord_adapter.sharding import Pause, Shards, new_client
from bot.adapters.discord_adapter.team_roles import TeamRoles
from bot.engine.ports import Clock
from bot.engine.service import QuizService, SystemClock
from bot.storage.database import Database
from bot.storage.export_store import SqlExportStore

log = logging.getLogger(__name__)


@dataclass
class DiscordRuntime:
    """What the composition root holds: the notifier for the scheduler, start and close."""

    client: QuizClient
    notifier: DiscordNotifier
    counter: AnswerCounter
    _token: str = field(repr=False)
    _api_base: str | None = None
    _previous_base: str = ""
    _connection: asyncio.Task[None] | None = None
    _gateway: str | None = None
    _previous_gateway: yarl.URL | None = None
    _login_started: bool = False

    async def login(self) -> None:
        """Log in over REST and run setup (components, command sync); no gateway yet."""
        if self._api_base is not None:
            # discord.py reads one class-level base URL for every REST call (tests point it at a fake).
            self._previous_base = discord.http.Route.BASE
            discord.http.Route.BASE = self._api_base
        if self._gateway is not None:
            # Likewise the gateway URL for a single connection or a fixed shard count ("auto" gets it from REST).
            self._previous_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self._gateway)
        self._login_started = True
        await self.client.login(self._token)

    async def start(self) -> None:
        """Log in, then keep the gateway connection running in a background task."""
        await self.login()
        self._connection = asyncio.create_task(self.client.connect(reconnect=True), name="discord-gateway")
        self._connection.add_done_callback(_report_end)

    async def close(self) -> None:
        """Stop pending count edits, close the connection and the HTTP session."""
        self.counter.close()
        if self._login_started:  # a sharded client cannot close before login has set it up
            await self.client.close()
        if self._connection is not None:
            await asyncio.gather(self._connection, return_exceptions=True)
        if self._api_base is not None and self._previous_base:
            discord.http.Route.BASE = self._previous_base
        if self._previous_gateway is not None:
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = self._previous_gateway


def _report_end(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("Discord gateway connection ended", exc_info=task.exception())


def build_discord(
    service: QuizService, store: MetaStore, *, token: str, dev_guild_id: str | None, api_base: str | None = None,
    timing: Timing | None = None, db: Database | None = None, clock: Clock | None = None,
    shards: Shards | None = None, shard_ids: tuple[int, ...] | None = None, gateway: str | None = None,
    identify_pause: Pause = asyncio.sleep,
) -> DiscordRuntime:
    """Wire the client, notifier and answer counter; ``api_base`` and ``gateway`` point at fakes in tests.

    ``db`` enables the admins' ``/quiz export`` (read through the writer's connection);
    ``clock`` dates those exports and should be the service's clock. ``shards`` (``"auto"`` or the
    total) and ``shard_ids`` (this process's part) switch to a sharded client; see ``sharding``.
    """

    async def refresh(round_id: int, channel_id: int, message_id: int) -> None:
        await notifier.refresh_count(round_id, channel_id, message_id)

    counter = AnswerCounter(refresh, timing)
    exporter = Exporter(SqlExportStore(db), clock or SystemClock()) if db is not None else None
    quiz = QuizDeps(service, counter, TeamRoles(store, service.teams), exporter)
    client = new_client(quiz, store, dev_guild_id=dev_guild_id, shards=shards, shard_ids=shard_ids,
                        identify_pause=identify_pause)
    notifier = DiscordNotifier(client, service)
    return DiscordRuntime(client, notifier, counter, token, api_base, _gateway=gateway)
