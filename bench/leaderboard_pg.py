"""``leaderboard[postgres]``: every board query at 1,000,000 answers on PostgreSQL: p50 and p99 < 5 ms, on an index.

The data is ``bench.leaderboard``'s (one server, 5,000 players, 20 teams, 200 daily rounds), loaded as
``bench.pg_board_load`` explains: history by ``COPY`` plus set-based totals checked against the real
triggers in the same run, then vacuumed; the last round live through the store. The figures are timed in
that state, as players read the boards right after a daily round: the live round's row versions are not
vacuumed yet, so index-only scans still visit the heap for them. Each row's note gives the same query after
``VACUUM`` too. Queries run through the store on the bot's asyncpg pool, ``repeats`` times each after a
warm-up (past the five executions after which PostgreSQL may switch a prepared statement to its generic
plan); percentiles are nearest-rank.

Plans are read with EXPLAIN: the custom plan for the timed values and the plan a prepared statement runs
after five executions (custom or generic, PostgreSQL's choice) both count; a node on ``board_totals`` must
be an Index (Only) Scan, and no Seq Scan may touch a table that grows with players. Problems only a forced
generic plan would have are noted. The baseline is the all-time board computed from the attempts table,
on the same data.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bench import pg
from bench.common import Figure, budget, percentile
from bench.leaderboard import BASELINE_SQL, BENCH, BUDGET_MS, KEY, SERVER, TEAMS
from bench.pg_board_load import invariant_mismatches, load, parity
from bot.engine.model import Period, PlayerKey
from bot.engine.timekeys import period_key
from bot.storage.database import Database, Executor, Row
from bot.storage.postgres import PostgresDatabase, to_dollar
from bot.storage.quiz_store import BOARD_SQL, RANK_SQL, STANDING_SQL, SqlQuizStore

LABEL = pg.label(BENCH)
PARITY_ANSWERS, PARITY_USERS = 2_000, 50
# Tables that grow with players and answers: a Seq Scan on one is a finding. teams and team_totals
# (teams x buckets: 740 rows here) stay small enough for the planner to scan.
BIG_TABLES = ("board_totals", "team_active", "team_members", "attempts", "streaks")


class Recording(Database):
    """The bot's database, remembering the statements the store sends (to EXPLAIN the team board's own SQL)."""

    def __init__(self, db: PostgresDatabase) -> None:
        self._db = db
        self.dialect = db.dialect
        self.label = db.label
        self.statements: list[str] = []

    async def fetch_all(self, sql: str, params: Sequence[object] = ()) -> list[Row]:
        self.statements.append(sql)
        return await self._db.fetch_all(sql, params)

    async def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        self.statements.append(sql)
        return await self._db.execute(sql, params)

    def transaction(self) -> Any:  # noqa: ANN401 - the wrapped database's context manager
        return self._db.transaction()


async def timed(call: Callable[[], Awaitable[object]], repeats: int, warmup: int = 10) -> list[float]:
    """Milliseconds of each of ``repeats`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        await call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _literal(value: object) -> str:
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


async def explain(db: PostgresDatabase, sql: str, params: Sequence[object]) -> dict[str, list[str]]:
    """The plans of a statement: ``custom`` for these values, ``generic`` (any values), and ``used``: the one
    a prepared statement runs after the five executions that let PostgreSQL choose between them."""
    execute = "EXECUTE bench_plan (" + ", ".join(_literal(p) for p in params) + ")"
    async with db.pool.acquire() as conn:
        custom = [r[0] for r in await conn.fetch(f"EXPLAIN (COSTS OFF) {to_dollar(sql)}", *params)]
        await conn.execute(f"PREPARE bench_plan AS {to_dollar(sql)}")
        try:
            for _ in range(6):
                await conn.execute(execute)
            used = [r[0] for r in await conn.fetch(f"EXPLAIN (COSTS OFF) {execute}")]
            await conn.execute("SET plan_cache_mode = force_generic_plan")
            generic = [r[0] for r in await conn.fetch(f"EXPLAIN (COSTS OFF) {execute}")]
        finally:
            await conn.execute("DEALLOCATE bench_plan")
            await conn.execute("RESET plan_cache_mode")
    return {"custom": custom, "used": used, "generic": generic}


def plan_problems(lines: list[str]) -> list[str]:
    """Nodes on board_totals other than Index (Only) Scans, and Seq Scans on tables that grow."""
    nodes = [line.strip().removeprefix("->").strip() for line in lines]
    return [n for n in nodes if (" on board_totals" in n and not n.startswith(("Index Scan", "Index Only Scan")))
            or any(n.startswith(f"Seq Scan on {table}") for table in BIG_TABLES)]


async def _last_placed(db: Executor, key: str) -> PlayerKey:
    row = await db.fetch_one("SELECT user_id FROM board_totals WHERE platform = ? AND server_id = ? AND period = ?"
                             " ORDER BY points, user_id DESC LIMIT 1", (*KEY, key))
    return SERVER.player(row[0] if row else "u0")


async def _queries(db: PostgresDatabase, keys: dict[str, str], repeats: int) -> list[tuple[str, list[float]]]:
    store = SqlQuizStore(db)
    results: list[tuple[str, list[float]]] = []
    for name, key in keys.items():
        player = await _last_placed(db, key)
        results.append((f"top 10 ({name})", await timed(lambda k=key: store.leaderboard(SERVER, k, 10), repeats)))
        results.append((f"own standing + rank, last place ({name})",
                        await timed(lambda k=key, p=player: store.standing(p, k), repeats)))
        results.append((f"team board ({name})", await timed(lambda k=key: store.team_rows(SERVER, k), repeats)))
    return results


async def _plans(db: PostgresDatabase, keys: dict[str, str]) -> dict[str, dict[str, list[str]]]:
    recording = Recording(db)
    await SqlQuizStore(recording).team_rows(SERVER, keys["week"])
    team_sql = next(s for s in recording.statements if "team_totals" in s)
    last = await _last_placed(db, keys["all"])  # the rank query's worst case, as timed
    row = await db.fetch_one(STANDING_SQL, (*KEY, keys["all"], last.user_id))
    points = row[0] if row else 0
    queries = {"board": (BOARD_SQL, (*KEY, keys["week"], 10)),
               "rank": (RANK_SQL, (*KEY, keys["all"], points, *KEY, keys["all"], points, last.user_id)),
               "standing": (STANDING_SQL, (*KEY, keys["month"], "u1")),
               "team board": (team_sql, (keys["week"], *KEY))}
    return {name: await explain(db, sql, params) for name, (sql, params) in queries.items()}


async def measure(dbs: pg.Databases, answers: int, users: int, repeats: int) -> list[Figure]:
    """Every ``leaderboard[postgres]`` figure, on databases from ``dbs``."""
    sample = min(answers, PARITY_ANSWERS)
    differ, compared, reference_s = await parity(dbs.fresh(), dbs.fresh(), sample, min(users, PARITY_USERS))
    dsn = dbs.fresh()
    started = time.perf_counter()
    last_day, rounds, live = await load(dsn, answers, users)
    load_s = time.perf_counter() - started
    mismatched = await invariant_mismatches(dsn)
    keys = {"week": period_key(Period.WEEK, last_day), "month": period_key(Period.MONTH, last_day), "all": "all"}
    async with PostgresDatabase.open(dsn) as db:
        results = await _queries(db, keys, repeats)
        plans = await _plans(db, keys)
        baseline = statistics.median([await _ms(lambda: db.fetch_all(BASELINE_SQL, KEY)) for _ in range(3)])
        await db.execute("VACUUM ANALYZE", ())
        vacuumed = dict(await _queries(db, keys, repeats))
    figures = []
    for i, (name, samples) in enumerate(results):
        after = vacuumed[name]
        for pct in (50, 99):
            note = (f"After VACUUM: p50 {percentile(after, 50):.2f} ms, p99 {percentile(after, 99):.2f} ms."
                    + (" " + _note(answers, users, rounds, live, load_s, repeats) if i == 0 else ""))
            figures.append(budget(LABEL, f"{name} p{pct}", percentile(samples, pct), "ms", BUDGET_MS,
                                  f"< {BUDGET_MS:g} ms", baseline=baseline, baseline_label="GROUP BY over attempts",
                                  note=note if pct == 50 else ""))
    return [*figures, _plan_figure(plans), _load_figure(sample, differ, compared, reference_s, mismatched)]


async def _ms(call: Callable[[], Awaitable[object]]) -> float:
    start = time.perf_counter()
    await call()
    return (time.perf_counter() - start) * 1000


def _note(answers: int, users: int, rounds: int, live: int, load_s: float, repeats: int) -> str:
    return (f"{answers:,} answers by {users:,} players over {rounds} daily rounds, {TEAMS} teams; history by COPY"
            f" + set-based totals, then VACUUM; the last {live:,} answers live through the store and its triggers"
            f" (loaded in {load_s:.0f} s). Timed in that state, as right after a daily round: the live round's"
            f" row versions are not vacuumed yet, so index-only scans visit the heap. {repeats} timed runs per"
            " query via the store on the bot's asyncpg pool; percentiles are nearest-rank.")


def _plan_figure(plans: dict[str, dict[str, list[str]]]) -> Figure:
    checked = ("custom", "used")
    bad = {f"{name} ({kind})": plan_problems(both[kind]) for name, both in plans.items() for kind in checked}
    count = float(sum(len(v) for v in bad.values()))
    shown = "; ".join(f"{name}: {' | '.join(_node(n) for n in both['used'])}" for name, both in plans.items())
    generic = "; ".join(f"{name}: {', '.join(plan_problems(both['generic']))}" for name, both in plans.items()
                        if plan_problems(both["generic"]))
    problems = "; ".join(f"{k}: {', '.join(v)}" for k, v in bad.items() if v)
    return Figure(LABEL, "plan nodes without an index", "0", count, "nodes", ratio=count, limit=0.0,
                  note=f"EXPLAIN of the plan a prepared statement runs after 5 executions (and the custom plan):"
                  f" {shown}." + (f" Problems: {problems}." if problems else "")
                  + (f" Forced generic plans, not chosen here, would have: {generic}." if generic else ""))


def _node(line: str) -> str:
    return line.strip().removeprefix("->").strip()


def _load_figure(sample: int, differ: int, compared: int, reference_s: float, mismatched: int) -> Figure:
    wrong = float(differ + mismatched)
    return Figure(LABEL, "fast load vs the triggers: differing rows", "0", wrong, "rows", ratio=wrong, limit=0.0,
                  note=f"{sample:,} answers loaded both ways ({reference_s:.1f} s through the triggers): {differ} of"
                  f" {compared:,} trigger-kept rows differ; at full size {mismatched} board/team buckets disagree"
                  " with the attempts table.")


async def run(answers: int = 1_000_000, users: int = 5_000, repeats: int = 200) -> list[Figure]:
    """Start a throwaway cluster, measure, stop it; an info row saying so when PostgreSQL is missing."""
    with pg.cluster() as running:
        if running is None:
            return pg.skipped(BENCH)
        dbs = pg.Databases(running)
        try:
            return await measure(dbs, answers, users, repeats)
        finally:
            dbs.close()


if __name__ == "__main__":
    import sys

    from bench.__main__ import main

    sys.exit(main([BENCH, "--backend", "postgres"]))
