"""10,000 servers due at the same minute, per platform, through the real scheduling stack.

Cron triggers from ``bot.scheduling.daily.cron_for`` pick the minute; the due
servers go through ``PostQueue`` and ``TokenBucket`` into ``DailyLifecycle``
(real service, real SQLite claims) and out to notifier fakes that enforce the
platform's documented limits (``bench.rate_fakes``). Time is simulated: the
bucket's sleep advances the clock, so hours of pacing run in seconds and the
time to post all is exact. The queue and bucket are wired as
``SchedulingRuntime`` wires them (same workers, same burst), which cannot be
reused directly because it builds a live APScheduler and sleeps for real.
"""

from __future__ import annotations

import asyncio
import math
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import BenchCore, Figure, bench_core
from bench.rate_fakes import RateLimitedNotifier, discord_fake, slack_fake
from bot.adapters.discord_adapter.notifier import DiscordNotifier
from bot.adapters.slack_adapter.notifier import SlackNotifier
from bot.engine.model import ServerConfig, ServerKey
from bot.scheduling.daily import DailyScheduler, cron_for
from bot.scheduling.jobs import SimulatedClock, VirtualRunner
from bot.scheduling.lifecycle import DailyLifecycle
from bot.scheduling.runtime import NotifierRouter, paced_queue
from bot.storage.daily_store import SqlDailyStore

BENCH = "fanout"
DUE = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# One worker: posts to the fakes take no simulated time, so one worker already sends at the
# bucket's rate. With several, a worker's database awaits let another worker's fake sleep move
# the shared simulated clock, and posts taken in order get stamped together (a bunching that
# real latency does not cause); the live runtime uses SchedulingRuntime.workers_per_platform.
WORKERS = 1
OVER_LIMIT = 1.05


def fake_sleep(clock: SimulatedClock):  # noqa: ANN201 - an async callable
    """The bucket's sleep: move simulated time, let the other workers run."""
    async def sleep(seconds: float) -> None:
        clock.current += timedelta(seconds=seconds)
        await asyncio.sleep(0)

    return sleep


async def configure(core: BenchCore, platform: str, servers: int) -> list[ServerKey]:
    """Enable ``servers`` servers, each with its own channel, all posting at 09:00 UTC."""
    keys = [ServerKey(platform, f"s{n}") for n in range(servers)]
    for key in keys:
        await core.store.save_config(ServerConfig(server=key, timezone="UTC", channel_id=f"c-{key.server_id}",
                                                  enabled=True, post_time="09:00", weekdays=WEEKDAYS))
    return keys


def floor_seconds(fake: RateLimitedNotifier, servers: int) -> float:
    """The earliest the platform's limits let the last post through (one post per channel)."""
    if fake.global_limit is None:
        return 0.0
    limit, window = fake.global_limit
    return (math.ceil(servers / limit) - 1) * window


async def fan_out(core: BenchCore, fake: RateLimitedNotifier, servers: int) -> tuple[float, int, int]:
    """Fire every due server through the paced queue; return (seconds to post all, due servers, posted once)."""
    platform = "discord" if fake.global_limit else "slack"
    await configure(core, platform, servers)
    core.clock.current = DUE - timedelta(minutes=1)
    configs = list(await core.store.enabled_configs())
    due = [c.server for c in configs if cron_for(c).get_next_fire_time(None, core.clock.now()) == DUE]
    scheduler = DailyScheduler(VirtualRunner(core.clock))
    lifecycle = DailyLifecycle(core.service, SqlDailyStore(core.db), NotifierRouter({platform: fake}),
                               core.clock, scheduler)
    scheduler.bind(lifecycle)
    queue = paced_queue(lifecycle.fire, fake.sends_per_second, core.clock, fake_sleep(core.clock), WORKERS)
    core.clock.current = DUE
    queue.start()
    for server in due:
        await queue.submit(server)
    await queue.join()
    await queue.stop()
    elapsed = ((fake.last_post or DUE) - DUE).total_seconds()
    rows = await core.db.conn.execute_fetchall("SELECT count(*) FROM daily_posts WHERE status = 'posted'")
    posted_rows = next(iter(rows))[0]
    once = sum(1 for n in fake.posts.values() if n == 1) if posted_rows == len(fake.posts) else 0
    return elapsed, len(due), once


async def run(servers: int = 10_000) -> list[Figure]:
    """One run per platform, each on its own database."""
    figures: list[Figure] = []
    for name, make, declared in (("Discord", discord_fake, DiscordNotifier.sends_per_second),
                                 ("Slack", slack_fake, SlackNotifier.sends_per_second)):
        with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
            async with bench_core(Path(tmp)) as core:
                fake = make(core.clock, declared)
                elapsed, due, once = await fan_out(core, fake, servers)
        floor = floor_seconds(fake, servers)
        burst = 1.0
        paced = max(servers - burst, 0.0) / declared if not math.isinf(declared) else 0.0
        # A 0 s floor (Slack: no limit shared across workspaces) is compared as 1 s, the limit's granularity.
        ratio = elapsed / max(floor, 1.0)
        note = (f"{due:,} of {servers:,} servers due at 09:00 UTC by their cron triggers; queue paced at the"
                f" notifier's declared {declared:g} sends/s with {WORKERS} workers;"
                f" floor from the fake's limits ({'50/s global' if fake.global_limit else '1/s per channel only'}).")
        if fake.global_limit is None:
            note += (" Slack's limits are per workspace and channel, so one post per workspace has a 0 s floor"
                     " (compared as 1 s); the Slack queue is unpaced and bounded by its workers.")
        figures += [
            Figure(BENCH, f"{name}: time to post all {servers:,}", "<= 5 % over the rate-limit floor", elapsed, "s",
                   floor, "rate-limit floor", ratio, OVER_LIMIT, "<=", note),
            Figure(BENCH, f"{name}: time vs the declared pacing", "—", elapsed, "s", paced,
                   f"(N - burst) / {declared:g} per s", elapsed / paced if paced else None,
                   note="How close the queue runs to the rate the notifier declares (queue overhead only)."),
            Figure(BENCH, f"{name}: 429s from the fake", "0", float(fake.rejected), "responses",
                   ratio=float(fake.rejected), limit=0.0),
            Figure(BENCH, f"{name}: servers not posted exactly once", "0", float(servers - once), "servers",
                   ratio=float(servers - once), limit=0.0),
        ]
    return figures


if __name__ == "__main__":
    from bench.__main__ import run_alone

    run_alone(BENCH)
