"""Typed settings, read once at start from the environment and ``.env``, then passed in.

Precedence: process environment, then ``.env``, then defaults. Our own
settings are prefixed ``QUIZBOT_``; platform credentials keep their usual
names. Tokens are ``Secret``s whose repr is masked, so a settings object can
be logged without leaking them. An invalid value fails at start, naming the
variable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")


class SettingsError(Exception):
    """A setting is invalid; the message names the variable."""


@dataclass(frozen=True)
class Secret:
    """A credential that never shows itself in repr, str or logs."""

    _value: str = field(repr=False)

    def reveal(self) -> str:
        """The raw secret, for the SDK call that needs it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    database_path: Path = Path("./data/quizbot.db")
    database_url: Secret | None = None  # postgresql://…; SQLite at database_path when unset
    content_dir: Path = Path("./content")
    log_level: str = "INFO"
    default_timezone: str = "UTC"
    console_user: str = "you"
    discord_token: Secret | None = None
    discord_dev_guild_id: str | None = None
    slack_bot_token: Secret | None = None
    slack_app_token: Secret | None = None
    slack_signing_secret: Secret | None = None
    slack_client_id: str | None = None
    slack_client_secret: Secret | None = None
    slack_port: int = 3000
    log_format: str = "text"
    backup_dir: Path | None = None
    backup_keep: int = 7
    metrics_port: int | None = None
    metrics_addr: str = "127.0.0.1"
    discord_shards: int | Literal["auto"] | None = None
    discord_shard_ids: tuple[int, ...] | None = None

    def secret_values(self) -> tuple[str, ...]:
        """The raw credentials, so the log formatter can redact them wherever they turn up."""
        secrets = (self.database_url, self.discord_token, self.slack_bot_token, self.slack_app_token,
                   self.slack_signing_secret, self.slack_client_secret)
        values = [s.reveal() for s in secrets if s is not None]
        password = urlsplit(self.database_url.reveal()).password if self.database_url else None
        return (*values, password) if password else tuple(values)

    @property
    def platforms(self) -> tuple[str, ...]:
        """Platforms whose credentials are set; the console runs when this is empty."""
        found = []
        if self.discord_token:
            found.append("discord")
        oauth = bool(self.slack_client_id and self.slack_client_secret and self.slack_signing_secret)
        if oauth or (self.slack_bot_token and (self.slack_app_token or self.slack_signing_secret)):
            found.append("slack")
        return tuple(found)

    @classmethod
    def from_env(cls, environ: Mapping[str, str], env_file: Path | None = Path(".env")) -> Settings:
        """Build settings from ``environ`` over ``env_file``; raise ``SettingsError`` naming a bad variable."""
        merged: dict[str, str] = {}
        if env_file is not None and env_file.is_file():
            merged.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        merged.update(environ)

        def get(name: str) -> str | None:
            value = merged.get(name, "").strip()
            return value or None

        def secret(name: str) -> Secret | None:
            value = get(name)
            return Secret(value) if value else None

        level = (get("QUIZBOT_LOG_LEVEL") or "INFO").upper()
        if level not in LOG_LEVELS:
            raise SettingsError(f"QUIZBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
        tz = get("QUIZBOT_DEFAULT_TIMEZONE") or "UTC"
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"QUIZBOT_DEFAULT_TIMEZONE {tz!r} is not an IANA timezone") from exc
        guild = get("DISCORD_DEV_GUILD_ID")
        if guild is not None and not guild.isdigit():
            raise SettingsError("DISCORD_DEV_GUILD_ID must be a numeric guild id")
        slack_bot = secret("SLACK_BOT_TOKEN")
        if slack_bot and not (get("SLACK_APP_TOKEN") or get("SLACK_SIGNING_SECRET")):
            raise SettingsError("SLACK_BOT_TOKEN is set: also set SLACK_APP_TOKEN (Socket Mode) "
                                "or SLACK_SIGNING_SECRET (HTTP mode)")
        if bool(get("SLACK_CLIENT_ID")) != bool(get("SLACK_CLIENT_SECRET")):
            raise SettingsError("SLACK_CLIENT_ID and SLACK_CLIENT_SECRET go together (OAuth installs)")
        if get("SLACK_CLIENT_ID") and not get("SLACK_SIGNING_SECRET"):
            raise SettingsError("SLACK_CLIENT_ID is set: OAuth installs need HTTP mode, so set SLACK_SIGNING_SECRET")
        port_text = get("QUIZBOT_SLACK_PORT") or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"QUIZBOT_SLACK_PORT must be a port number 1-65535, not {port_text!r}")
        ops = _ops_settings(get)
        url = get("QUIZBOT_DATABASE_URL")
        if url is not None and not url.startswith(("postgresql://", "postgres://")):
            raise SettingsError("QUIZBOT_DATABASE_URL must be a postgresql://user:password@host:port/dbname URL;"
                                " leave it unset to use the SQLite file at QUIZBOT_DATABASE_PATH")
        return cls(
            database_path=Path(get("QUIZBOT_DATABASE_PATH") or cls.database_path),
            database_url=Secret(url) if url else None,
            content_dir=Path(get("QUIZBOT_CONTENT_DIR") or cls.content_dir),
            log_level=level,
            default_timezone=tz,
            console_user=get("QUIZBOT_CONSOLE_USER") or cls.console_user,
            discord_token=secret("DISCORD_TOKEN"),
            discord_dev_guild_id=guild,
            slack_bot_token=slack_bot,
            slack_app_token=secret("SLACK_APP_TOKEN"),
            slack_signing_secret=secret("SLACK_SIGNING_SECRET"),
            slack_client_id=get("SLACK_CLIENT_ID"),
            slack_client_secret=secret("SLACK_CLIENT_SECRET"),
            slack_port=int(port_text),
            **ops,
            **_discord_shard_settings(get),
        )


def _ops_settings(get: Callable[[str], str | None]) -> dict[str, Any]:
    """Logging format, backups and metrics; each off or at its default when unset."""
    fmt = (get("QUIZBOT_LOG_FORMAT") or "text").lower()
    if fmt not in LOG_FORMATS:
        raise SettingsError(f"QUIZBOT_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {fmt!r}")
    keep_text = get("QUIZBOT_BACKUP_KEEP") or "7"
    if not keep_text.isdigit() or int(keep_text) < 1:
        raise SettingsError(f"QUIZBOT_BACKUP_KEEP must be a whole number of at least 1, not {keep_text!r}")
    metrics_text = get("QUIZBOT_METRICS_PORT")
    if metrics_text is not None and (not metrics_text.isdigit() or not 0 < int(metrics_text) < 65536):
        raise SettingsError(f"QUIZBOT_METRICS_PORT must be a port number 1-65535, not {metrics_text!r}")
    backup_dir = get("QUIZBOT_BACKUP_DIR")
    return {
        "log_format": fmt,
        "backup_dir": Path(backup_dir) if backup_dir else None,
        "backup_keep": int(keep_text),
        "metrics_port": int(metrics_text) if metrics_text else None,
        "metrics_addr": get("QUIZBOT_METRICS_ADDR") or "127.0.0.1",
    }


def _discord_shard_settings(get: Callable[[str], str | None]) -> dict[str, Any]:
    """Shard count and this process's shard ids; unset means discord.py's single connection."""
    count_text = get("QUIZBOT_DISCORD_SHARDS")
    ids_text = get("QUIZBOT_DISCORD_SHARD_IDS")
    shards: int | Literal["auto"] | None = None
    if count_text is not None and count_text.lower() == "auto":
        shards = "auto"
    elif count_text is not None:
        if not count_text.isdecimal() or int(count_text) < 1:
            raise SettingsError(f"QUIZBOT_DISCORD_SHARDS must be auto or a whole number of at least 1,"
                                f" not {count_text!r}")
        shards = int(count_text)
    if ids_text is None:
        return {"discord_shards": shards, "discord_shard_ids": None}
    if not isinstance(shards, int):
        # Processes that split shards must agree on the total, so "auto" (asked per process) is refused.
        raise SettingsError("QUIZBOT_DISCORD_SHARD_IDS needs QUIZBOT_DISCORD_SHARDS set to the total number of shards"
                            " (a number, the same in every process)")
    return {"discord_shards": shards, "discord_shard_ids": _shard_ids(ids_text, shards)}


def _shard_ids(text: str, count: int) -> tuple[int, ...]:
    """Parse ``0-3`` or ``0,2,5-7`` into sorted ids, each below ``count`` and listed once."""
    ids: list[int] = []
    for part in text.split(","):
        low, dash, high = part.strip().partition("-")
        if not low.strip().isdecimal() or (dash and not high.strip().isdecimal()):
            raise SettingsError(f"QUIZBOT_DISCORD_SHARD_IDS must be ids and ranges like 0-3 or 0,2,5-7, not {text!r}")
        first, last = int(low), int(high) if dash else int(low)
        if first > last:
            raise SettingsError(f"QUIZBOT_DISCORD_SHARD_IDS has the backwards range {part.strip()!r}")
        if last >= count:
            raise SettingsError(f"QUIZBOT_DISCORD_SHARD_IDS lists shard {last}, but QUIZBOT_DISCORD_SHARDS={count}"
                                f" has ids 0-{count - 1}")
        ids.extend(range(first, last + 1))
    if len(set(ids)) < len(ids):
        raise SettingsError(f"QUIZBOT_DISCORD_SHARD_IDS lists a shard more than once: {text!r}")
    return tuple(sorted(ids))


def log_summary(settings: Settings, log: logging.Logger) -> None:
    """Log what was configured; secrets show as masked."""
    log.info("settings: %r", settings)
