"""Two ways to run timed jobs with the same APScheduler triggers.

``ApsRunner`` hands jobs to a live ``AsyncIOScheduler``. ``VirtualRunner``
asks the very same trigger objects for their next fire time and advances a
simulated clock, so ``quizbot simulate`` and the tests exercise the real
scheduling decisions (including the DST double fire) without waiting.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger

log = logging.getLogger(__name__)

JobFunc = Callable[..., Awaitable[None]]


class JobRunner(Protocol):
    """Add, replace and remove jobs by id."""

    def add(self, job_id: str, trigger: BaseTrigger, func: JobFunc, args: tuple[Any, ...]) -> None:
        """Add the job, replacing one with the same id."""
        ...

    def remove(self, job_id: str) -> None:
        """Remove the job if it exists."""
        ...

    def job_ids(self) -> set[str]:
        """Ids of the scheduled jobs."""
        ...


class ApsRunner:
    """Jobs on a live ``AsyncIOScheduler`` in UTC with minutes of misfire grace and coalescing."""

    def __init__(self, misfire_grace: timedelta) -> None:
        self.scheduler = AsyncIOScheduler(
            timezone="UTC",
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": int(misfire_grace.total_seconds()),
            },
        )

    def start(self) -> None:
        """Start inside the running event loop."""
        self.scheduler.start()

    def shutdown(self) -> None:
        """Stop without waiting for running jobs."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def add(self, job_id: str, trigger: BaseTrigger, func: JobFunc, args: tuple[Any, ...]) -> None:
        """Add or replace the job."""
        self.scheduler.add_job(func, trigger, args=args, id=job_id, replace_existing=True)

    def remove(self, job_id: str) -> None:
        """Remove the job if present."""
        try:
            self.scheduler.remove_job(job_id)
        except JobLookupError:
            return

    def job_ids(self) -> set[str]:
        """Ids of the scheduled jobs."""
        return {job.id for job in self.scheduler.get_jobs()}


def _utc(instant: datetime) -> datetime:
    """Fire times compare in UTC.

    Two aware datetimes sharing a zone compare by wall time, fold ignored, so 01:30 EDT
    and 01:30 EST of a fall-back night would otherwise look equal.
    """
    return instant.astimezone(UTC)


@dataclass
class _VirtualJob:
    trigger: BaseTrigger
    func: JobFunc
    args: tuple[Any, ...]
    next_fire: datetime | None


@dataclass
class SimulatedClock:
    """The clock ``VirtualRunner`` moves; also usable as the service's clock."""

    current: datetime

    def now(self) -> datetime:
        """The simulated instant."""
        return self.current


@dataclass
class VirtualRunner:
    """Runs jobs in simulated time, in fire-time order, with APScheduler's trigger arithmetic."""

    clock: SimulatedClock
    jobs: dict[str, _VirtualJob] = field(default_factory=dict)

    def add(self, job_id: str, trigger: BaseTrigger, func: JobFunc, args: tuple[Any, ...]) -> None:
        """Add or replace the job, computing its first fire time from now."""
        first = trigger.get_next_fire_time(None, self.clock.now())
        self.jobs[job_id] = _VirtualJob(trigger, func, args, first)

    def remove(self, job_id: str) -> None:
        """Remove the job if present."""
        self.jobs.pop(job_id, None)

    def job_ids(self) -> set[str]:
        """Ids of the scheduled jobs."""
        return set(self.jobs)

    async def run_until(self, end: datetime, *, inclusive: bool = True) -> None:
        """Fire every job due up to ``end`` (or before it) in order, then leave the clock at ``end``."""
        while True:
            due = [(_utc(job.next_fire), job_id) for job_id, job in self.jobs.items() if job.next_fire is not None]
            if not due:
                break
            fire_utc, job_id = min(due)
            if fire_utc > end or (fire_utc == end and not inclusive):
                break
            job = self.jobs[job_id]
            fire_at = job.next_fire
            self.clock.current = max(self.clock.current, fire_utc)
            # The trigger gets its own (zone-aware, fold-carrying) fire time back, as
            # AsyncIOScheduler passes it; ordering and the clock use UTC.
            job.next_fire = job.trigger.get_next_fire_time(fire_at, fire_at)
            await job.func(*job.args)
            if self.jobs.get(job_id) is job and job.next_fire is None:
                del self.jobs[job_id]
        self.clock.current = max(self.clock.current, end)
