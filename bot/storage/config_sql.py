"""Per-server configuration rows (``server_config``), one upsert per change."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.model import ServerConfig, ServerKey
from bot.storage.database import Row
from bot.storage.sql_base import SqlBase, writes

_CONFIG_COLUMNS = (
    "platform, server_id, timezone, channel_id, enabled, post_time, weekdays, reveal_time, topics, domain,"
    " mention_role, practice_on_board, admins"
)
_CONFIG_UPDATE = ", ".join(f"{c.strip()} = excluded.{c.strip()}" for c in _CONFIG_COLUMNS.split(",")[2:])


def _split_list(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def _config(row: Row) -> ServerConfig:
    return ServerConfig(
        server=ServerKey(row["platform"], row["server_id"]), timezone=row["timezone"], channel_id=row["channel_id"],
        enabled=bool(row["enabled"]), post_time=row["post_time"], weekdays=_split_list(row["weekdays"]),
        reveal_time=row["reveal_time"], topics=_split_list(row["topics"]), domain=row["domain"],
        mention_role=row["mention_role"], practice_on_board=bool(row["practice_on_board"]),
        admins=_split_list(row["admins"]),
    )


class ConfigQueries(SqlBase):
    """SQL of server configs."""

    async def get_config(self, server: ServerKey) -> ServerConfig | None:
        """The server's stored config."""
        row = await self._one(
            "SELECT * FROM server_config WHERE platform = ? AND server_id = ?", (server.platform, server.server_id)
        )
        return _config(row) if row else None

    async def enabled_configs(self) -> Sequence[ServerConfig]:
        """Configs of every server whose daily question is on, for the scheduler's rebuild."""
        return [_config(row) for row in await self._all("SELECT * FROM server_config WHERE enabled = 1", ())]

    async def save_config(self, config: ServerConfig) -> None:
        """Insert or replace a server's config in one statement."""
        async with writes():
            await self._run(
                f"INSERT INTO server_config ({_CONFIG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"  # noqa: S608
                f" ON CONFLICT (platform, server_id) DO UPDATE SET {_CONFIG_UPDATE}",
                (
                    config.server.platform, config.server.server_id, config.timezone, config.channel_id,
                    int(config.enabled), config.post_time, ",".join(config.weekdays), config.reveal_time,
                    ",".join(config.topics), config.domain, config.mention_role, int(config.practice_on_board),
                    ",".join(config.admins),
                ),
            )
