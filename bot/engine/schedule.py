"""When a server's daily question posts and reveals, in its own timezone.

Pure date arithmetic over ``ServerConfig``; the scheduler and the simulator
both ask these functions, so what an operator previews is what runs.

Wall times that do not exist (spring-forward gap) resolve the way
APScheduler's CronTrigger fires them: 02:30 on a 02:00→03:00 night posts at
03:30 local. Wall times that exist twice (fall-back) mean the first one; the
per-day claim makes a second fire a no-op.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.engine.model import WEEKDAYS, ServerConfig
from bot.engine.timekeys import zone

DEFAULT_REVEAL_AFTER = timedelta(hours=24)


def _wall(text: str) -> time:
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def is_scheduled(config: ServerConfig, day: date) -> bool:
    """True when ``day`` is one of the server's posting weekdays."""
    return WEEKDAYS[day.weekday()] in config.weekdays


def at_local(day: date, wall: str, tz: str) -> datetime:
    """The UTC instant of wall time ``wall`` on ``day`` in ``tz`` (gap times shift forward)."""
    # fold=0: an ambiguous time is its first occurrence; a non-existent one takes the
    # pre-transition offset, which lands after the gap, as CronTrigger fires it.
    return datetime.combine(day, _wall(wall), tzinfo=zone(tz)).astimezone(UTC)


def post_instant(config: ServerConfig, day: date) -> datetime:
    """When the question of local date ``day`` is due."""
    return at_local(day, config.post_time, config.timezone)


def next_post(config: ServerConfig, after: datetime) -> tuple[date, datetime] | None:
    """The first scheduled (local date, instant) strictly after ``after``; None without weekdays."""
    start = after.astimezone(zone(config.timezone)).date()
    for offset in range(0, 9):
        day = start + timedelta(days=offset)
        if is_scheduled(config, day):
            instant = post_instant(config, day)
            if instant > after:
                return day, instant
    return None


def due_today(config: ServerConfig, now: datetime, grace: timedelta) -> date | None:
    """The local date whose post is due and still within ``grace``, for catch-up after a restart."""
    today = now.astimezone(zone(config.timezone)).date()
    if not is_scheduled(config, today):
        return None
    due = post_instant(config, today)
    return today if due <= now < due + grace else None


def reveal_instant(config: ServerConfig, day: date, posted_at: datetime) -> datetime:
    """When the question of ``day`` is revealed.

    With a reveal time, at that time on the same local day (or 24 h after the
    post if that time was already past when it posted); by default at the next
    scheduled post or 24 h after posting, whichever comes first.
    """
    fallback = posted_at + DEFAULT_REVEAL_AFTER
    if config.reveal_time is not None:
        same_day = at_local(day, config.reveal_time, config.timezone)
        return same_day if same_day > posted_at else fallback
    upcoming = next_post(config, posted_at)
    return min(upcoming[1], fallback) if upcoming else fallback
