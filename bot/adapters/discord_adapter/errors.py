"""The one error path of the Discord adapter.

Policy, in order: a ``QuizError`` is the engine refusing something and its
message is shown privately; a failed permission check gets a clear private
refusal; anything else is a bug, logged with the interaction's context, and the
user gets a short apology instead of Discord's "This interaction failed".
``tree.on_error``, the component base class and the report modal all call
:func:`handle_error`.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands

from bot.engine.errors import QuizError

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again later."
ADMIN_ONLY = "That is for admins: it needs the **Manage Server** permission."
OWNER_ONLY = "Only the bot's owner can do that."


class NotOwner(app_commands.CheckFailure):
    """The owner-only resync was called by someone else."""


def unwrap(error: BaseException) -> BaseException:
    """The exception a handler raised, without discord.py's invoke/transform wrappers."""
    while isinstance(error, app_commands.CommandInvokeError | app_commands.TransformerError) and error.__cause__:
        error = error.__cause__
    return error


def user_message(error: BaseException) -> str | None:
    """The text to show for an expected error, or None for a bug."""
    if isinstance(error, QuizError):
        return str(error)
    if isinstance(error, app_commands.MissingPermissions):
        return ADMIN_ONLY
    if isinstance(error, NotOwner):
        return OWNER_ONLY
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command only works in a server."
    return None


def context(interaction: discord.Interaction[Any]) -> str:
    """Where an interaction came from, for the log line (ids only, never tokens)."""
    data: Any = interaction.data or {}
    what = interaction.command.qualified_name if interaction.command else data.get("custom_id", "?")
    return f"{what!s} user={interaction.user.id} guild={interaction.guild_id} channel={interaction.channel_id}"


async def handle_error(interaction: discord.Interaction[Any], error: BaseException) -> None:
    """Answer a failed interaction privately; log anything that is not an expected refusal."""
    error = unwrap(error)
    text = user_message(error)
    if text is None:
        log.error("interaction failed: %s", context(interaction), exc_info=error,
                  extra={"interaction_id": str(interaction.id)})
        text = APOLOGY
    try:
        await reply(interaction, text)
    except discord.HTTPException:
        log.warning("could not deliver the error reply for %s", context(interaction),
                    extra={"interaction_id": str(interaction.id)})


MESSAGE_LIMIT = 2000


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Fit Discord's message limit: an error may echo what the user typed, at any length."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def reply(interaction: discord.Interaction[Any], text: str) -> None:
    """Send ``text`` privately whether or not the interaction was acknowledged already.

    Every handler defers ephemerally first, so after a deferral the private
    "thinking" message is edited; after any other response a private follow-up is sent.
    """
    text = clip(text)
    response_type = interaction.response.type
    if response_type is None:
        await interaction.response.send_message(text, ephemeral=True)
    elif response_type is discord.InteractionResponseType.deferred_channel_message:
        await interaction.edit_original_response(content=text, embed=None, view=None)
    else:
        await interaction.followup.send(text, ephemeral=True)
