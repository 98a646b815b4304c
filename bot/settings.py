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
from typing import Any
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

    def secret_values(self) -> tuple[str, ...]:
        """The raw credentials, so the log formatter can redact them wherever they turn up."""
        secrets = (self.discord_token, self.slack_bot_token, self.slack_app_token, self.slack_signing_secret,
                   self.slack_client_secret)
        return tuple(s.reveal() for s in secrets if s is not None)

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
        return cls(
            database_path=Path(get("QUIZBOT_DATABASE_PATH") or cls.database_path),
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


def log_summary(settings: Settings, log: logging.Logger) -> None:
    """Log what was configured; secrets show as masked."""
    log.info("settings: %r", settings)
