"""Discord adapter: discord.py client, ``/quiz`` commands, buttons, notifier.

The lead wires :func:`build_discord` into ``bot/app.py``; nothing here runs at import.
"""

from bot.adapters.discord_adapter.runtime import DiscordRuntime, build_discord

__all__ = ["DiscordRuntime", "build_discord"]
