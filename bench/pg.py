"""The PostgreSQL half of the benchmarks: a throwaway cluster per bench run, and the real core on it.

The cluster is the test suite's (``tests.pg_cluster``): ``initdb`` into a temporary directory, a free
127.0.0.1 port, durability off (fsync, synchronous_commit and full_page_writes off: the data is thrown
away). The SQLite benches run with ``synchronous=NORMAL`` in WAL mode, which does not sync each commit
either, and every PostgreSQL figure is compared with a baseline on the same cluster in the same run.
Without PostgreSQL 15+ binaries a bench prints ``skipped: no PostgreSQL`` and reports an info row.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from types import FrameType

from bench.common import BENCH_START, CONTENT_DIR, BenchCore, Figure, info
from bot.engine.service import QuizService
from bot.scheduling.jobs import SimulatedClock
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.migrations import migrate
from bot.storage.postgres import PostgresDatabase
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from tests.pg_cluster import NOT_FOUND, PgCluster, find_binaries

# asyncpg's pool as the bot opens it (bot.storage.connect -> PostgresDatabase.open defaults).
BOT_POOL_SIZE = 10


def label(bench: str) -> str:
    """The results' bench name of the PostgreSQL figures, e.g. ``answers[postgres]``."""
    return f"{bench}[postgres]"


def skipped(bench: str) -> list[Figure]:
    """Say plainly that the PostgreSQL half did not run, on stderr and as an info row."""
    print(f"[bench] {label(bench)}: skipped: no PostgreSQL ({NOT_FOUND})", file=sys.stderr)
    return [info(label(bench), "skipped: no PostgreSQL", 0.0, "", NOT_FOUND)]


def _terminated(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def cluster() -> Iterator[PgCluster | None]:
    """A running throwaway cluster (stopped and deleted on exit, SIGTERM included), or None without binaries."""
    binaries = find_binaries()
    if binaries is None:
        yield None
        return
    previous = signal.signal(signal.SIGTERM, _terminated)  # so ``kill`` still runs the cleanup below
    running = PgCluster.start(binaries)
    postmaster = int((running.data / "postmaster.pid").read_text().split()[0])
    try:
        yield running
    finally:
        running.stop()
        _ensure_gone(postmaster, running.data)
        signal.signal(signal.SIGTERM, previous)


def _ensure_gone(pid: int, data: Path) -> None:
    """Belt and braces: if ``stop`` left our server running, end it as ``pg_ctl -m immediate`` would."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return  # gone (or no /proc): nothing to do
    if str(data).encode() in command:  # still our postmaster, not a reused pid
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGQUIT)
            print(f"[bench] PostgreSQL {pid} outlived PgCluster.stop; sent SIGQUIT", file=sys.stderr)


class Databases:
    """Fresh databases on one cluster, migrated ones copied from a template migrated once; dropped on close.

    The bench makes one on its own cluster; the smoke tests make one on the test session's cluster.
    """

    def __init__(self, running: PgCluster, template: str | None = None) -> None:
        self.cluster = running
        self._template = template
        self._made: list[str] = []

    def fresh(self, *, migrated: bool = True) -> str:
        """The dsn of a new database: migrated (a copy of the template) or empty."""
        name = f"bench_{uuid.uuid4().hex[:10]}"
        self._made.append(name)
        return self.cluster.create_database(name, template=self._migrated_template() if migrated else "template0")

    def _migrated_template(self) -> str:
        if self._template is None:
            name = f"bench_template_{uuid.uuid4().hex[:6]}"
            dsn = self.cluster.create_database(name, template="template0")
            self._made.append(name)
            with ThreadPoolExecutor(max_workers=1) as pool:  # a loop of its own: the caller may be inside one
                pool.submit(asyncio.run, _migrate(dsn)).result(timeout=120)
            self._template = name
        return self._template

    def close(self) -> None:
        """Drop every database made here (copies first, the template last)."""
        for name in reversed(self._made):
            self.cluster.drop_database(name)
        self._made.clear()


async def _migrate(dsn: str) -> None:
    async with PostgresDatabase.open(dsn, max_size=1) as db:
        await migrate(db)


@asynccontextmanager
async def pg_core(dsn: str, *, pool_size: int = BOT_POOL_SIZE, seed: int = 7) -> AsyncIterator[BenchCore]:
    """The service on a migrated PostgreSQL database, built as ``bot.app.open_core`` builds it."""
    bank = YamlQuestionBank.load(CONTENT_DIR)
    clock = SimulatedClock(BENCH_START)
    async with PostgresDatabase.open(dsn, max_size=pool_size) as db:
        store = SqlQuizStore(db)
        service = QuizService(store, bank, clock, random.Random(seed), default_timezone="UTC",
                              cards=FsrsCardScheduler())
        yield BenchCore(db, store, bank, service, clock)
