"""Build the Slack side of the bot: one ``AsyncApp``, served by Socket Mode or by HTTP.

Socket Mode (an app-level token) suits a self-hosted single workspace; HTTP
mode serves ``/slack/events`` and, with a client id and secret, the OAuth
install routes for many workspaces, their tokens kept in our SQLite database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from bot.adapters.slack_adapter.admin_commands import Exporter
from bot.adapters.slack_adapter.clients import DEFAULT_TIMEOUT, Clients, Sleep
from bot.adapters.slack_adapter.commands import command_table
from bot.adapters.slack_adapter.counter import CountUpdater
from bot.adapters.slack_adapter.guard import signature_guard
from bot.adapters.slack_adapter.listeners import SlackListeners
from bot.adapters.slack_adapter.notifier import SlackNotifier
from bot.adapters.slack_adapter.oauth_store import SqlInstallationStore, SqlStateStore
from bot.engine.ports import Clock
from bot.engine.service import QuizService, SystemClock
from bot.storage.database import Database

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
# channels:history / groups:history: before re-sending a daily post that may have landed, the scheduler
# looks for it in the channel (SlackNotifier.find_daily), because chat.postMessage has no idempotency key.
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "users:read", "channels:history", "groups:history")


class SlackRuntime:
    """The running Slack adapter: ``notifier`` for the scheduler, ``start`` and ``close``."""

    def __init__(self, app: AsyncApp, notifier: SlackNotifier, counter: CountUpdater, *,
                 app_token: str | None, host: str, port: int, signing_secret: str | None = None) -> None:
        self.app = app
        self._signing_secret = signing_secret
        self.notifier = notifier
        self.counter = counter
        self._socket = AsyncSocketModeHandler(app, app_token) if app_token else None
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None

    @property
    def mode(self) -> str:
        """``socket`` or ``http``."""
        return "socket" if self._socket else "http"

    @property
    def port(self) -> int:
        """The bound HTTP port (useful with port 0), or the configured one before ``start``."""
        if self._runner is not None:
            for site in self._runner.sites:
                server = getattr(site, "_server", None)
                if server is not None and server.sockets:
                    return int(server.sockets[0].getsockname()[1])
        return self._port

    async def start(self) -> None:
        """Connect the socket, or start serving HTTP; returns once running."""
        if self._socket is not None:
            await self._socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("slack adapter connected (Socket Mode)")
            return
        web_app = self.app.web_app(path=EVENTS_PATH, port=self._port)
        if self._signing_secret:
            web_app.middlewares.append(signature_guard(self._signing_secret, EVENTS_PATH))
        self._runner = web.AppRunner(web_app)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()
        log.info("slack adapter serving %s on %s:%s", EVENTS_PATH, self._host, self.port)

    async def close(self) -> None:
        """Stop taking requests and drop pending count edits."""
        await self.counter.close()
        if self._socket is not None:
            await self._socket.close_async()  # type: ignore[no-untyped-call]
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


def build_slack(
    service: QuizService,
    db: Database,
    *,
    bot_token: str | None,
    app_token: str | None,
    signing_secret: str | None,
    client_id: str | None = None,
    client_secret: str | None = None,
    http_port: int = 3000,
    api_base: str | None = None,
    http_host: str = "0.0.0.0",  # noqa: S104 - HTTP mode must be reachable from Slack (or a proxy)
    process_before_response: bool = False,
    sleep: Sleep = asyncio.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    clock: Clock | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> SlackRuntime:
    """Wire the app; ``api_base``, ``process_before_response``, ``timeout`` and the timing hooks are for tests.

    ``db`` also serves the admins' ``/quiz export``; ``clock`` (default: the
    system clock) decides which week or month "this" period is there.
    """
    oauth = bool(client_id and client_secret)
    if not oauth and not bot_token:
        raise ValueError("Slack needs a bot token, or a client id and secret for OAuth installs")
    if not app_token and not signing_secret:
        raise ValueError("Slack needs an app-level token (Socket Mode) or a signing secret (HTTP mode)")
    installations = SqlInstallationStore(db) if oauth else None
    clients = Clients(bot_token=None if oauth else bot_token, installations=installations,
                      api_base=api_base, sleep=sleep, timeout=timeout)
    settings = None
    if oauth and installations is not None:
        settings = AsyncOAuthSettings(
            client_id=client_id, client_secret=client_secret, scopes=list(BOT_SCOPES),
            installation_store=installations, state_store=SqlStateStore(db),
            install_page_rendering_enabled=False,
        )
    app = AsyncApp(
        client=clients.make(None if oauth else bot_token), signing_secret=signing_secret or "",
        request_verification_enabled=bool(signing_secret), oauth_settings=settings,
        process_before_response=process_before_response, logger=logging.getLogger("slack_bolt"),
    )
    if oauth:
        app.enable_token_revocation_listeners()
    counter = CountUpdater(lambda round_id: notifier.refresh_count(round_id), now=monotonic, sleep=sleep)
    notifier = SlackNotifier(service, clients, counter)
    exporter = Exporter(db, clock or SystemClock())
    SlackListeners(service, counter, command_table(exporter)).register(app)
    return SlackRuntime(app, notifier, counter, app_token=app_token, host=http_host, port=http_port,
                        signing_secret=signing_secret)
