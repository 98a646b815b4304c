"""Jobs follow the configs: rebuilt at start, re-planned on change, on the real APScheduler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.engine.model import ServerConfig, ServerKey
from bot.engine.service import QuizService
from bot.scheduling.daily import DailyScheduler, cron_for
from bot.scheduling.jobs import ApsRunner, SimulatedClock, VirtualRunner
from bot.scheduling.lifecycle import DailyLifecycle
from bot.storage.daily_store import SqlDailyStore
from tests.fakes import FlakyNotifier

SERVER = ServerKey("discord", "g1")


def test_cron_for_uses_the_servers_zone_time_and_weekdays() -> None:
    config = ServerConfig(server=SERVER, timezone="Asia/Kolkata", post_time="07:05", weekdays=("mon", "thu"))
    trigger = cron_for(config)
    start = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # Tuesday
    first = trigger.get_next_fire_time(None, start)
    assert first.astimezone(UTC) == datetime(2026, 11, 26, 1, 35, tzinfo=UTC)  # Thu 07:05 IST


async def test_config_changes_take_effect_without_restart(service: QuizService, db, clock) -> None:
    runner = VirtualRunner(SimulatedClock(clock.now()))
    scheduler = DailyScheduler(runner)
    scheduler.bind(DailyLifecycle(service, SqlDailyStore(db), FlakyNotifier(), clock, scheduler))
    service.on_config_change(scheduler.on_config_change)
    await service.update_config(SERVER, "channel", "C1")
    assert runner.job_ids() == set()
    await service.update_config(SERVER, "enabled", "on")
    assert runner.job_ids() == {"daily:discord:g1"}
    first = runner.jobs["daily:discord:g1"].next_fire
    await service.update_config(SERVER, "time", "23:45")
    moved = runner.jobs["daily:discord:g1"].next_fire
    assert moved != first and (moved.hour, moved.minute) == (23, 45)
    await service.update_config(SERVER, "enabled", "off")
    assert runner.job_ids() == set()


async def test_live_runner_replaces_jobs_with_minutes_of_misfire_grace() -> None:
    runner = ApsRunner(timedelta(minutes=30))
    runner.start()
    try:
        async def job() -> None:
            return None

        trigger = CronTrigger(hour=9, minute=0, timezone="UTC")
        runner.add("daily:x:1", trigger, job, ())
        runner.add("daily:x:1", CronTrigger(hour=10, minute=0, timezone="UTC"), job, ())
        (aps_job,) = runner.scheduler.get_jobs()
        assert aps_job.id == "daily:x:1" and aps_job.next_run_time.hour == 10
        assert (aps_job.misfire_grace_time, aps_job.coalesce, aps_job.max_instances) == (1800, True, 1)
        runner.remove("daily:x:1")
        runner.remove("daily:x:1")  # absent: no error
        assert runner.job_ids() == set()
    finally:
        runner.shutdown()
