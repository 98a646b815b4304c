"""Local dates and leaderboard period keys in a server's timezone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.engine.errors import InvalidConfig
from bot.engine.model import Period


def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name`` or raise ``InvalidConfig`` naming it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidConfig(f"Unknown timezone {name!r}; use an IANA name such as Europe/Berlin.") from exc


def local_date(instant: datetime, tz: str) -> date:
    """The calendar date of ``instant`` in ``tz``."""
    return instant.astimezone(zone(tz)).date()


def period_key(period: Period, day: date) -> str:
    """The board bucket ``day`` falls in: ISO week ``w2026-W48``, month ``m2026-11`` or ``all``."""
    if period is Period.WEEK:
        year, week, _ = day.isocalendar()
        return f"w{year}-W{week:02d}"
    if period is Period.MONTH:
        return f"m{day.year}-{day.month:02d}"
    return "all"
