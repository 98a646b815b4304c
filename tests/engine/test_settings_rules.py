from __future__ import annotations

import pytest

from bot.engine.errors import InvalidConfig
from bot.engine.model import ServerConfig, ServerKey
from bot.engine.settings_rules import apply_setting, parse_time, parse_weekdays

BASE = ServerConfig(server=ServerKey("console", "local"), timezone="UTC")
TOPICS = frozenset({"sqs", "sns"})


@pytest.mark.parametrize(("text", "expected"), [("9:05", "09:05"), ("23:59", "23:59"), ("00:00", "00:00")])
def test_parse_time(text, expected) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "9", "nine", "12:60", ""])
def test_parse_time_rejects(text) -> None:
    with pytest.raises(InvalidConfig, match="HH:MM"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon-fri", ("mon", "tue", "wed", "thu", "fri")),
        ("fri,mon", ("mon", "fri")),
        ("daily", ("mon", "tue", "wed", "thu", "fri", "sat", "sun")),
        ("sat-mon", ("mon", "sat", "sun")),
        ("Monday,Wednesday", ("mon", "wed")),
    ],
)
def test_parse_weekdays(text, expected) -> None:
    assert parse_weekdays(text) == expected


def test_parse_weekdays_rejects_unknown_day() -> None:
    with pytest.raises(InvalidConfig, match="not a weekday"):
        parse_weekdays("mon,funday")


def test_apply_setting_sets_each_field() -> None:
    config = BASE
    for name, value in [("channel", "C1"), ("time", "7:30"), ("timezone", "America/New_York"),
                        ("weekdays", "mon,wed"), ("reveal", "18:00"), ("topics", "sqs"), ("domain", "2"),
                        ("enabled", "on"), ("practice-on-board", "yes"), ("mention_role", "R1")]:
        config = apply_setting(config, name, value, TOPICS)
    assert (config.channel_id, config.post_time, config.timezone) == ("C1", "07:30", "America/New_York")
    assert (config.weekdays, config.reveal_time, config.topics) == (("mon", "wed"), "18:00", ("sqs",))
    assert (config.domain, config.enabled, config.practice_on_board, config.mention_role) == (2, True, True, "R1")
    assert apply_setting(config, "reveal", "next", TOPICS).reveal_time is None
    assert apply_setting(config, "domain", "any", TOPICS).domain is None


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("timezone", "Mars/Olympus", "Unknown timezone 'Mars/Olympus'"),
        ("topics", "sqs,kinesis", "Unknown topic kinesis"),
        ("domain", "5", "Domain must be"),
        ("enabled", "maybe", "on or off"),
        ("colour", "blue", "Unknown setting 'colour'"),
    ],
)
def test_apply_setting_refuses_bad_values(name, value, message) -> None:
    with pytest.raises(InvalidConfig, match=message):
        apply_setting(BASE, name, value, TOPICS)
