"""Load ``leaderboard[postgres]``'s million answers fast, leaving exactly what the triggers would leave.

Through the real per-row triggers a million answers take far too long on PostgreSQL (measured on this
2-CPU machine: about 0.2 ms a row without teams, 1 ms with 20 teams, and growing, since every board
update is a non-HOT update of ``board_rank``'s ``points`` and hot team rows build version chains
within a transaction). So the history is loaded in one transaction as ``SET-BASED`` below says:

1. ``COPY`` the rounds, teams and memberships, then every answer but the last round's into
   ``attempts`` with its three triggers disabled (``ALTER TABLE … DISABLE TRIGGER``, re-enabled
   before commit; the foreign-key checks stay on);
2. build ``board_totals``, ``team_totals``, ``team_active`` and ``streaks`` with one
   ``INSERT … SELECT`` each that computes what the triggers compute row by row (``BUILD_SQL``);
3. ``VACUUM ANALYZE`` (what autovacuum would long since have done for old rounds);
4. the last round's answers go through the real answer path: ``SqlQuizStore.add_attempt``,
   coalesced into multi-row inserts, real triggers; their dead row versions stay unvacuumed, like
   the newest answers of a live bot.

The equivalence holds for this load's shape (memberships fixed before the answers, every daily round
answered in ``daily_seq`` order, so no late answers) and is checked, not assumed: ``parity`` loads the
same generator at a small size once through the triggers and once this way and compares every
trigger-kept row; at full size ``invariant_mismatches`` compares every bucket's sums with the attempts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from bench.leaderboard import FIRST_DAY, KEY, SERVER, TEAMS, _attempt_rows
from bot.engine.model import Attempt, RoundKind
from bot.storage.postgres import PostgresDatabase
from bot.storage.quiz_store import SqlQuizStore

Record = tuple[Any, ...]
TRIGGERS = ("attempts_board", "attempts_streak", "attempts_team")
ATTEMPT_COLUMNS = ("round_id", "platform", "server_id", "user_id", "question_id", "choices", "correct", "points",
                   "answered_at", "kind", "topic", "domain", "on_board", "week_key", "month_key", "daily_seq")
_BUCKETS = "CROSS JOIN LATERAL (VALUES ('all'), (a.week_key), (a.month_key)) AS b (period)"
_MEMBER = ("JOIN team_members AS m ON m.platform = a.platform AND m.server_id = a.server_id"
           " AND m.user_id = a.user_id AND m.left_at IS NULL")
BUILD_SQL = (
    # attempts_board: +points, +1 answered, +correct in 'all', the week and the month, for on_board rows.
    "INSERT INTO board_totals (platform, server_id, period, user_id, points, answered, correct)"  # noqa: S608 - constant fragments
    f" SELECT a.platform, a.server_id, b.period, a.user_id, sum(a.points), count(*), sum(a.correct)"
    f" FROM attempts AS a {_BUCKETS} WHERE a.on_board = 1 GROUP BY 1, 2, 3, 4",
    # attempts_team: the same per team of the player's open stint, and the player active in each bucket.
    "INSERT INTO team_totals (team_id, period, points, answered, correct)"  # noqa: S608 - constant fragments
    f" SELECT m.team_id, b.period, sum(a.points), count(*), sum(a.correct) FROM attempts AS a {_MEMBER}"
    f" {_BUCKETS} WHERE a.on_board = 1 GROUP BY 1, 2",
    f"INSERT INTO team_active (team_id, period, user_id) SELECT DISTINCT m.team_id, b.period, a.user_id"  # noqa: S608 - constant fragments
    f" FROM attempts AS a {_MEMBER} {_BUCKETS} WHERE a.on_board = 1",
    # team_active_count (0008): active = the players of the bucket's team_active rows.
    "UPDATE team_totals AS t SET active = (SELECT count(*) FROM team_active AS a"
    " WHERE a.team_id = t.team_id AND a.period = t.period)",
    # attempts_streak over in-order daily answers: current = the run of consecutive correct daily_seq
    # ending at the player's last answer (0 when that one was wrong), best = the longest such run,
    # last_seq = the last answered daily_seq. Runs are islands of daily_seq - row_number().
    "INSERT INTO streaks (platform, server_id, user_id, current, best, last_seq)"
    " WITH d AS (SELECT platform, server_id, user_id, daily_seq, correct FROM attempts WHERE kind = 'daily'),"
    " runs AS (SELECT platform, server_id, user_id, max(daily_seq) AS run_end, count(*) AS len FROM"
    "  (SELECT *, daily_seq - row_number() OVER (PARTITION BY platform, server_id, user_id ORDER BY daily_seq)"
    "   AS island FROM d WHERE correct <> 0) AS c GROUP BY platform, server_id, user_id, island),"
    " last AS (SELECT platform, server_id, user_id, max(daily_seq) AS last_seq FROM d GROUP BY 1, 2, 3)"
    " SELECT l.platform, l.server_id, l.user_id,"
    "  coalesce(max(r.len) FILTER (WHERE r.run_end = l.last_seq), 0), coalesce(max(r.len), 0), l.last_seq"
    " FROM last AS l LEFT JOIN runs AS r USING (platform, server_id, user_id)"
    " GROUP BY l.platform, l.server_id, l.user_id, l.last_seq",
)
SNAPSHOTS = {
    "board_totals": "SELECT * FROM board_totals ORDER BY platform, server_id, period, user_id",
    "streaks": "SELECT * FROM streaks ORDER BY platform, server_id, user_id",
    "team_totals": "SELECT * FROM team_totals ORDER BY team_id, period",
    "team_active": "SELECT * FROM team_active ORDER BY team_id, period, user_id",
}
# Every bucket's sums from board_totals (and, every player being in a team, from team_totals) against
# the same sums computed from attempts: rows in one and not the other.
_FROM_ATTEMPTS = (f"SELECT b.period, sum(a.points) AS p, count(*) AS n, sum(a.correct) AS c FROM attempts AS a"  # noqa: S608 - constant fragments
                  f" {_BUCKETS} WHERE a.on_board = 1 GROUP BY b.period")
INVARIANT_SQL = " + ".join(
    f"(SELECT count(*) FROM (({mine} EXCEPT {_FROM_ATTEMPTS}) UNION ALL ({_FROM_ATTEMPTS} EXCEPT {mine})) AS x)"  # noqa: S608 - constant fragments
    for mine in ("SELECT period, sum(points), sum(answered), sum(correct) FROM board_totals GROUP BY period",
                 "SELECT period, sum(points), sum(answered), sum(correct) FROM team_totals GROUP BY period")
)


def _records(rows: Iterator[Record]) -> Iterator[Record]:
    """The SQLite loader's attempt tuples as full ``attempts`` records (its constant columns filled in)."""
    for r, platform, server_id, user, correct, points, stamp, week, month, seq in rows:
        yield r, platform, server_id, user, "q", "1", correct, points, stamp, "daily", "sqs", 1, 1, week, month, seq


async def _copy_setup(conn: asyncpg.Connection, rounds: int, users: int) -> None:
    """Rounds, teams and memberships (ids kept, identities moved past them)."""
    days = [FIRST_DAY + timedelta(days=r) for r in range(rounds)]
    await conn.copy_records_to_table(
        "rounds", columns=["id", "platform", "server_id", "kind", "question_id", "opened_at", "local_date",
                           "daily_seq", "timezone", "on_board"],
        records=[(r + 1, *KEY, "daily", "q", f"{d}T09:00:00.000000+00:00", d.isoformat(), r + 1, "UTC", 1)
                 for r, d in enumerate(days)])
    await conn.copy_records_to_table(
        "teams", columns=["id", "platform", "server_id", "name", "created_at"],
        records=[(t + 1, *KEY, f"team {t + 1}", "2026-01-01T00:00:00.000000+00:00") for t in range(TEAMS)])
    await conn.copy_records_to_table(
        "team_members", columns=["platform", "server_id", "user_id", "team_id", "joined_at"],
        records=[(*KEY, f"u{u}", u % TEAMS + 1, "2026-01-01T00:00:00.000000+00:00") for u in range(users)])
    for table in ("rounds", "teams"):
        await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}")  # noqa: S608 - constant fragments


async def load_through_triggers(dsn: str, answers: int, users: int) -> None:
    """The reference: every answer ``COPY``'d with the triggers on (slow; for ``parity`` sizes only)."""
    rounds = max(1, answers // users)
    conn = await asyncpg.connect(dsn)
    try:
        await _copy_setup(conn, rounds, users)
        await conn.copy_records_to_table("attempts", columns=ATTEMPT_COLUMNS,
                                         records=_records(_attempt_rows(rounds, users, answers)))
    finally:
        await conn.close()


async def load(dsn: str, answers: int, users: int) -> tuple[date, int, int]:
    """The fast load described above; returns the last day, the round count and the answers sent live."""
    rounds = max(1, answers // users)
    history = (row for row in _records(_attempt_rows(rounds, users, answers)) if row[0] != rounds)
    live = [row for row in _records(_attempt_rows(rounds, users, answers)) if row[0] == rounds]
    conn = await asyncpg.connect(dsn)
    try:
        await _copy_setup(conn, rounds, users)
        async with conn.transaction():
            await conn.execute(f"ALTER TABLE attempts DISABLE TRIGGER {', DISABLE TRIGGER '.join(TRIGGERS)}")
            await conn.copy_records_to_table("attempts", columns=ATTEMPT_COLUMNS, records=history)
            for sql in BUILD_SQL:
                await conn.execute(sql)
            await conn.execute(f"ALTER TABLE attempts ENABLE TRIGGER {', ENABLE TRIGGER '.join(TRIGGERS)}")
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    await answer_live(dsn, live)
    return FIRST_DAY + timedelta(days=rounds - 1), rounds, len(live)


async def answer_live(dsn: str, rows: list[Record], chunk: int = 500) -> None:
    """The last round through the store, one coalesced ``INSERT`` per chunk, chunks one after another."""
    async with PostgresDatabase.open(dsn) as db:
        store = SqlQuizStore(db)
        for start in range(0, len(rows), chunk):
            await asyncio.gather(*(store.add_attempt(_attempt(row)) for row in rows[start:start + chunk]))
        await db.execute("ANALYZE", ())


def _attempt(row: Record) -> Attempt:
    r, _p, _s, user, _q, _c, correct, points, stamp, _k, topic, domain, on_board, week, month, seq = row
    return Attempt(r, SERVER.player(user), "q", frozenset({1}), bool(correct), points,
                   datetime.fromisoformat(stamp).astimezone(UTC), RoundKind.DAILY, topic, domain, bool(on_board),
                   (week, month), seq)


async def snapshot(dsn: str) -> dict[str, list[Record]]:
    """Every trigger-kept row, in key order."""
    conn = await asyncpg.connect(dsn)
    try:
        return {table: [tuple(r) for r in await conn.fetch(sql)] for table, sql in SNAPSHOTS.items()}
    finally:
        await conn.close()


async def parity(reference_dsn: str, fast_dsn: str, answers: int, users: int) -> tuple[int, int, float]:
    """Load both ways; return (rows that differ, rows compared, seconds of the reference load)."""
    started = time.perf_counter()
    await load_through_triggers(reference_dsn, answers, users)
    reference_s = time.perf_counter() - started
    await load(fast_dsn, answers, users)
    expected, got = await snapshot(reference_dsn), await snapshot(fast_dsn)
    differ = sum(len(set(expected[t]) ^ set(got[t])) + abs(len(expected[t]) - len(got[t])) for t in SNAPSHOTS)
    return differ, sum(len(rows) for rows in expected.values()), reference_s


async def invariant_mismatches(dsn: str) -> int:
    """Buckets whose board or team sums differ from the attempts table's."""
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval(f"SELECT {INVARIANT_SQL}"))
    finally:
        await conn.close()
