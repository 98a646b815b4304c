"""One active daily scheduler among the processes sharing a database, chosen by a lease row.

Every process runs a ``LeaseKeeper``. Every ``RENEW_EVERY`` it tries to take or
renew the lease (one atomic statement, ``SqlLeaseStore.acquire_or_renew``).
The holder schedules: on gaining the lease it rebuilds the servers' jobs from
the database and catches up, as a start always did; while it holds the lease
it re-reads the enabled configs at each renewal and re-plans the servers that
another process changed. On losing it (refused, or the database could not
answer) it drops every server job at once. The other processes only try the
lease and stand by; a config change stored by one of them plans nothing there,
the holder picks it up at its next renewal.

The lease narrows scheduling to one process; exactly-once posting does not
rest on it. Two holders can overlap for a moment (an event loop stalled past
the expiry, hosts whose clocks disagree) and the daily claim row still keeps
each server to one post per local date.

With one process (SQLite, ``make run``) the first try succeeds at once, so it
schedules right at start as before. A process that crashed without releasing
leaves its row until it expires, so a restart within ``LEASE_TTL`` waits that
long; catch-up then sends anything due meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from apscheduler.triggers.interval import IntervalTrigger

from bot.engine.errors import StorageUnavailable
from bot.engine.model import ServerConfig, ServerKey
from bot.engine.ports import Clock
from bot.scheduling.daily import DailyScheduler
from bot.storage.database import WriteRefused

log = logging.getLogger(__name__)

# The holder renews every 30 s for 80 s. A holder that dies just after renewing leaves a lease that
# expires 80 s later, and some peer's next try comes within 30 s after that: a dead holder is
# replaced within 80 + 30 = 110 s, inside the two minutes allowed (and well inside catch-up's window,
# so a post due meanwhile is still sent). A holder whose renewal fails stops at once, at least
# 80 - 30 = 50 s before anyone may take over, which also absorbs that much clock skew between hosts.
RENEW_EVERY = timedelta(seconds=30)
LEASE_TTL = timedelta(seconds=80)
LEASE_NAME = "daily-scheduler"
LEASE_JOB = "ops:lease"
_UNAVAILABLE = (StorageUnavailable, WriteRefused)


class Leases(Protocol):
    """Named leases in the shared database (``bot.storage.lease_store.SqlLeaseStore``)."""

    async def acquire_or_renew(self, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Hold ``name`` until ``now + ttl`` unless another owner holds it unexpired."""
        ...

    async def release(self, name: str, owner: str) -> bool:
        """Give ``name`` up if ``owner`` holds it."""
        ...


class ConfigSource(Protocol):
    """What the scheduler needs from the store: the enabled servers."""

    async def enabled_configs(self) -> Sequence[ServerConfig]:
        """Configs of enabled servers."""
        ...


class SoleLease:
    """The lease of a process that shares its database with no scheduler: always held."""

    async def acquire_or_renew(self, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Always ours."""
        return True

    async def release(self, name: str, owner: str) -> bool:
        """Nothing to give up."""
        return True


def process_identity() -> str:
    """``host:pid:random``: unique per process start, and tells an operator reading the row where it runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _plan(config: ServerConfig) -> tuple[object, ...]:
    """The settings a server's jobs are built from (``DailyScheduler.sync``); others are read at send time."""
    return config.enabled, config.channel_id, config.post_time, config.timezone, config.weekdays


@dataclass
class LeaseKeeper:
    """Schedules the daily questions in this process exactly while it holds the lease."""

    leases: Leases
    configs: ConfigSource
    scheduler: DailyScheduler
    clock: Clock
    platforms: Collection[str] | None = None  # the adapters running here; None: every platform
    owner: str = field(default_factory=process_identity)
    name: str = LEASE_NAME
    ttl: timedelta = LEASE_TTL
    renew_every: timedelta = RENEW_EVERY
    _active: bool = field(default=False, init=False)
    _known: dict[ServerKey, ServerConfig] = field(default_factory=dict, init=False)
    _local_changes: int = field(default=0, init=False)
    _standing_by: bool = field(default=False, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)  # one try at a time (start vs. the job)

    @property
    def active(self) -> bool:
        """Whether this process schedules now."""
        return self._active

    async def start(self) -> None:
        """Try at once (a lone process schedules right away), then every ``renew_every`` on the scheduler's runner."""
        first = self.clock.now() + self.renew_every
        trigger = IntervalTrigger(seconds=int(self.renew_every.total_seconds()), start_date=first, timezone=UTC)
        self.scheduler.runner.add(LEASE_JOB, trigger, self.tick, ())
        await self.tick()

    async def tick(self) -> None:
        """Take or renew the lease, then start, refresh or stop scheduling to match."""
        async with self._lock:
            await self._try()

    async def _try(self) -> None:
        try:
            held = await self.leases.acquire_or_renew(self.name, self.owner, self.clock.now(), self.ttl)
            if held and self._active:
                await self._refresh()
            elif held:
                await self._take_over()
        except _UNAVAILABLE as exc:
            log.warning("could not renew or take the scheduler lease: %s", exc)
            self._stand_down("the database could not confirm the lease")
            return
        if not held:
            self._stand_down("another process holds the scheduler lease")

    async def close(self) -> None:
        """Stop trying and give the lease up, so a peer takes over at its next try instead of at expiry."""
        self.scheduler.runner.remove(LEASE_JOB)
        if self._active:
            self.scheduler.clear()
        self._active, self._known = False, {}
        try:
            await self.leases.release(self.name, self.owner)
        except _UNAVAILABLE as exc:
            log.warning("could not release the scheduler lease; a peer takes over when it expires: %s", exc)

    async def on_config_change(self, config: ServerConfig) -> None:
        """A config stored by this process: re-plan it here only while this process schedules."""
        self._local_changes += 1
        if not self._active:
            log.debug("config of %s stored; the scheduler lease holder re-plans it", config.server)
            return
        await self.scheduler.on_config_change(config)
        if config.enabled and self._wanted(config):
            self._known[config.server] = config
        else:
            self._known.pop(config.server, None)

    async def _take_over(self) -> None:
        configs = await self._enabled()
        self._active, self._standing_by = True, False
        self._known = {config.server: config for config in configs}
        log.info("%s holds the scheduler lease: scheduling here", self.owner)
        await self.scheduler.rebuild(configs)

    async def _refresh(self) -> None:
        """Re-plan the servers whose schedule changed in the database since the last look, by any process."""
        changes = self._local_changes
        current = {config.server: config for config in await self._enabled()}
        if changes != self._local_changes:
            return  # a local change landed during the read; it is planned already, look again next time
        for server in self._known.keys() | current.keys():
            old, new = self._known.get(server), current.get(server)
            if new is None and old is not None:
                self.scheduler.sync(replace(old, enabled=False))
            elif new is not None and (old is None or _plan(old) != _plan(new)):
                self.scheduler.sync(new)
        self._known = current

    def _stand_down(self, reason: str) -> None:
        """Stop scheduling at once; log the change, not every refused try."""
        if self._active:
            self._active, self._known = False, {}
            log.warning("%s stopped scheduling (%s); dropped %d job(s)", self.owner, reason, self.scheduler.clear())
        elif not self._standing_by:
            log.info("%s standing by: %s", self.owner, reason)
        self._standing_by = True

    async def _enabled(self) -> list[ServerConfig]:
        return [config for config in await self.configs.enabled_configs() if self._wanted(config)]

    def _wanted(self, config: ServerConfig) -> bool:
        return self.platforms is None or config.server.platform in self.platforms
