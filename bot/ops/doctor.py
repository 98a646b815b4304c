"""``quizbot doctor``: check a setup before the first start and say how to fix what is wrong.

Unlike ``health`` it needs no running bot and works even when the settings
are invalid, so an admin can run it first. It never prints a token: token
checks name the variable and describe the expected shape only, and a
PostgreSQL URL is shown without its password.
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from bot.engine.errors import ContentError
from bot.ops.health import Check, database_label
from bot.ops.status import head_version, inspect, postgres_schema
from bot.settings import Settings, SettingsError
from bot.storage.database import DatabaseError
from bot.storage.question_bank import YamlQuestionBank

_DISCORD_PART = re.compile(r"^[A-Za-z0-9_-]+$")
_SETTINGS_FIX = "set it in .env or the environment; .env.example lists every setting with its meaning"


def doctor_checks(environ: Mapping[str, str], env_file: Path | None = Path(".env")) -> list[Check]:
    """Every check; those needing valid settings are skipped (and say so) when settings are invalid."""
    merged = {k: v for k, v in (dotenv_values(env_file) if env_file and env_file.is_file() else {}).items() if v}
    merged.update(environ)
    checks = token_checks(merged)
    try:
        settings = Settings.from_env(environ, env_file)
    except SettingsError as exc:
        return [Check("settings", False, str(exc), _SETTINGS_FIX), *checks]
    platforms = ", ".join(settings.platforms) or "none (the console adapter runs)"
    return [
        Check("settings", True, f"valid; platforms: {platforms}"), *checks, _database(settings),
        bank_check(settings.content_dir), timezone_check(settings.default_timezone), *_optional_checks(settings),
    ]


def token_checks(env: Mapping[str, str]) -> list[Check]:
    """The shape of each token that is set: catches a pasted client secret or user token early."""
    checks = []
    discord = env.get("DISCORD_TOKEN", "").strip()
    if discord:
        parts = discord.split(".")
        ok = len(parts) == 3 and all(_DISCORD_PART.match(p) for p in parts)
        checks.append(Check("DISCORD_TOKEN", ok, "has the shape of a bot token" if ok else
                            "is not three dot-separated parts, so it is not a bot token",
                            "Developer Portal > your application > Bot > Reset Token, and copy that token "
                            "(not the client secret or the application id)"))
    for name, prefix, fix in (
        ("SLACK_BOT_TOKEN", "xoxb-", "api.slack.com/apps > your app > OAuth & Permissions > Bot User OAuth Token"),
        ("SLACK_APP_TOKEN", "xapp-", "api.slack.com/apps > your app > Basic Information > App-Level Tokens, "
                                     "with the connections:write scope"),
    ):
        value = env.get(name, "").strip()
        if value:
            ok = value.startswith(prefix)
            checks.append(Check(name, ok, f"starts with {prefix}" if ok else f"does not start with {prefix}", fix))
    if not (discord or env.get("SLACK_BOT_TOKEN", "").strip() or env.get("SLACK_CLIENT_ID", "").strip()):
        checks.append(Check("tokens", True, "none set: the bot plays in the terminal (set DISCORD_TOKEN or "
                                            "SLACK_* to go online)"))
    return checks


def database_check(path: Path) -> Check:
    """Missing is fine (created at start) if its folder can be made; a foreign or newer file is not."""
    if not path.exists():
        ok = _writable_folder(path.parent)
        return Check("database", ok, f"{path} will be created on first start" if ok else
                     f"{path} does not exist and its folder is not writable",
                     "create the folder and give the bot's user write access, or set QUIZBOT_DATABASE_PATH")
    try:
        version = inspect(path).version
    except DatabaseError as exc:
        return Check("database", False, str(exc), "point QUIZBOT_DATABASE_PATH at QuizBot's file; this one is "
                                                  "left untouched")
    head = head_version()
    if version > head:
        return Check("database", False, f"schema version {version} is newer than this code's {head}",
                     "upgrade QuizBot, or restore a backup made by this version")
    if version < head:
        return Check("database", True, f"schema version {version}; migrates to {head} at the next start "
                                       "(run quizbot backup first)")
    return Check("database", True, f"{path} at schema version {head}")


def _database(settings: Settings) -> Check:
    if settings.database_url is None:
        return database_check(settings.database_path)
    return postgres_check(settings.database_url.reveal(), database_label(settings))


def postgres_check(url: str, label: str) -> Check:
    """Reachable with these credentials; empty (migrated at start) or QuizBot's at a version this code runs."""
    try:
        version, tables = postgres_schema(url)
    except DatabaseError as exc:
        return Check("database", False, str(exc), "check QUIZBOT_DATABASE_URL (host, port, database, user and "
                     "password) and that the server runs and accepts this host; `psql URL` tries the same")
    head = head_version("postgres")
    if version == 0 and tables:
        return Check("database", False, f"{label} holds tables QuizBot did not create",
                     "point QUIZBOT_DATABASE_URL at an empty database (CREATE DATABASE quizbot) or QuizBot's")
    if version == 0:
        return Check("database", True, f"{label} is empty; QuizBot creates its tables at first start")
    if version > head:
        return Check("database", False, f"{label} has schema version {version}, newer than this code's {head}",
                     "upgrade QuizBot on every process sharing this database")
    if version < head:
        return Check("database", True, f"{label} at schema version {version}; migrates to {head} at the next "
                                       "start (back it up with pg_dump first)")
    return Check("database", True, f"{label} at schema version {head}")


def bank_check(directory: Path) -> Check:
    """The bank loads and validates, as at start."""
    try:
        bank = YamlQuestionBank.load(directory)
    except ContentError as exc:
        count = len(exc.problems)
        return Check("question bank", False, f"{directory}: {count} problem(s), first: {exc.problems[0]}",
                     "run `quizbot content check` for every problem with file and line, or set QUIZBOT_CONTENT_DIR")
    return Check("question bank", True, f"{len(bank.all())} valid items in {len(bank.topics())} topics")


def timezone_check(default_timezone: str) -> Check:
    """IANA data must be present: servers pick any zone, and slim images have no system zoneinfo."""
    fix = "install the tzdata Python package (a QuizBot dependency): pip install tzdata"
    try:
        for name in ("America/New_York", "Asia/Kolkata", default_timezone):
            ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        return Check("timezone data", False, f"cannot load zone: {exc}", fix)
    source = "tzdata package" if importlib.util.find_spec("tzdata") else "system zoneinfo"
    return Check("timezone data", True, f"available from the {source}; default zone {default_timezone}")


def _optional_checks(settings: Settings) -> list[Check]:
    checks = []
    if settings.backup_dir is not None and settings.database_url is not None:
        checks.append(Check("backups", False, "QUIZBOT_BACKUP_DIR is ignored on PostgreSQL: the bot makes no "
                            "automatic backups there", "unset QUIZBOT_BACKUP_DIR and back the database up with "
                            "pg_dump (or the server's own backups)"))
    elif settings.backup_dir is not None:
        ok = _writable_folder(settings.backup_dir)
        checks.append(Check("backups", ok, f"daily into {settings.backup_dir}, keeping {settings.backup_keep}"
                            if ok else f"{settings.backup_dir} is not writable",
                            "create the folder with write access for the bot's user, or unset QUIZBOT_BACKUP_DIR"))
    if settings.metrics_port is not None:
        ok = importlib.util.find_spec("prometheus_client") is not None
        checks.append(Check("metrics", ok, f"Prometheus endpoint on {settings.metrics_addr}:{settings.metrics_port}"
                            if ok else "prometheus-client is not installed", "pip install prometheus-client"))
    return checks


def _writable_folder(folder: Path) -> bool:
    """True if ``folder`` is writable, or its nearest existing ancestor is (so it can be created)."""
    probe = folder.resolve()
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return probe.is_dir() and os.access(probe, os.W_OK | os.X_OK)
