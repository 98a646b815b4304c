"""One active scheduler among processes sharing a database: the lease statement, the keeper, takeovers.

The takeover tests run three scheduling stacks (as ``SchedulingRuntime`` wires them, minus the paced
queues) on one database, each with its own connection or pool and its own job runner, on one simulated
clock: days of virtual time in seconds, no sleeps, no wall clock.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_scheduling, open_core
from bot.engine.model import Question, Round, ServerConfig, ServerKey
from bot.engine.outcomes import Recap
from bot.engine.schedule import post_instant
from bot.engine.service import QuizService
from bot.scheduling.daily import DailyScheduler
from bot.scheduling.jobs import SimulatedClock, VirtualRunner
from bot.scheduling.lease import LEASE_JOB, LEASE_NAME, LEASE_TTL, RENEW_EVERY, LeaseKeeper
from bot.scheduling.lifecycle import DailyLifecycle
from bot.scheduling.runtime import SchedulingRuntime
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import Database, SqliteDatabase
from bot.storage.lease_store import Lease, SqlLeaseStore
from bot.storage.migrations import migrate
from bot.storage.postgres import PostgresDatabase
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from tests.fakes import FakeClock, FlakyNotifier, RecordingPlanner
from tests.ops.test_health import settings_for

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgres"])
T0 = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # a Monday; no server below posts within two hours before it
TWO_MINUTES = timedelta(minutes=2)


def sim(server_id: str, tz: str, at: str) -> ServerConfig:
    return ServerConfig(server=ServerKey("sim", server_id), timezone=tz, channel_id="daily", enabled=True,
                        post_time=at, weekdays=("mon", "tue", "wed", "thu", "fri", "sat", "sun"))


LONDON = sim("london", "Europe/London", "09:00")  # 09:00Z in November
NEW_YORK = sim("new-york", "America/New_York", "06:30")  # 11:30Z
TOKYO = sim("tokyo", "Asia/Tokyo", "10:00")  # 01:00Z
SYDNEY = sim("sydney", "Australia/Sydney", "07:15")  # 20:15Z the day before
KOLKATA = sim("kolkata", "Asia/Kolkata", "12:45")  # 07:15Z
SERVERS = (LONDON, NEW_YORK, TOKYO, SYDNEY, KOLKATA)


# -- the lease statement -------------------------------------------------------------------------------------


@pytest.fixture
def target(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """Where every "process" of a test connects: one PostgreSQL database, or one SQLite file."""
    return request.getfixturevalue("pg_dsn") if backend == "postgres" else str(tmp_path / "shared.db")


def connect(backend: str, target: str) -> AbstractAsyncContextManager[Database]:
    """One process's own connection (SQLite) or pool (PostgreSQL) to the shared database."""
    return PostgresDatabase.open(target, max_size=2) if backend == "postgres" else SqliteDatabase.open(target)


async def open_all(stack: AsyncExitStack, backend: str, target: str, count: int) -> list[Database]:
    """``count`` processes' connections to one migrated database (migrated before the others connect)."""
    first = await stack.enter_async_context(connect(backend, target))
    await migrate(first)
    return [first, *[await stack.enter_async_context(connect(backend, target)) for _ in range(count - 1)]]


@BOTH
async def test_the_lease_goes_to_one_owner_renews_for_it_and_passes_only_after_expiry(db: Database) -> None:
    leases = SqlLeaseStore(db)
    assert await leases.holder(LEASE_NAME) is None
    assert await leases.acquire_or_renew(LEASE_NAME, "a", T0, LEASE_TTL)
    assert await leases.holder(LEASE_NAME) == Lease(LEASE_NAME, "a", T0 + LEASE_TTL)
    assert not await leases.acquire_or_renew(LEASE_NAME, "b", T0 + timedelta(seconds=10), LEASE_TTL)
    assert await leases.acquire_or_renew(LEASE_NAME, "a", T0 + RENEW_EVERY, LEASE_TTL)
    until = T0 + RENEW_EVERY + LEASE_TTL
    assert await leases.holder(LEASE_NAME) == Lease(LEASE_NAME, "a", until)
    assert not await leases.acquire_or_renew(LEASE_NAME, "b", until, LEASE_TTL)  # at its last instant: still a's
    after = until + timedelta(microseconds=1)
    assert await leases.acquire_or_renew(LEASE_NAME, "b", after, LEASE_TTL)
    assert not await leases.acquire_or_renew(LEASE_NAME, "a", after, LEASE_TTL)  # the old owner cannot renew back
    assert await leases.holder(LEASE_NAME) == Lease(LEASE_NAME, "b", after + LEASE_TTL)
    assert await leases.acquire_or_renew("another-job", "a", after, LEASE_TTL)  # names are independent


@BOTH
async def test_release_frees_the_lease_at_once_and_only_for_its_owner(db: Database) -> None:
    leases = SqlLeaseStore(db)
    assert await leases.acquire_or_renew(LEASE_NAME, "a", T0, LEASE_TTL)
    assert not await leases.release(LEASE_NAME, "b")
    assert not await leases.acquire_or_renew(LEASE_NAME, "b", T0, LEASE_TTL)
    assert await leases.release(LEASE_NAME, "a")
    assert await leases.holder(LEASE_NAME) is None
    assert await leases.acquire_or_renew(LEASE_NAME, "b", T0 + timedelta(seconds=1), LEASE_TTL)


@BOTH
async def test_contenders_racing_on_their_own_connections_get_exactly_one_winner(backend: str, target: str) -> None:
    contenders, rounds = 8, 25
    async with AsyncExitStack() as stack:
        dbs = await open_all(stack, backend, target, contenders)
        stores = [SqlLeaseStore(db) for db in dbs]
        winners = []
        for n in range(rounds):  # round 0 races to insert the row; later ones to update an expired row
            now = T0 + n * (LEASE_TTL + timedelta(seconds=1))
            results = await asyncio.gather(
                *(store.acquire_or_renew(LEASE_NAME, f"p{i}", now, LEASE_TTL) for i, store in enumerate(stores)))
            assert results.count(True) == 1, results
            winners.append(f"p{results.index(True)}")
            assert await stores[0].holder(LEASE_NAME) == Lease(LEASE_NAME, winners[-1], now + LEASE_TTL)


# -- scheduling stacks in virtual time -----------------------------------------------------------------------


class ProcessDied(Exception):
    """Raised inside a stack's job at the moment the test kills that "process"."""


@dataclass
class TimedNotifier:
    """The platform all stacks post to: records each post and reveal with its virtual instant."""

    clock: SimulatedClock
    sends_per_second: float = float("inf")
    posts: list[tuple[ServerKey, int, datetime]] = field(default_factory=list)
    reveals: list[tuple[ServerKey, int, datetime]] = field(default_factory=list)

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        self.posts.append((config.server, round_.id, self.clock.now()))
        return f"msg-{round_.id}"

    async def find_daily(self, config: ServerConfig, round_: Round, since: datetime) -> str | None:
        return f"msg-{round_.id}" if any(post[1] == round_.id for post in self.posts) else None

    async def reveal_daily(self, config: ServerConfig, round_: Round, recap: Recap) -> None:
        self.reveals.append((config.server, round_.id, self.clock.now()))

    async def tell_admins(self, server: ServerKey, text: str) -> None:
        raise AssertionError(f"unexpected admin notice for {server}: {text}")


class DiesAfterClaim(SqlDailyStore):
    """The claim store of a process that dies right after claiming ``victim``'s day, before any send."""

    def __init__(self, db: Database, victim: ServerKey, die: Callable[[], None]) -> None:
        super().__init__(db)
        self.victim, self.die = victim, die

    async def claim(self, server: ServerKey, day: date, at: datetime) -> bool:
        won = await super().claim(server, day, at)
        if won and server == self.victim:
            self.die()
            raise ProcessDied(server)
        return won


@dataclass
class Proc:
    """One bot process's scheduling stack on its own connection and runner."""

    owner: str
    runner: VirtualRunner
    service: QuizService
    keeper: LeaseKeeper
    alive: bool = True

    def server_jobs(self) -> set[str]:
        return {job_id for job_id in self.runner.job_ids() if not job_id.startswith("ops:")}

    def kill(self) -> None:
        """Die abruptly: every job gone, nothing released (the lease row stays until it expires)."""
        self.alive = False
        self.runner.jobs.clear()


def build_proc(owner: str, db: Database, clock: SimulatedClock, bank: YamlQuestionBank, notifier: TimedNotifier,
               victim: ServerKey | None = None) -> Proc:
    """Wired as ``SchedulingRuntime`` wires it: the lifecycle under the scheduler, the keeper over both."""
    store = SqlQuizStore(db)
    service = QuizService(store, bank, clock, random.Random(owner), default_timezone="UTC", cards=FsrsCardScheduler())
    runner = VirtualRunner(clock)
    scheduler = DailyScheduler(runner)
    proc = Proc(owner, runner, service, LeaseKeeper(SqlLeaseStore(db), store, scheduler, clock, owner=owner))
    daily = SqlDailyStore(db) if victim is None else DiesAfterClaim(db, victim, proc.kill)
    scheduler.bind(DailyLifecycle(service, daily, notifier, clock, scheduler))
    service.on_config_change(proc.keeper.on_config_change)
    return proc


@dataclass
class Cluster:
    """Three processes on one database and one virtual clock; watches who schedules at every step."""

    procs: list[Proc]
    clock: SimulatedClock
    notifier: TimedNotifier
    db: Database
    handovers: list[tuple[datetime, str]] = field(default_factory=list)

    def holders(self) -> list[str]:
        return [p.owner for p in self.procs if p.alive and p.keeper.active]

    async def start(self, stagger: timedelta = timedelta(seconds=7)) -> None:
        """Processes start a few seconds apart, so their renewals interleave rather than coincide."""
        for n, proc in enumerate(self.procs):
            await self.run(T0 + n * stagger)
            await proc.keeper.start()
            self._watch()

    async def run(self, end: datetime) -> None:
        """Fire every live process's jobs in time order up to ``end``."""
        while True:
            due = [job.next_fire.astimezone(UTC) for p in self.procs if p.alive
                   for job in p.runner.jobs.values() if job.next_fire is not None]
            if not due or min(due) > end:
                break
            for proc in [p for p in self.procs if p.alive]:
                try:
                    await proc.runner.run_until(min(due))
                except ProcessDied:
                    assert not proc.alive
            self._watch()
        self.clock.current = max(self.clock.current, end)

    def _watch(self) -> None:
        holders = self.holders()
        assert len(holders) <= 1, f"{self.clock.now()}: several processes schedule: {holders}"
        last = self.handovers[-1][1] if self.handovers else None
        if holders and holders[0] != last:
            self.handovers.append((self.clock.now(), holders[0]))

    def proc(self, owner: str) -> Proc:
        return next(p for p in self.procs if p.owner == owner)


async def open_cluster(stack: AsyncExitStack, backend: str, target: str, bank: YamlQuestionBank,
                       victim: ServerKey | None = None) -> Cluster:
    """Three processes on the servers above; proc-0 (the first holder) dies claiming ``victim``'s post if given."""
    clock = SimulatedClock(T0)
    notifier = TimedNotifier(clock)
    dbs = await open_all(stack, backend, target, 3)
    for config in SERVERS:
        await SqlQuizStore(dbs[0]).save_config(config)
    procs = [build_proc(f"proc-{n}", db, clock, bank, notifier, victim if n == 0 else None)
             for n, db in enumerate(dbs)]
    return Cluster(procs, clock, notifier, dbs[0])


@pytest.fixture
async def cluster(backend: str, target: str, bank: YamlQuestionBank) -> AsyncIterator[Cluster]:
    async with AsyncExitStack() as stack:
        yield await open_cluster(stack, backend, target, bank)


def due_dates(config: ServerConfig, start: datetime, end: datetime) -> set[tuple[ServerKey, date]]:
    """The (server, local date) pairs whose post instant falls in [start, end)."""
    days = (start.date() + timedelta(days=n) for n in range(-2, (end - start).days + 3))
    return {(config.server, day) for day in days if start <= post_instant(config, day) < end}


async def claim_rows(db: Database) -> dict[tuple[ServerKey, date], tuple[str, int | None, str | None]]:
    rows = await db.fetch_all("SELECT platform, server_id, local_date, status, round_id, reveal_at FROM daily_posts")
    return {(ServerKey(r["platform"], r["server_id"]), date.fromisoformat(r["local_date"])):
            (r["status"], r["round_id"], r["reveal_at"]) for r in rows}


async def assert_one_post_per_local_date(cluster: Cluster, expected: set[tuple[ServerKey, date]],
                                         end: datetime) -> None:
    """Exactly one post per server and local date, at the platform and in ``daily_posts``; reveals once each."""
    rows = await claim_rows(cluster.db)
    assert set(rows) == expected
    by_round = {round_id: key for key, (_status, round_id, _reveal) in rows.items()}
    posted = Counter(by_round[round_id] for _server, round_id, _at in cluster.notifier.posts)
    assert set(posted) == expected and set(posted.values()) == {1}, posted
    revealed = Counter(round_id for _server, round_id, _at in cluster.notifier.reveals)
    assert set(revealed.values()) <= {1}
    for key, (status, round_id, reveal_at) in rows.items():
        due = reveal_at is not None and datetime.fromisoformat(reveal_at) <= end
        assert status == ("revealed" if due else "posted") and (round_id in revealed) == due, (key, status)


async def posted_at(cluster: Cluster, server: ServerKey, day: date) -> datetime:
    """When the platform got the post of ``server``'s ``day`` (its round, by the claim row)."""
    round_id = (await claim_rows(cluster.db))[(server, day)][1]
    (at,) = [at for _server, posted_round, at in cluster.notifier.posts if posted_round == round_id]
    return at


@BOTH
async def test_three_schedulers_one_holder_a_killed_holder_is_replaced_within_two_minutes(cluster: Cluster) -> None:
    end = T0 + timedelta(days=3)
    await cluster.start()
    assert cluster.handovers == [(T0, "proc-0")]
    assert [bool(p.server_jobs()) for p in cluster.procs] == [True, False, False]

    kill_at = datetime(2026, 11, 24, 8, 59, 10, tzinfo=UTC)  # 50 s before London's post
    await cluster.run(kill_at)
    cluster.proc("proc-0").kill()
    await cluster.run(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    (took_at, heir), = cluster.handovers[1:2]
    assert heir != "proc-0" and took_at - kill_at <= TWO_MINUTES
    london_24 = await posted_at(cluster, LONDON.server, date(2026, 11, 24))
    assert post_instant(LONDON, date(2026, 11, 24)) < london_24 <= kill_at + TWO_MINUTES  # caught up by the heir
    lease = await SqlLeaseStore(cluster.db).holder(LEASE_NAME)
    assert lease is not None and lease.owner == heir and lease.expires_at > cluster.clock.now()

    # A process that does not schedule stores config changes; the holder picks them up at its next renewal.
    change_at = cluster.clock.now()
    bystander = next(p for p in cluster.procs if p.alive and p.owner != heir)
    await bystander.service.update_config(NEW_YORK.server, "time", "07:45")
    await bystander.service.update_config(KOLKATA.server, "enabled", "off")
    assert bystander.server_jobs() == set()
    await cluster.run(change_at + RENEW_EVERY)
    assert "daily:sim:kolkata" not in cluster.proc(heir).server_jobs()
    await cluster.run(end)

    moved = replace(NEW_YORK, post_time="07:45")
    expected = set().union(
        *(due_dates(c, T0, end) for c in (LONDON, TOKYO, SYDNEY)), due_dates(NEW_YORK, T0, change_at),
        due_dates(moved, change_at, end), due_dates(KOLKATA, T0, change_at))
    assert len(expected) == 3 * 5 - 1
    await assert_one_post_per_local_date(cluster, expected, end)
    assert await posted_at(cluster, NEW_YORK.server, date(2026, 11, 25)) == post_instant(moved, date(2026, 11, 25))
    assert len(cluster.handovers) == 2


@BOTH
async def test_a_holder_killed_between_claim_and_send_is_still_posted_once_by_its_heir(
    backend: str, target: str, bank: YamlQuestionBank
) -> None:
    async with AsyncExitStack() as stack:
        cluster = await open_cluster(stack, backend, target, bank, victim=LONDON.server)
        victim = cluster.proc("proc-0")
        await cluster.start()
        end = T0 + timedelta(days=1, hours=10)  # past London's next post, which reveals the orphaned day
        await cluster.run(end)

        died_at = post_instant(LONDON, date(2026, 11, 23))
        assert not victim.alive and cluster.handovers[0] == (T0, "proc-0")
        (took_at, _heir), = cluster.handovers[1:]
        assert took_at - died_at <= TWO_MINUTES
        # The claim may still be sending elsewhere, so the heir sends it once it is stale, 10 minutes after it.
        assert await posted_at(cluster, LONDON.server, date(2026, 11, 23)) == died_at + timedelta(minutes=10)
        expected = set().union(*(due_dates(c, T0, end) for c in SERVERS))
        await assert_one_post_per_local_date(cluster, expected, end)


async def test_catch_up_resends_a_fresh_orphaned_claim_once_it_is_stale_but_not_into_the_next_day(
    service: QuizService, store: SqlQuizStore, db: Database, clock: FakeClock
) -> None:
    await store.save_config(LONDON)
    daily, planner, notifier = SqlDailyStore(db), RecordingPlanner(), FlakyNotifier()
    lifecycle = DailyLifecycle(service, daily, notifier, clock, planner)
    claimed = clock.now()  # 2026-11-24 12:00Z: a scheduler claimed London's day, then vanished
    assert await daily.claim(LONDON.server, claimed.date(), claimed)
    clock.advance(minutes=2)
    await lifecycle.catch_up([LONDON], timedelta(hours=2))
    assert planner.retries == [(LONDON.server, claimed.date(), claimed + timedelta(minutes=10))]
    assert notifier.posts == []  # it may still be sending elsewhere: not yet

    late = datetime(2026, 11, 25, 23, 55, tzinfo=UTC)
    assert await daily.claim(LONDON.server, late.date(), late)
    clock.current = late + timedelta(minutes=1)
    planner.retries.clear()
    await lifecycle.catch_up([LONDON], timedelta(hours=2))
    assert planner.retries == []  # stale only tomorrow: a day's question is not posted on the next day


# -- the keeper on its own, and wired into the live runtime ----------------------------------------------------


async def test_a_holder_that_cannot_renew_stops_scheduling_at_once_and_resumes_when_it_can(
    db: SqliteDatabase, bank: YamlQuestionBank, caplog: pytest.LogCaptureFixture
) -> None:
    clock = SimulatedClock(T0)
    proc = build_proc("solo", db, clock, bank, TimedNotifier(clock))
    await SqlQuizStore(db).save_config(LONDON)
    await proc.keeper.start()
    assert proc.keeper.active and proc.server_jobs() == {"daily:sim:london"}
    await db.execute("PRAGMA query_only = ON")  # the database refuses writes: the renewal cannot be confirmed
    clock.current += RENEW_EVERY
    with caplog.at_level(logging.WARNING, logger="bot.scheduling.lease"):
        await proc.keeper.tick()
    assert not proc.keeper.active and proc.server_jobs() == set() and proc.runner.job_ids() == {LEASE_JOB}
    assert "solo stopped scheduling" in caplog.text
    await db.execute("PRAGMA query_only = OFF")
    clock.current += RENEW_EVERY
    await proc.keeper.tick()  # still within its last lease: nobody else could have taken it
    assert proc.keeper.active and proc.server_jobs() == {"daily:sim:london"}

    # Stalled past the expiry (no renewal for two minutes), then another process took over.
    clock.current += TWO_MINUTES
    assert await SqlLeaseStore(db).acquire_or_renew(LEASE_NAME, "peer", clock.now(), LEASE_TTL)
    await proc.keeper.tick()
    assert not proc.keeper.active and proc.server_jobs() == set()


@BOTH
async def test_live_runtimes_on_one_database_schedule_in_one_process_and_hand_over_on_close(
    backend: str, target: str, bank: YamlQuestionBank
) -> None:
    clock = FakeClock()  # 2026-11-24 12:00Z; London posts at 09:00Z, so start has nothing to catch up
    async with AsyncExitStack() as stack:
        db_a, db_b = await open_all(stack, backend, target, 2)
        await SqlQuizStore(db_a).save_config(LONDON)
        runtimes = []
        for db in (db_a, db_b):
            store = SqlQuizStore(db)
            service = QuizService(store, bank, clock, random.Random(1), default_timezone="UTC",
                                  cards=FsrsCardScheduler())
            runtimes.append(SchedulingRuntime(service, store, SqlDailyStore(db), {"sim": FlakyNotifier()}, clock,
                                              leases=SqlLeaseStore(db)))
        a, b = runtimes
        await a.start()
        await b.start()
        try:
            assert a.keeper.active and not b.keeper.active
            assert a.scheduler.runner.job_ids() == {LEASE_JOB, "daily:sim:london"}
            assert b.scheduler.runner.job_ids() == {LEASE_JOB}
            await b.service.update_config(LONDON.server, "time", "14:30")
            assert b.scheduler.runner.job_ids() == {LEASE_JOB}
            clock.advance(seconds=30)
            await a.scheduler.runner.scheduler.get_job(LEASE_JOB).func()  # what APScheduler runs every 30 s
            job = a.scheduler.runner.scheduler.get_job("daily:sim:london")
            assert (job.next_run_time.hour, job.next_run_time.minute) == (14, 30)
        finally:
            await a.close()
        assert await SqlLeaseStore(db_b).holder(LEASE_NAME) is None  # released: no waiting for the expiry
        await b.scheduler.runner.scheduler.get_job(LEASE_JOB).func()
        try:
            assert b.keeper.active and b.scheduler.runner.job_ids() == {LEASE_JOB, "daily:sim:london"}
        finally:
            await b.close()


async def test_the_composition_root_gives_the_scheduler_the_database_lease(tmp_path: Path) -> None:
    async with open_core(settings_for(tmp_path / "bot.db"), clock=FakeClock()) as core:
        runtime = build_scheduling(core, settings_for(tmp_path / "bot.db"), {"console": FlakyNotifier()}, None)
        assert isinstance(runtime.leases, SqlLeaseStore) and runtime.keeper.leases is runtime.leases
        assert runtime.keeper.platforms == {"console"}
