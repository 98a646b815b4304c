"""The live scheduling stack: APScheduler jobs, the lifecycle, and a paced queue per platform."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.engine.errors import DeliveryFailed, StorageUnavailable
from bot.engine.model import Question, Round, ServerConfig, ServerKey
from bot.engine.outcomes import Recap
from bot.engine.ports import Clock, DailyStore, Notifier
from bot.engine.service import QuizService
from bot.scheduling.daily import DEFAULT_GRACE, DailyScheduler
from bot.scheduling.fanout import PostQueue, Sleep, TokenBucket
from bot.scheduling.jobs import ApsRunner
from bot.scheduling.lease import ConfigSource, LeaseKeeper, Leases, SoleLease
from bot.scheduling.lifecycle import DailyLifecycle

log = logging.getLogger(__name__)

HEARTBEAT_JOB = "ops:heartbeat"
BACKUP_JOB = "ops:backup"
HEARTBEAT_KEY = "heartbeat"  # read by bot.ops.status; the value is an ISO instant, "" after a clean stop
# Once a day at a quiet UTC minute, away from the top of the hour when daily posts cluster.
BACKUP_TRIGGER = {"hour": 3, "minute": 17}

BackupJob = Callable[[datetime], Awaitable[object]]


@dataclass
class NotifierRouter:
    """One Notifier over several platforms, chosen by the server's platform."""

    notifiers: Mapping[str, Notifier]
    sends_per_second: float = field(default=float("inf"))

    def _for(self, server: ServerKey) -> Notifier:
        notifier = self.notifiers.get(server.platform)
        if notifier is None:
            raise DeliveryFailed(f"no adapter is running for platform {server.platform!r}")
        return notifier

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Post through the server's platform."""
        return await self._for(config.server).post_daily(config, round_, question)

    async def find_daily(self, config: ServerConfig, round_: Round, since: datetime) -> str | None:
        """Look for an earlier post through the server's platform."""
        return await self._for(config.server).find_daily(config, round_, since)

    async def reveal_daily(self, config: ServerConfig, round_: Round, recap: Recap) -> None:
        """Reveal through the server's platform."""
        await self._for(config.server).reveal_daily(config, round_, recap)

    async def tell_admins(self, server: ServerKey, text: str) -> None:
        """Tell admins through the server's platform."""
        await self._for(server).tell_admins(server, text)


class MetaWriter(Protocol):
    """Where the heartbeat goes: the store's ``meta`` table."""

    async def set_meta(self, key: str, value: str) -> None:
        """Store one value."""
        ...


def paced_queue(send: Callable[[ServerKey], Awaitable[None]], rate: float, clock: Clock, sleep: Sleep,
                workers: int = 4) -> PostQueue:
    """The fan-out queue of one platform, paced at its declared rate.

    No burst above the rate: a platform counting requests per window (Discord: 50 per second)
    answers 429 to a burst on top of a full second of sends. Unpaced platforms (limits per
    workspace) are bounded by concurrency instead of a rate.
    """
    bucket = TokenBucket(clock, sleep, rate, burst=1.0)
    return PostQueue(send, bucket, workers=workers * (8 if math.isinf(rate) else 1))


@dataclass
class SchedulingRuntime:
    """Owns the APScheduler runner and the per-platform queues; start() and close() bracket them."""

    service: QuizService
    configs: ConfigSource
    daily: DailyStore
    notifiers: Mapping[str, Notifier]
    clock: Clock
    workers_per_platform: int = 4
    meta: MetaWriter | None = None  # heartbeat each minute when set
    backup: BackupJob | None = None  # called with the clock's now once a day when set; must not raise
    # Processes sharing a database schedule only while holding this lease; None: this process always does.
    leases: Leases | None = None
    scheduler: DailyScheduler = field(init=False)
    keeper: LeaseKeeper = field(init=False)
    _lifecycle: DailyLifecycle = field(init=False)
    _runner: ApsRunner = field(init=False)
    _queues: dict[str, PostQueue] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        self._runner = ApsRunner(DEFAULT_GRACE)
        self.scheduler = DailyScheduler(self._runner)
        self._lifecycle = DailyLifecycle(self.service, self.daily, NotifierRouter(self.notifiers), self.clock,
                                         self.scheduler)
        for platform, notifier in self.notifiers.items():
            self._queues[platform] = paced_queue(self._lifecycle.fire, notifier.sends_per_second, self.clock,
                                                 asyncio.sleep, self.workers_per_platform)
        self.scheduler.bind(self._lifecycle, self._dispatch, self._dispatch_reveal)
        self.keeper = LeaseKeeper(self.leases or SoleLease(), self.configs, self.scheduler, self.clock,
                                  platforms=frozenset(self._queues))
        self.service.on_config_change(self.keeper.on_config_change)

    async def _dispatch_reveal(self, server: ServerKey, day: date) -> None:
        """Reveals at a set time hit every server in the same minute too: pace them like posts."""
        queue = self._queues.get(server.platform)
        if queue is None:
            return
        await queue.submit_call(server, lambda: self._lifecycle.reveal(server, day))

    async def _dispatch(self, server: ServerKey) -> None:
        queue = self._queues.get(server.platform)
        if queue is None:
            log.warning("daily question due for %s but no adapter runs for %s", server, server.platform)
            return
        await queue.submit(server)

    async def start(self) -> None:
        """Start queues and the scheduler; once this process holds the lease, rebuild jobs and catch up."""
        for queue in self._queues.values():
            queue.start()
        self._runner.start()
        await self._start_ops_jobs()
        await self.keeper.start()

    async def close(self) -> None:
        """Stop the scheduler and the queue workers, give the lease up, clear the heartbeat (a restore may proceed)."""
        self._runner.shutdown()
        for queue in self._queues.values():
            await queue.stop()
        await self.keeper.close()
        if self.meta is not None:
            await self._write_heartbeat("")

    async def _start_ops_jobs(self) -> None:
        """Beat once now (so health is green right after start), then every minute; back up daily."""
        if self.meta is not None:
            await self.heartbeat()
            self._runner.add(HEARTBEAT_JOB, IntervalTrigger(minutes=1, timezone="UTC"), self.heartbeat, ())
        if self.backup is not None:
            self._runner.add(BACKUP_JOB, CronTrigger(**BACKUP_TRIGGER, timezone="UTC"), self.run_backup, ())

    async def heartbeat(self) -> None:
        """Prove the event loop and the scheduler are alive to ``quizbot health`` in another process."""
        await self._write_heartbeat(self.clock.now().isoformat())

    async def _write_heartbeat(self, value: str) -> None:
        assert self.meta is not None  # noqa: S101 - only scheduled when set
        try:
            await self.meta.set_meta(HEARTBEAT_KEY, value)
        except StorageUnavailable as exc:
            # A locked or full disk must not kill the scheduler; the stale beat makes health fail instead.
            log.warning("could not write the heartbeat: %s", exc)

    async def run_backup(self) -> None:
        """The daily backup; the job logs its own failures (see ``bot.ops.backup.BackupRotation``)."""
        assert self.backup is not None  # noqa: S101 - only scheduled when set
        await self.backup(self.clock.now())
