"""Every board query at 1,000,000 answers in one server: < 5 ms each, and each plan uses its index.

The answers go in with ``executemany`` through the real schema, so the real
triggers build ``board_totals``, ``streaks`` and the team totals exactly as
live answers would. Queries then run through the store on the bot's own
aiosqlite connection. The baseline is the all-time board computed straight
from the attempts table (what the board would cost without trigger-kept
totals), measured on the same data.

The same boards on PostgreSQL (``leaderboard[postgres]``) are ``bench.leaderboard_pg``;
``python -m bench.leaderboard --backend sqlite|postgres`` runs one half.
"""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, timedelta
from pathlib import Path

from bench.common import BACKENDS, Figure, budget
from bot.engine.model import Period, PlayerKey, ServerKey
from bot.engine.timekeys import period_key
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.quiz_store import BOARD_SQL, RANK_SQL, STANDING_SQL, SqlQuizStore

BENCH = "leaderboard"
SERVER = ServerKey("discord", "bench-guild")
KEY = (SERVER.platform, SERVER.server_id)
BUDGET_MS = 5.0
FIRST_DAY = date(2026, 1, 1)
TEAMS = 20
BASELINE_SQL = ("SELECT user_id, sum(points) AS p, count(*), sum(correct) FROM attempts"
                " WHERE platform = ? AND server_id = ? AND on_board = 1 GROUP BY user_id ORDER BY p DESC, user_id"
                " LIMIT 10")


def load(path: Path, answers: int, users: int) -> tuple[date, int]:
    """Rounds, teams and ``answers`` attempts (``users`` per daily round); returns the last day and round count."""
    rounds = max(1, answers // users)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO rounds (id, platform, server_id, kind, question_id, opened_at, local_date, daily_seq,"
            " timezone, on_board) VALUES (?, ?, ?, 'daily', 'q', ?, ?, ?, 'UTC', 1)",
            [(r + 1, *KEY, f"{FIRST_DAY + timedelta(days=r)}T09:00:00.000000+00:00",
              (FIRST_DAY + timedelta(days=r)).isoformat(), r + 1) for r in range(rounds)])
        conn.executemany("INSERT INTO teams (id, platform, server_id, name, created_at) VALUES (?, ?, ?, ?, ?)",
                         [(t + 1, *KEY, f"team {t + 1}", "2026-01-01T00:00:00.000000+00:00")
                          for t in range(TEAMS)])
        conn.executemany("INSERT INTO team_members (platform, server_id, user_id, team_id, joined_at)"
                         " VALUES (?, ?, ?, ?, '2026-01-01T00:00:00.000000+00:00')",
                         [(*KEY, f"u{u}", u % TEAMS + 1) for u in range(users)])
        conn.executemany(
            "INSERT INTO attempts (round_id, platform, server_id, user_id, question_id, choices, correct, points,"
            " answered_at, kind, topic, domain, on_board, week_key, month_key, daily_seq)"
            " VALUES (?, ?, ?, ?, 'q', '1', ?, ?, ?, 'daily', 'sqs', 1, 1, ?, ?, ?)",
            _attempt_rows(rounds, users, answers))
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return FIRST_DAY + timedelta(days=rounds - 1), rounds


def _attempt_rows(rounds: int, users: int, answers: int):  # noqa: ANN202 - a generator of tuples
    emitted = 0
    for r in range(rounds):
        day = FIRST_DAY + timedelta(days=r)
        keys = (period_key(Period.WEEK, day), period_key(Period.MONTH, day))
        stamp = f"{day}T09:30:00.000000+00:00"
        for u in range(users):
            if emitted == answers:
                return
            correct = (u * 7 + r * 3) % 10 < 6
            yield (r + 1, *KEY, f"u{u}", int(correct), 10 * correct, stamp, *keys, r + 1)
            emitted += 1


async def timed(call: Callable[[], Awaitable[object]], repeats: int) -> float:
    """Median milliseconds of ``call`` after one warm-up."""
    await call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def last_placed(db: Database, key: str) -> PlayerKey:
    """The bottom of a bucket: its rank query counts every row above it (the worst case)."""
    rows = await db.conn.execute_fetchall(
        "SELECT user_id FROM board_totals WHERE platform = ? AND server_id = ? AND period = ?"
        " ORDER BY points, user_id DESC LIMIT 1", (*KEY, key))
    return SERVER.player(next(iter(rows))[0])


def plan_problems(steps: list[str]) -> list[str]:
    """A step that scans a table without an index, or sorts in a temp B-tree."""
    # "SCAN CONSTANT ROW" is the outer SELECT of the rank query's scalar subqueries, not a table scan.
    return [s for s in steps if (s.startswith("SCAN") and "INDEX" not in s and s != "SCAN CONSTANT ROW")
            or "TEMP B-TREE" in s]


async def plans(db: Database, store: SqlQuizStore, keys: dict[str, str]) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN of each board query, the team board captured from the store's own statement."""
    statements: list[str] = []
    await db.conn.set_trace_callback(statements.append)
    await store.team_rows(SERVER, keys["week"])
    await db.conn.set_trace_callback(None)
    queries = {"board": (BOARD_SQL, (*KEY, keys["week"], 10)),
               "rank": (RANK_SQL, (*KEY, keys["all"], 100, *KEY, keys["all"], 100, "u1")),
               "standing": (STANDING_SQL, (*KEY, keys["month"], "u1")),
               "team board": (next(s for s in statements if "team_totals" in s), ())}
    found = {}
    for name, (sql, params) in queries.items():
        async with db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params) as cursor:
            found[name] = [row[3] for row in await cursor.fetchall()]
    return found


async def run(answers: int = 1_000_000, users: int = 5_000, repeats: int = 25,
              backends: Sequence[str] = BACKENDS) -> list[Figure]:
    """The board figures on each backend asked for (PostgreSQL when its binaries exist)."""
    figures = await run_sqlite(answers, users, repeats) if "sqlite" in backends else []
    if "postgres" in backends:
        from bench import leaderboard_pg

        figures += await leaderboard_pg.run(answers, users)
    return figures


async def run_sqlite(answers: int = 1_000_000, users: int = 5_000, repeats: int = 25) -> list[Figure]:
    """Load, then time each board query per period and check its plan."""
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
        path = Path(tmp) / "quiz.db"
        async with Database.open(path) as db:
            await migrate(db)
        started = time.perf_counter()
        last_day, rounds = load(path, answers, users)
        load_s = time.perf_counter() - started
        async with Database.open(path) as db:
            store = SqlQuizStore(db)
            keys = {"week": period_key(Period.WEEK, last_day), "month": period_key(Period.MONTH, last_day),
                    "all": "all"}
            results: list[tuple[str, float]] = []
            for name, key in keys.items():
                player = await last_placed(db, key)
                results.append((f"top 10 ({name})", await timed(lambda k=key: store.leaderboard(SERVER, k, 10),
                                                                repeats)))
                results.append((f"own standing + rank, last place ({name})",
                                await timed(lambda k=key, p=player: store.standing(p, k), repeats)))
                results.append((f"team board ({name})", await timed(lambda k=key: store.team_rows(SERVER, k),
                                                                     repeats)))
            baseline = await timed(lambda: db.conn.execute_fetchall(BASELINE_SQL, KEY), 3)
            found = await plans(db, store, keys)
    note = (f"{answers:,} answers by {users:,} players over {rounds} daily rounds, {TEAMS} teams; loaded through"
            f" the real triggers in {load_s:.0f} s. Median of {repeats} runs via the store on aiosqlite.")
    figures = [budget(BENCH, figure, ms, "ms", BUDGET_MS, f"< {BUDGET_MS:g} ms", baseline=baseline,
                      baseline_label="GROUP BY over attempts", note=note if i == 0 else "")
               for i, (figure, ms) in enumerate(results)]
    bad = {name: plan_problems(steps) for name, steps in found.items()}
    shown = "; ".join(f"{name}: {' | '.join(steps)}" for name, steps in found.items())
    count = float(sum(len(v) for v in bad.values()))
    figures.append(Figure(BENCH, "plan steps without an index", "0", count, "steps", ratio=count, limit=0.0,
                          note=f"EXPLAIN QUERY PLAN — {shown}"))
    return figures


if __name__ == "__main__":
    from bench.__main__ import run_alone

    run_alone(BENCH)
