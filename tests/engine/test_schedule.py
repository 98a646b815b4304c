from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.engine.model import ServerConfig, ServerKey
from bot.engine.schedule import due_today, is_scheduled, next_post, post_instant, reveal_instant

NY = ServerConfig(server=ServerKey("sim", "1"), timezone="America/New_York", enabled=True, channel_id="c",
                  post_time="02:30", weekdays=("mon", "tue", "wed", "thu", "fri"))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_spring_forward_gap_posts_once_at_the_shifted_time() -> None:
    # 02:30 does not exist on 2026-03-08 in New York; CronTrigger fires at 03:30 EDT = 07:30 UTC.
    assert post_instant(NY, date(2026, 3, 8)) == utc("2026-03-08T07:30")


def test_fall_back_ambiguous_time_is_the_first_occurrence() -> None:
    config = ServerConfig(server=NY.server, timezone=NY.timezone, post_time="01:30")
    assert post_instant(config, date(2026, 11, 1)) == utc("2026-11-01T05:30")


def test_weekdays_and_next_post_skip_the_weekend() -> None:
    assert is_scheduled(NY, date(2026, 11, 27)) and not is_scheduled(NY, date(2026, 11, 28))
    day, instant = next_post(NY, utc("2026-11-27T08:00"))  # Friday 03:00 local, after the post
    assert day == date(2026, 11, 30) and instant == utc("2026-11-30T07:30")
    assert next_post(ServerConfig(server=NY.server, timezone="UTC", weekdays=()), utc("2026-11-27T08:00")) is None


def test_due_today_only_within_the_window_on_a_scheduled_day() -> None:
    grace = timedelta(hours=2)
    assert due_today(NY, utc("2026-11-24T08:00"), grace) == date(2026, 11, 24)
    assert due_today(NY, utc("2026-11-24T07:00"), grace) is None  # not due yet
    assert due_today(NY, utc("2026-11-24T10:00"), grace) is None  # missed by more than the window
    assert due_today(NY, utc("2026-11-28T08:00"), grace) is None  # Saturday


def test_reveal_defaults_to_next_post_or_24_hours() -> None:
    monday = utc("2026-11-23T07:30")
    assert reveal_instant(NY, date(2026, 11, 23), monday) == utc("2026-11-24T07:30")
    friday = utc("2026-11-27T07:30")
    assert reveal_instant(NY, date(2026, 11, 27), friday) == friday + timedelta(hours=24)


def test_reveal_at_a_time_the_same_day_or_24_hours_when_already_past() -> None:
    config = ServerConfig(server=NY.server, timezone=NY.timezone, post_time="09:00", reveal_time="17:00")
    posted = utc("2026-11-24T14:00")
    assert reveal_instant(config, date(2026, 11, 24), posted) == utc("2026-11-24T22:00")
    late = utc("2026-11-24T23:00")  # posted after 17:00 local (a catch-up)
    assert reveal_instant(config, date(2026, 11, 24), late) == late + timedelta(hours=24)
