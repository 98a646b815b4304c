"""Restart at every minute from five before to five after a post time: one post per server per local date.

Each case runs ``quizbot simulate``'s engine (real SQLite, real APScheduler
triggers in simulated time) with a process restart at the given minute; the
restart drops every in-memory job and rebuilds from the database, then
catches up. Covered: an ordinary day, both 01:30s of the US fall-back night
(the double fire), the spring-forward gap, and a process that restarts every
minute across the post time.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.scheduling.lifecycle import Event
from bot.scheduling.simulate import SimulationPlan, simulate
from tests.conftest import FIXTURE_BANK

MINUTES = range(-5, 6)
NY = "America/New_York"
# (first simulated instant, days, post time, the post instants to restart around, local dates expected)
SCENARIOS = {
    "ordinary-day": (datetime(2026, 11, 23, 12, 0, tzinfo=UTC), 3, "09:00",
                     (datetime(2026, 11, 24, 14, 0, tzinfo=UTC),), date(2026, 11, 23)),
    "fall-back-first-0130": (datetime(2026, 10, 30, 12, 0, tzinfo=UTC), 3, "01:30",
                             (datetime(2026, 11, 1, 5, 30, tzinfo=UTC),), date(2026, 10, 31)),
    "fall-back-second-0130": (datetime(2026, 10, 30, 12, 0, tzinfo=UTC), 3, "01:30",
                              (datetime(2026, 11, 1, 6, 30, tzinfo=UTC),), date(2026, 10, 31)),
    "spring-forward-gap": (datetime(2026, 3, 6, 12, 0, tzinfo=UTC), 3, "02:30",
                           (datetime(2026, 3, 8, 7, 30, tzinfo=UTC),), date(2026, 3, 7)),
}


async def run(start: datetime, days: int, post_time: str, restarts: tuple[datetime, ...]) -> tuple[list[Event], list]:
    events: list[Event] = []
    plan = SimulationPlan(start=start, days=days, servers=2, timezone=NY, post_time=post_time, weekdays="mon-sun",
                          restarts=restarts, seed=5)
    notifier = await simulate(plan, FIXTURE_BANK, events.append)
    return events, notifier.posts


def assert_one_post_per_server_per_day(events: list[Event], sent: list, first_day: date, days: int) -> None:
    posts = [e for e in events if e.event == "post"]
    per_day = Counter((e.server.server_id, e.local_date) for e in posts)
    expected = {(f"server-{n}", first_day + timedelta(days=d)) for n in (1, 2) for d in range(days)}
    assert set(per_day) == expected, sorted(set(per_day) ^ expected)
    assert set(per_day.values()) == {1}, per_day
    # What the platform received agrees with the events: one message per server and date, no resend.
    assert len(sent) == len(posts) == len({(server, round_id) for server, round_id, _q in sent})


CASES = [pytest.param(scenario, minute) for scenario in sorted(SCENARIOS) for minute in MINUTES]


@pytest.mark.parametrize(("scenario", "minute"), CASES)
async def test_restart_at_each_minute_around_the_post_time(scenario: str, minute: int) -> None:
    start, days, post_time, around, first_day = SCENARIOS[scenario]
    restarts = tuple(at + timedelta(minutes=minute) for at in around)
    events, sent = await run(start, days, post_time, restarts)
    assert_one_post_per_server_per_day(events, sent, first_day, days)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
async def test_a_process_restarting_every_minute_across_the_post_time(scenario: str) -> None:
    start, days, post_time, around, first_day = SCENARIOS[scenario]
    restarts = tuple(at + timedelta(minutes=m) for at in around for m in MINUTES)
    events, sent = await run(start, days, post_time, restarts)
    assert_one_post_per_server_per_day(events, sent, first_day, days)
