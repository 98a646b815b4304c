"""``answers[postgres]``: the 5,000-answer burst of ``bench.answers`` on PostgreSQL, against raw asyncpg.

The baseline that decides the ratio is raw asyncpg doing the least work an answer needs, with the bot's
concurrency: the same answers gathered at once over an asyncpg pool of the bot's size
(``PostgresDatabase.open``'s default, 10), each answer one statement that inserts it
(``ON CONFLICT DO NOTHING``) and, when it was new, upserts the player's total. That is the fastest correct
form of one answer without batching: one round trip, atomic, duplicate-safe, on tables with the store's
columns and collation. The bot's store does more per answer (an answer-context read, three board buckets,
the streak and the team triggers, a review-card upsert for a miss) and wins some of it back by coalescing
the answers of a loop tick into one multi-row ``INSERT … RETURNING`` (``bot.storage.batching``): the ratio
is that net. An info row gives the textbook form too, a transaction of two statements per answer.

Fairness: every run gets a fresh database and pool and a warm-up of 200 answers (connections, prepared
statements, catalog caches) before the measured burst; raw and service runs alternate ``repeats`` times and
each side's median run counts, so a noisy neighbour on the machine hits both.

Also measured: the service burst at other pool sizes (to check the default), and the burst with the
players in 20 teams arriving in shuffled order, where concurrent batches update the same ``team_totals``
rows; every answer there must be stored, none refused.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg

from bench import pg
from bench.answers import (
    BENCH,
    RATIO_LIMIT,
    SERVER,
    burst,
    consistency,
    consistency_note,
    duplicates,
)
from bench.common import BenchCore, Figure, Stopwatch, info, percentile
from bot.engine.model import ServerKey

LABEL = pg.label(BENCH)
WARMUP = 200
WARMUP_SERVER = ServerKey(SERVER.platform, "bench-warmup")
POOL_SIZES = (1, 2, 5, 10, 20)
TEAMS = 20
RAW_DDL = (
    'CREATE TABLE answers (round_id BIGINT, platform TEXT COLLATE "C", server_id TEXT COLLATE "C",'
    ' user_id TEXT COLLATE "C", choices TEXT COLLATE "C", correct INTEGER, points INTEGER,'
    ' answered_at TEXT COLLATE "C", PRIMARY KEY (round_id, platform, server_id, user_id));'
    ' CREATE TABLE totals (platform TEXT COLLATE "C", server_id TEXT COLLATE "C", user_id TEXT COLLATE "C",'
    ' points INTEGER, answered INTEGER, PRIMARY KEY (platform, server_id, user_id))'
)
_INSERT = ("INSERT INTO answers VALUES ($1, 'discord', 'g', $2, '1', $3, $4, '2026-11-24T12:00:00.000000+00:00')"
           " ON CONFLICT DO NOTHING RETURNING user_id, points")
_UPSERT = ("INSERT INTO totals VALUES ('discord', 'g', $1, $2, 1) ON CONFLICT (platform, server_id, user_id)"
           " DO UPDATE SET points = totals.points + excluded.points, answered = totals.answered + 1")
# One round trip: the insert, and the total's upsert only for a row the insert returned (a new answer).
RAW_ONE_STATEMENT = (
    "WITH a AS (INSERT INTO answers VALUES ($1, 'discord', 'g', $2, '1', $3, $4, '2026-11-24T12:00:00.000000+00:00')"
    " ON CONFLICT DO NOTHING RETURNING user_id, points)"
    " INSERT INTO totals SELECT 'discord', 'g', user_id, points, 1 FROM a ON CONFLICT (platform, server_id, user_id)"
    " DO UPDATE SET points = totals.points + excluded.points, answered = totals.answered + 1"
)


@dataclass
class Run:
    """One measured burst."""

    rate: float
    p50_ms: float
    p99_ms: float
    refused: int = 0
    report: dict[str, int] = field(default_factory=dict)
    doubled: int = 0


def _run(users: int, seconds: float, latencies: list[float], refused: int = 0) -> Run:
    return Run(users / seconds, percentile(latencies, 50) * 1000, percentile(latencies, 99) * 1000, refused)


async def raw_burst(dsn: str, users: int, pool_size: int, *, one_statement: bool = True, warmup: int = WARMUP) -> Run:
    """The baseline: each answer its own statement (or transaction) on a shared pool, all at once."""
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=pool_size)
    try:
        await pool.execute(RAW_DDL)
        latencies: list[float] = []

        async def one(round_id: int, n: int) -> None:
            start = time.perf_counter()
            points = 10 if n % 5 < 3 else 0
            if one_statement:
                await pool.execute(RAW_ONE_STATEMENT, round_id, f"u{n}", int(points > 0), points)
            else:
                async with pool.acquire() as conn, conn.transaction():
                    if await conn.fetchrow(_INSERT, round_id, f"u{n}", int(points > 0), points):
                        await conn.execute(_UPSERT, f"u{n}", points)
            latencies.append(time.perf_counter() - start)

        await asyncio.gather(*(one(0, n) for n in range(warmup)))
        latencies.clear()
        with Stopwatch() as sw:
            await asyncio.gather(*(one(1, n) for n in range(users)))
        return _run(users, sw.seconds, latencies)
    finally:
        await pool.close()


async def _team_up(core: BenchCore, users: int) -> None:
    """``TEAMS`` teams with the players spread over them, as the team commands would leave them."""
    await core.db.execute(
        "INSERT INTO teams (platform, server_id, name, created_at) SELECT ?, ?, 'team ' || g, ?"
        " FROM generate_series(1, CAST(? AS INTEGER)) AS g", (*_key(SERVER), "2026-01-01T00:00:00.000000+00:00", TEAMS))
    await core.db.execute(
        "INSERT INTO team_members (platform, server_id, user_id, team_id, joined_at)"
        " SELECT ?, ?, 'u' || g, (SELECT min(id) FROM teams) + g % CAST(? AS INTEGER), ?"
        " FROM generate_series(0, CAST(? AS INTEGER) - 1) AS g",
        (*_key(SERVER), TEAMS, "2026-01-01T00:00:00.000000+00:00", users))


def _key(server: ServerKey) -> tuple[str, str]:
    return server.platform, server.server_id


async def service_burst(dsn: str, users: int, pool_size: int, *, teams: bool = False, check: bool = False,
                        warmup: int = WARMUP) -> Run:
    """The burst through ``QuizService`` on a fresh migrated database, after a warm-up on another server.

    With ``teams`` the players are in ``TEAMS`` teams and arrive in shuffled order; with ``check`` a wave of
    duplicate clicks follows and the boards are checked against the attempts table.
    """
    async with pg.pg_core(dsn, pool_size=pool_size) as core:
        for server in (WARMUP_SERVER, SERVER):
            await core.service.update_config(server, "channel", "c1")
        warm = await core.service.open_daily(WARMUP_SERVER)
        await burst(core, warm.round.id, warm.question, warmup, server=WARMUP_SERVER)
        if teams:
            await _team_up(core, users)
        opened = await core.service.open_daily(SERVER)
        order = list(range(users))
        if teams:
            random.Random(11).shuffle(order)
        seconds, latencies, refused = await burst(core, opened.round.id, opened.question, order)
        run = _run(users, seconds, latencies, refused)
        if check:
            run.doubled = await duplicates(core, opened.round.id, opened.question, users // 10)
        run.report = await consistency(core, opened.round.id)
        return run


def _median(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.rate)[len(runs) // 2]


async def measure(dbs: pg.Databases, users: int, repeats: int, pool_sizes: Sequence[int],
                  warmup: int = WARMUP) -> list[Figure]:
    """Every ``answers[postgres]`` figure, on databases from ``dbs``."""
    size = pg.BOT_POOL_SIZE
    raws, textbook, services = [], [], []
    for i in range(repeats):
        raws.append(await raw_burst(dbs.fresh(migrated=False), users, size, warmup=warmup))
        textbook.append(await raw_burst(dbs.fresh(migrated=False), users, size, one_statement=False, warmup=warmup))
        services.append(await service_burst(dbs.fresh(), users, size, check=i == 0, warmup=warmup))
    raw, service = _median(raws), _median(services)
    checked = services[0]
    sweep = {n: await service_burst(dbs.fresh(), users, n, warmup=warmup) for n in pool_sizes}
    teamed = await service_burst(dbs.fresh(), users, size, teams=True, warmup=warmup)
    return [
        Figure(LABEL, "service throughput vs raw asyncpg", f">= {RATIO_LIMIT:.0%} of raw asyncpg", service.rate,
               "answers/s", raw.rate, "raw asyncpg, 1 statement per answer", service.rate / raw.rate, RATIO_LIMIT,
               ">=", f"{users:,} answers gathered at once over an asyncpg pool of {size} (the bot's default);"
               f" baseline: the same answers and pool, one INSERT…ON CONFLICT + total upsert statement each."
               f" Medians of {repeats} alternating runs: service {_rates(services)}, raw {_rates(raws)} answers/s."),
        info(LABEL, "raw asyncpg, 2-statement transaction per answer", _median(textbook).rate, "answers/s",
             f"The textbook form (BEGIN; INSERT; UPSERT; COMMIT), same pool; runs: {_rates(textbook)} answers/s."),
        info(LABEL, "p50 latency (all submitted at once)", service.p50_ms, "ms"),
        info(LABEL, "p99 latency (all submitted at once)", service.p99_ms, "ms",
             f"Raw baseline p50 {raw.p50_ms:.0f} ms, p99 {raw.p99_ms:.0f} ms. Every call starts at t0."),
        _lost(checked, users),
        *(info(LABEL, f"service throughput, pool of {n}", run.rate, "answers/s",
               f"p50 {run.p50_ms:.0f} ms, p99 {run.p99_ms:.0f} ms; one run each.") for n, run in sweep.items()),
        info(LABEL, f"service throughput, {TEAMS} teams, shuffled arrival", teamed.rate, "answers/s",
             f"p50 {teamed.p50_ms:.0f} ms, p99 {teamed.p99_ms:.0f} ms, pool of {size}."),
        _teams_figure(teamed, users, size),
    ]


def _teams_figure(run: Run, users: int, pool_size: int) -> Figure:
    stored = run.report["attempts"]
    broken = [k for k in run.report if k.startswith("bad:")]
    missing = float(users - stored + len(broken))  # refused (the user was told) plus any lost silently
    why = (" Concurrent batches upsert the same team_totals rows in their own row order, so PostgreSQL finds"
           " deadlocks and aborts whole batches; their users are told nothing was saved (StorageUnavailable)."
           if run.refused else "")
    return Figure(LABEL, f"answers refused or lost in a burst with {TEAMS} teams", "0", missing, "answers",
                  ratio=missing, limit=0.0,
                  note=f"{stored:,} of {users:,} stored, {run.refused:,} refused, pool of {pool_size},"
                  f" {len(broken)} board buckets off.{why}")


def _rates(runs: list[Run]) -> str:
    return ", ".join(f"{r.rate:,.0f}" for r in runs)


def _lost(run: Run, users: int) -> Figure:
    broken = [k for k in run.report if k.startswith("bad:")]
    bad = float(users - run.report["attempts"] + run.doubled + len(broken))
    return Figure(LABEL, "lost + double-counted answers", "0", bad, "answers", ratio=bad, limit=0.0,
                  note=consistency_note(run.report, run.doubled, users))


async def run(users: int = 5_000, repeats: int = 3, pool_sizes: Sequence[int] = POOL_SIZES) -> list[Figure]:
    """Start a throwaway cluster, measure, stop it; an info row saying so when PostgreSQL is missing."""
    with pg.cluster() as running:
        if running is None:
            return pg.skipped(BENCH)
        dbs = pg.Databases(running)
        try:
            return await measure(dbs, users, repeats, pool_sizes)
        finally:
            dbs.close()


if __name__ == "__main__":
    import sys

    from bench.__main__ import main

    sys.exit(main([BENCH, "--backend", "postgres"]))
