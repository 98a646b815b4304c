"""``quizbot simulate``: exactly one post per server per scheduled local date across DST and restarts."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.scheduling.lifecycle import Event
from bot.scheduling.simulate import SimulationPlan, event_json, simulate
from tests.conftest import ROOT
from tests.test_cli import quizbot

CONTENT = ROOT / "content"
NY = ZoneInfo("America/New_York")


async def run(plan: SimulationPlan) -> list[dict]:
    events: list[Event] = []
    await simulate(plan, CONTENT, events.append)
    return [json.loads(event_json(e)) for e in events if e.event in {"post", "reveal", "skip"}]


def check_invariants(events: list[dict], plan: SimulationPlan, expected_days: list[date]) -> None:
    posts = [e for e in events if e["event"] == "post"]
    per_server_day = Counter((e["server"], e["local_date"]) for e in posts)
    assert all(count == 1 for count in per_server_day.values()), per_server_day
    for n in range(1, plan.servers + 1):
        days = sorted(d for (s, d) in per_server_day if s == f"sim:server-{n}")
        assert days == [d.isoformat() for d in expected_days]
    posted_at = {(e["server"], e["local_date"]): e["at"] for e in posts}
    for reveal in (e for e in events if e["event"] == "reveal"):
        assert reveal["at"] > posted_at[(reveal["server"], reveal["local_date"])]
    by_server = defaultdict(list)
    for e in posts:
        by_server[e["server"]].append(e["question_id"])
    for questions in by_server.values():
        assert len(questions) == len(set(questions))


def local_days(first: date, count: int) -> list[date]:
    return [first + timedelta(days=i) for i in range(count)]


async def test_fall_back_week_posts_once_per_day_and_the_double_fire_is_skipped() -> None:
    plan = SimulationPlan(start=datetime(2026, 10, 28, 12, 0, tzinfo=UTC), days=14, servers=3,
                          timezone="America/New_York", post_time="01:30", weekdays="mon-sun", seed=1)
    events = await run(plan)
    check_invariants(events, plan, local_days(date(2026, 10, 29), 14))
    skips = [e for e in events if e["event"] == "skip"]
    assert {(e["local_date"], e["at"]) for e in skips} == {("2026-11-01", "2026-11-01T06:30:00Z")}
    assert len(skips) == 3
    nov1 = [e["at"] for e in events if e["event"] == "post" and e["local_date"] == "2026-11-01"]
    assert set(nov1) == {"2026-11-01T05:30:00Z"}  # 01:30 EDT, the first 01:30


async def test_spring_forward_gap_posts_once_at_the_shifted_time() -> None:
    plan = SimulationPlan(start=datetime(2026, 3, 6, 12, 0, tzinfo=UTC), days=4, servers=1,
                          timezone="America/New_York", post_time="02:30", weekdays="mon-sun")
    events = await run(plan)
    check_invariants(events, plan, local_days(date(2026, 3, 7), 4))
    march8 = [e["at"] for e in events if e["event"] == "post" and e["local_date"] == "2026-03-08"]
    assert march8 == ["2026-03-08T07:30:00Z"]


@pytest.mark.parametrize("offset_minutes", [-2, -1, 0, 1, 2, 30])
async def test_restart_around_post_time_still_posts_exactly_once(offset_minutes: int) -> None:
    post_at = datetime(2026, 11, 2, 6, 30, tzinfo=UTC)  # 01:30 EST
    restarts = (post_at + timedelta(minutes=offset_minutes), post_at + timedelta(days=1, minutes=offset_minutes))
    plan = SimulationPlan(start=datetime(2026, 10, 31, 12, 0, tzinfo=UTC), days=5, servers=2,
                          timezone="America/New_York", post_time="01:30", weekdays="mon-sun", restarts=restarts)
    events = await run(plan)
    check_invariants(events, plan, local_days(date(2026, 11, 1), 5))


async def test_restart_during_downtime_over_post_time_catches_up_within_the_window() -> None:
    plan = SimulationPlan(start=datetime(2026, 11, 23, 0, 0, tzinfo=UTC), days=3, servers=1, timezone="UTC",
                          post_time="09:00", weekdays="mon-fri",
                          restarts=(datetime(2026, 11, 24, 9, 45, tzinfo=UTC),))
    events = await run(plan)
    check_invariants(events, plan, local_days(date(2026, 11, 23), 3))
    tuesday = [e["at"] for e in events if e["event"] == "post" and e["local_date"] == "2026-11-24"]
    assert tuesday == ["2026-11-24T09:00:00Z"]


async def test_weekdays_and_reveal_time_are_respected() -> None:
    plan = SimulationPlan(start=datetime(2026, 11, 23, 0, 0, tzinfo=UTC), days=7, servers=1, timezone="Europe/Berlin",
                          post_time="08:00", weekdays="mon,wed,fri", reveal_time="18:00")
    events = await run(plan)
    check_invariants(events, plan, [date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 27)])
    reveals = [(e["local_date"], e["at"]) for e in events if e["event"] == "reveal"]
    assert reveals == [("2026-11-23", "2026-11-23T17:00:00Z"), ("2026-11-25", "2026-11-25T17:00:00Z"),
                       ("2026-11-27", "2026-11-27T17:00:00Z")]


def test_simulate_cli_prints_json_lines() -> None:
    result = quizbot("simulate", "--start", "2026-10-28T00:00Z", "--days", "3", "--servers", "2", "--tz",
                     "America/New_York", "--time", "01:30", "--weekdays", "mon-sun", "--restart-at",
                     "2026-10-29T05:30Z", "--seed", "3", env={"QUIZBOT_LOG_LEVEL": "WARNING"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert {e["event"] for e in lines} <= {"post", "reveal", "skip"}
    assert set(lines[0]) == {"event", "server", "local_date", "at", "question_id"}
    posts = Counter((e["server"], e["local_date"]) for e in lines if e["event"] == "post")
    assert set(posts.values()) == {1} and len(posts) == 6


def test_simulate_cli_rejects_a_naive_start() -> None:
    result = quizbot("simulate", "--start", "2026-10-28T00:00")
    assert result.returncode == 2 and "has no offset" in result.stderr
