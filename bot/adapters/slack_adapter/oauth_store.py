"""Slack OAuth stores in the bot's database (slack_sdk's defaults write under ``~``).

Installations and bots are kept as slack_sdk's own JSON shape, one row per
workspace (and per installing user), the newest install winning. Rows hold
tokens: they are never logged.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.storage.database import Database

log = logging.getLogger(__name__)


_UPSERT_INSTALLATION = (
    "INSERT INTO slack_installations (enterprise_id, team_id, user_id, data, installed_at) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (enterprise_id, team_id, user_id) DO UPDATE SET data = excluded.data,"
    " installed_at = excluded.installed_at"
)
_UPSERT_BOT = (
    "INSERT INTO slack_bots (enterprise_id, team_id, data, installed_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (enterprise_id, team_id) DO UPDATE SET data = excluded.data, installed_at = excluded.installed_at"
)


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))


class SqlInstallationStore(AsyncInstallationStore):
    """``AsyncInstallationStore`` on the bot's database, so every worker sharing it sees each install."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def logger(self) -> logging.Logger:
        """The store's logger (slack_sdk asks for it)."""
        return log

    async def async_save(self, installation: Installation) -> None:
        """Store the installation and its bot in one transaction."""
        ent, team = installation.enterprise_id or "", installation.team_id or ""
        async with self._db.transaction() as tx:
            await tx.execute(
                _UPSERT_INSTALLATION,
                (ent, team, installation.user_id or "", _dump(installation.to_dict_for_copying()),
                 installation.installed_at),
            )
            if installation.bot_token:
                bot = installation.to_bot()
                await tx.execute(_UPSERT_BOT, (ent, team, _dump(bot.to_dict_for_copying()), bot.installed_at))
        log.info("slack app installed in team %s", team)

    async def async_save_bot(self, bot: Bot) -> None:
        """Store a bot alone (token refreshes)."""
        await self._db.execute(
            _UPSERT_BOT,
            (bot.enterprise_id or "", bot.team_id or "", _dump(bot.to_dict_for_copying()), bot.installed_at),
        )

    async def async_find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                             is_enterprise_install: bool | None = False) -> Bot | None:
        """The workspace's bot, or None if the app is not installed there."""
        team = "" if is_enterprise_install else team_id or ""
        row = await self._db.fetch_one(
            "SELECT data FROM slack_bots WHERE enterprise_id = ? AND team_id = ?", (enterprise_id or "", team)
        )
        return Bot(**json.loads(row[0])) if row else None

    async def async_find_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                      user_id: str | None = None,
                                      is_enterprise_install: bool | None = False) -> Installation | None:
        """The user's installation, or the workspace's newest one when ``user_id`` is None."""
        team = "" if is_enterprise_install else team_id or ""
        query = "SELECT data FROM slack_installations WHERE enterprise_id = ? AND team_id = ?"
        args: tuple[str, ...] = (enterprise_id or "", team)
        if user_id is not None:
            query, args = query + " AND user_id = ?", (*args, user_id)
        row = await self._db.fetch_one(query + " ORDER BY installed_at DESC LIMIT 1", args)
        return Installation(**json.loads(row[0])) if row else None

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget the bot token (``tokens_revoked``)."""
        await self._db.execute("DELETE FROM slack_bots WHERE enterprise_id = ? AND team_id = ?",
                               (enterprise_id or "", team_id or ""))

    async def async_delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                                        user_id: str | None = None) -> None:
        """Forget one user's installation, or all of the workspace's when ``user_id`` is None."""
        query = "DELETE FROM slack_installations WHERE enterprise_id = ? AND team_id = ?"
        args: tuple[str, ...] = (enterprise_id or "", team_id or "")
        if user_id is not None:
            query, args = query + " AND user_id = ?", (*args, user_id)
        await self._db.execute(query, args)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Forget everything of a workspace (``app_uninstalled``)."""
        await self.async_delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        await self.async_delete_installation(enterprise_id=enterprise_id, team_id=team_id)
        log.info("slack app uninstalled from team %s", team_id)


class SqlStateStore(AsyncOAuthStateStore):
    """One-time OAuth ``state`` values with an expiry, consumed atomically."""

    def __init__(self, db: Database, *, expiration_seconds: int = 600,
                 now: Callable[[], float] = time.time) -> None:
        self._db = db
        self._ttl = expiration_seconds
        self._now = now

    @property
    def logger(self) -> logging.Logger:
        """The store's logger (slack_sdk asks for it)."""
        return log

    async def async_issue(self, *args: object, **kwargs: object) -> str:
        """A new random state, valid for ``expiration_seconds``."""
        state = secrets.token_urlsafe(24)
        await self._db.execute("INSERT INTO slack_oauth_states (state, expires_at) VALUES (?, ?)",
                               (state, self._now() + self._ttl))
        return state

    async def async_consume(self, state: str) -> bool:
        """True once for a live state; a replay or an expired state gives False."""
        consumed = await self._db.execute(
            "DELETE FROM slack_oauth_states WHERE state = ? AND expires_at > ?", (state, self._now())
        ) == 1
        await self._db.execute("DELETE FROM slack_oauth_states WHERE expires_at <= ?", (self._now(),))
        return consumed
