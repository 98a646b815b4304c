"""One cron job per enabled server, rebuilt from the database; reveal and retry jobs as dates.

The database is the source of truth; the job store is in memory and is
rebuilt at start (``replace_existing``), then ``catch_up`` handles anything the
downtime missed. A config change re-plans that server at once, so no restart
is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot.engine.model import ServerConfig, ServerKey
from bot.engine.schedule import next_post
from bot.engine.timekeys import zone
from bot.scheduling.jobs import JobRunner
from bot.scheduling.lifecycle import DailyLifecycle

log = logging.getLogger(__name__)

Dispatch = Callable[[ServerKey], Awaitable[None]]
RevealDispatch = Callable[[ServerKey, date], Awaitable[None]]
DEFAULT_GRACE = timedelta(minutes=30)
# After downtime, a post due within this window still goes out (late beats never);
# a post missed by longer, or due before the server was enabled, does not.
CATCH_UP_WINDOW = timedelta(hours=2)


def cron_for(config: ServerConfig) -> CronTrigger:
    """The server's posting schedule as a CronTrigger in its own timezone."""
    hour, minute = config.post_time.split(":")
    return CronTrigger(
        day_of_week=",".join(config.weekdays), hour=int(hour), minute=int(minute), timezone=zone(config.timezone)
    )


def _key(server: ServerKey) -> str:
    return f"{server.platform}:{server.server_id}"


# Job id prefixes of the per-server jobs below; ops jobs ("ops:…") are not the daily scheduler's.
SERVER_JOBS = frozenset({"daily", "gap", "reveal", "retry"})


class DailyScheduler:
    """Keeps the job runner in step with the servers' configs; implements the lifecycle's Planner."""

    def __init__(
        self, runner: JobRunner, misfire_grace: timedelta = DEFAULT_GRACE, catch_up_window: timedelta = CATCH_UP_WINDOW
    ) -> None:
        self.runner = runner
        self.misfire_grace = misfire_grace
        self.catch_up_window = catch_up_window
        self._lifecycle: DailyLifecycle | None = None
        self._dispatch: Dispatch | None = None
        self._reveal_dispatch: RevealDispatch | None = None

    def bind(
        self, lifecycle: DailyLifecycle, dispatch: Dispatch | None = None, reveal_dispatch: RevealDispatch | None = None
    ) -> None:
        """Attach the lifecycle the jobs drive; the dispatchers (a paced queue) default to running directly."""
        self._lifecycle = lifecycle
        self._dispatch = dispatch or lifecycle.fire
        self._reveal_dispatch = reveal_dispatch or lifecycle.reveal

    @property
    def lifecycle(self) -> DailyLifecycle:
        """The bound lifecycle."""
        if self._lifecycle is None:
            raise RuntimeError("DailyScheduler.bind() was not called")
        return self._lifecycle

    async def rebuild(self, configs: list[ServerConfig]) -> None:
        """Start-up: one job per enabled server, then catch up what the downtime missed."""
        for config in configs:
            self.sync(config)
        log.info("scheduled the daily question for %d server(s)", len(configs))
        await self.lifecycle.catch_up(configs, self.catch_up_window)

    def clear(self) -> int:
        """Remove every server's jobs (posts, gaps, reveals, retries), e.g. when another process took over.

        The claims and posts in the database stay: whoever schedules next rebuilds from them.
        """
        ids = [job_id for job_id in self.runner.job_ids() if job_id.split(":", 1)[0] in SERVER_JOBS]
        for job_id in ids:
            self.runner.remove(job_id)
        return len(ids)

    async def on_config_change(self, config: ServerConfig) -> None:
        """Re-plan one server after an admin changed its config."""
        self.sync(config)

    def sync(self, config: ServerConfig) -> None:
        """Add or replace the server's cron job, or remove it when disabled."""
        job_id = f"daily:{_key(config.server)}"
        gap_id = f"gap:{_key(config.server)}"
        if not (config.enabled and config.channel_id and config.weekdays):
            self.runner.remove(job_id)
            self.runner.remove(gap_id)
            return
        trigger = cron_for(config)
        self.runner.add(job_id, trigger, self._fire, (config.server,))
        # Planned inside a spring-forward gap (say 03:10 local for a 02:30 post that shifts to
        # 03:30), the cron trigger looks for the next real 02:30 and skips to tomorrow; today's
        # shifted post then gets a one-off job. The day's claim keeps it to one post.
        now = self.lifecycle.clock.now()
        upcoming = next_post(config, now)
        cron_next = trigger.get_next_fire_time(None, now)
        if upcoming is not None and (cron_next is None or upcoming[1] < cron_next.astimezone(UTC)):
            self.runner.add(gap_id, DateTrigger(run_date=upcoming[1]), self._fire, (config.server,))

    async def _fire(self, server: ServerKey) -> None:
        assert self._dispatch is not None  # noqa: S101 - bind() precedes any job
        await self._dispatch(server)

    def plan_reveal(self, server: ServerKey, day: date, at: datetime) -> None:
        """A date job that reveals ``day`` at ``at``."""
        job_id = f"reveal:{_key(server)}:{day.isoformat()}"
        self.runner.add(job_id, DateTrigger(run_date=at), self._reveal, (server, day))

    async def _reveal(self, server: ServerKey, day: date) -> None:
        assert self._reveal_dispatch is not None  # noqa: S101 - bind() precedes any job
        await self._reveal_dispatch(server, day)

    def plan_retry(self, server: ServerKey, day: date, at: datetime) -> None:
        """A date job that re-sends ``day`` at ``at``."""
        job_id = f"retry:{_key(server)}:{day.isoformat()}"
        self.runner.add(job_id, DateTrigger(run_date=at), self.lifecycle.send, (server, day))
