"""Parsing and validating per-server settings typed by admins.

Adapters pass the raw option name and text; the rules for what is valid live
here so Discord, Slack and the console refuse the same things the same way.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.engine.errors import InvalidConfig
from bot.engine.model import WEEKDAYS, ServerConfig
from bot.engine.timekeys import zone

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_TRUE = {"on", "true", "yes", "enable", "enabled", "1"}
_FALSE = {"off", "false", "no", "disable", "disabled", "0"}
SETTINGS = (
    "channel", "time", "timezone", "weekdays", "reveal", "topics", "domain",
    "enabled", "mention_role", "practice_on_board", "admins",
)


def parse_time(text: str) -> str:
    """Normalise ``9:05`` to ``09:05``; reject anything that is not HH:MM."""
    match = _TIME.match(text.strip())
    if not match:
        raise InvalidConfig(f"{text!r} is not a time; use 24-hour HH:MM such as 09:30.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def parse_weekdays(text: str) -> tuple[str, ...]:
    """Accept ``mon-fri``, ``mon,wed,fri``, ``weekdays``, ``daily``; return them in week order."""
    spec = text.strip().lower()
    if spec in {"daily", "every day", "all", "mon-sun"}:
        return WEEKDAYS
    if spec in {"weekdays", "workdays"}:
        return WEEKDAYS[:5]
    days: set[str] = set()
    for part in filter(None, (p.strip() for p in spec.split(","))):
        first, _, last = part.partition("-")
        first, last = first[:3], (last or first)[:3]
        if first not in WEEKDAYS or last not in WEEKDAYS:
            raise InvalidConfig(f"{part!r} is not a weekday; use mon..sun, e.g. mon-fri or mon,wed,fri.")
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last)
        span = range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)]
        days.update(WEEKDAYS[i] for i in span)
    if not days:
        raise InvalidConfig("Give at least one weekday, e.g. mon-fri.")
    return tuple(d for d in WEEKDAYS if d in days)


def parse_bool(name: str, text: str) -> bool:
    """Read on/off style switches."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InvalidConfig(f"{name} takes on or off, not {text!r}.")


def parse_domain(text: str) -> int | None:
    """A domain number 1-4, or ``any`` to clear the filter."""
    value = text.strip().lower()
    if value in {"", "any", "all", "none"}:
        return None
    if value in {"1", "2", "3", "4"}:
        return int(value)
    raise InvalidConfig(f"Domain must be 1, 2, 3, 4 or any, not {text!r}.")


def parse_topics(text: str, known: frozenset[str]) -> tuple[str, ...]:
    """Comma-separated topic slugs from the bank, or ``any``."""
    value = text.strip().lower()
    if value in {"", "any", "all", "none"}:
        return ()
    topics = tuple(sorted({t.strip() for t in value.split(",") if t.strip()}))
    unknown = [t for t in topics if t not in known]
    if unknown:
        raise InvalidConfig(f"Unknown topic {', '.join(unknown)}; see the topic list in /quiz help.")
    return topics


def apply_setting(config: ServerConfig, name: str, text: str, known_topics: frozenset[str]) -> ServerConfig:
    """Return ``config`` with setting ``name`` set from ``text``; raise ``InvalidConfig`` if invalid."""
    key = name.strip().lower().replace("-", "_")
    value = text.strip()
    if key == "channel":
        return replace(config, channel_id=value or None)
    if key == "time":
        return replace(config, post_time=parse_time(value))
    if key == "timezone":
        zone(value)
        return replace(config, timezone=value)
    if key == "weekdays":
        return replace(config, weekdays=parse_weekdays(value))
    if key == "reveal":
        lowered = value.lower()
        next_post = lowered in {"", "next", "next post", "default"}
        return replace(config, reveal_time=None if next_post else parse_time(value))
    if key == "topics":
        return replace(config, topics=parse_topics(value, known_topics))
    if key == "domain":
        return replace(config, domain=parse_domain(value))
    if key == "enabled":
        return replace(config, enabled=parse_bool("enabled", value))
    if key == "mention_role":
        return replace(config, mention_role=value or None)
    if key == "practice_on_board":
        return replace(config, practice_on_board=parse_bool("practice_on_board", value))
    if key == "admins":
        admins = tuple(sorted({a.strip() for a in value.split(",") if a.strip()}))
        return replace(config, admins=admins)
    raise InvalidConfig(f"Unknown setting {name!r}; settings are: {', '.join(SETTINGS)}.")
