from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.engine.errors import InvalidConfig
from bot.engine.model import Period
from bot.engine.timekeys import local_date, period_key, zone


def test_local_date_follows_the_server_timezone() -> None:
    instant = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)
    assert local_date(instant, "UTC") == date(2026, 11, 24)
    assert local_date(instant, "Asia/Tokyo") == date(2026, 11, 25)
    assert local_date(instant, "America/Los_Angeles") == date(2026, 11, 24)


@pytest.mark.parametrize(
    ("day", "period", "key"),
    [
        (date(2026, 11, 24), Period.WEEK, "w2026-W48"),
        (date(2027, 1, 1), Period.WEEK, "w2026-W53"),  # ISO week belongs to the previous year
        (date(2026, 11, 24), Period.MONTH, "m2026-11"),
        (date(2026, 11, 24), Period.ALL, "all"),
    ],
)
def test_period_keys(day, period, key) -> None:
    assert period_key(period, day) == key


def test_unknown_zone_is_invalid_config() -> None:
    with pytest.raises(InvalidConfig, match="Nowhere/Land"):
        zone("Nowhere/Land")
