"""The discord.py client: command tree, restart-safe components, command sync by hash.

Commands are synced only when the JSON of the tree changes (its hash is kept
in the database's meta table), because Discord allows 200 command creates per
day per guild; the owner-only ``/quizbot-sync`` forces a sync. With a dev guild
id the commands are synced to that guild only, where changes show at once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord
from discord import app_commands

from bot.adapters.discord_adapter.commands import QuizGroup
from bot.adapters.discord_adapter.components import DYNAMIC_ITEMS
from bot.adapters.discord_adapter.deps import QuizDeps
from bot.adapters.discord_adapter.errors import NotOwner, handle_error
from bot.adapters.discord_adapter.exam_components import EXAM_ITEMS
from bot.adapters.discord_adapter.meta import MetaStore

log = logging.getLogger(__name__)

INVITE_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True,
                                         read_message_history=True)
INVITE_SCOPES = ("bot", "applications.commands")


def tree_hash(tree: app_commands.CommandTree[Any]) -> str:
    """A stable digest of the command payloads Discord would receive."""
    payload = [command.to_dict(tree) for command in tree.get_commands()]
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class QuizClient(discord.Client):
    """A ``discord.Client`` with no privileged intents, the ``/quiz`` tree and the quiz dependencies."""

    def __init__(self, quiz: QuizDeps, store: MetaStore, *, dev_guild_id: str | None,
                 **options: Any) -> None:  # noqa: ANN401 - discord.py types its options with a private TypedDict
        # ``options`` carries shard_count/shard_ids when ShardedQuizClient puts AutoShardedClient below us.
        super().__init__(intents=discord.Intents(guilds=True), **options)
        self.quiz = quiz
        self._store = store
        self._dev_guild = discord.Object(int(dev_guild_id)) if dev_guild_id else None
        self.tree: app_commands.CommandTree[QuizClient] = app_commands.CommandTree(self)
        self.tree.on_error = handle_error  # type: ignore[method-assign]
        self.tree.add_command(QuizGroup())
        self.tree.add_command(resync)

    async def setup_hook(self) -> None:
        """Before any event: register components, sync commands if they changed, log the invite URL."""
        self.add_dynamic_items(*DYNAMIC_ITEMS, *EXAM_ITEMS)
        await self.sync_commands(force=False)
        if self.application_id is not None:
            url = discord.utils.oauth_url(self.application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)
            log.info("invite QuizBot with %s", url)

    async def sync_commands(self, *, force: bool) -> bool:
        """Sync the tree when its hash differs from the stored one (or when forced); True if synced."""
        scope = f"guild:{self._dev_guild.id}" if self._dev_guild else "global"
        key = f"discord:command_hash:{scope}"
        digest = tree_hash(self.tree)
        if not force and await self._store.get_meta(key) == digest:
            log.info("slash commands unchanged (%s); not syncing", scope)
            return False
        if self._dev_guild is not None:
            self.tree.copy_global_to(guild=self._dev_guild)
        synced = await self.tree.sync(guild=self._dev_guild)
        await self._store.set_meta(key, digest)
        log.info("synced %d slash commands (%s)", len(synced), scope)
        return True

    def is_app_owner(self, user: discord.abc.User) -> bool:
        """The application's owner, or a member of its owning team."""
        app = self.application
        if app is None:
            return False
        if app.team is not None:
            return any(member.id == user.id for member in app.team.members)
        return app.owner.id == user.id


@app_commands.command(name="quizbot-sync", description="Owner only: push the slash commands to Discord again")
@app_commands.default_permissions(administrator=True)
async def resync(interaction: discord.Interaction[QuizClient]) -> None:
    """Force a command sync, for when Discord shows stale commands."""
    if not interaction.client.is_app_owner(interaction.user):
        raise NotOwner()
    await interaction.response.defer(ephemeral=True, thinking=True)
    await interaction.client.sync_commands(force=True)
    await interaction.edit_original_response(content="Slash commands synced.")
