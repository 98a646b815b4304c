"""Trigger parity: the same INSERTs on SQLite and PostgreSQL must leave the same trigger-kept rows.

Boards, streaks and team boards are kept by triggers written twice (``migrations/*.sql`` for
SQLite, ``migrations/postgres/*.sql`` as plpgsql). Each case below is a list of plain SQL
statements with literal values that both dialects accept; running a case on a fresh schema and
reading ``TRIGGER_TABLES`` in key order must give identical rows (values and Python types) on both.
SQLite is the reference: its triggers are the specification.

Run by hand against any PostgreSQL 15 database (a scratch schema is created and dropped)::

    .venv/bin/python -m tests.storage.trigger_parity postgresql://postgres@127.0.0.1:55432/postgres
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[2]
SQLITE_MIGRATIONS = ROOT / "migrations"
POSTGRES_MIGRATIONS = SQLITE_MIGRATIONS / "postgres"

Rows = list[tuple[object, ...]]
Snapshot = dict[str, Rows]

# Table -> its primary key, which is also the read order (byte order on both: SQLite BINARY, PG "C").
TRIGGER_TABLES = {
    "board_totals": "platform, server_id, period, user_id",
    "streaks": "platform, server_id, user_id",
    "team_totals": "team_id, period",
    "team_active": "team_id, period, user_id",
    "teams": "id",  # members: open stints, kept by team_members triggers (0009)
}
SNAPSHOT_QUERIES = {table: f"SELECT * FROM {table} ORDER BY {key}" for table, key in TRIGGER_TABLES.items()}  # noqa: S608

W1, W2, M1, M2 = "w2026-W48", "w2026-W49", "m2026-11", "m2026-12"


def _lit(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _values(table: str, row: dict[str, object]) -> str:
    return f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(_lit(v) for v in row.values())})"  # noqa: S608


def rnd(round_id: int, seq: int | None = None, on_board: int = 1, server: str = "s1", platform: str = "discord") -> str:
    """A round; ``seq`` makes it the server's daily round number ``seq``, else a practice round."""
    return _values("rounds", {
        "id": round_id, "platform": platform, "server_id": server, "kind": "daily" if seq else "practice",
        "question_id": f"q{round_id}", "opened_at": f"2026-11-{round_id % 28 + 1:02d}T09:00:00Z",
        "daily_seq": seq, "timezone": "UTC", "on_board": on_board,
    })


def answer(round_id: int, user: str, correct: int, points: int, *, seq: int | None = None, on_board: int = 1,
           week: str = W1, month: str = M1, server: str = "s1", platform: str = "discord") -> dict[str, Any]:
    """An attempts row as the store inserts it (``seq`` given = an answer to daily round ``seq``)."""
    return {
        "round_id": round_id, "platform": platform, "server_id": server, "user_id": user,
        "question_id": f"q{round_id}", "choices": "0", "correct": correct, "points": points,
        "answered_at": f"2026-11-{round_id % 28 + 1:02d}T10:00:00Z", "kind": "daily" if seq else "practice",
        "topic": "sqs", "domain": 1, "on_board": on_board, "week_key": week, "month_key": month, "daily_seq": seq,
    }


def ans(round_id: int, user: str, correct: int, points: int, **kw: Any) -> str:
    """One attempt's single-row INSERT (keywords as ``answer``)."""
    return _values("attempts", answer(round_id, user, correct, points, **kw))


def batch(*rows: dict[str, Any]) -> str:
    """One answer batch as ``SqlQuizStore._insert_attempts`` sends it: a multi-row INSERT … ON CONFLICT DO
    NOTHING, rows sorted by the attempts primary key (stably: of two rows with one key the first stays first).

    On PostgreSQL that is one statement, so one run of each statement trigger over all its rows (migration
    0007); SQLite runs its row triggers per row in this order. Both must leave the same rows.
    """
    ordered = sorted(rows, key=lambda r: (r["round_id"], r["platform"], r["server_id"], r["user_id"]))
    return multi(*(_values("attempts", r) for r in ordered)) + " ON CONFLICT DO NOTHING"


def team(team_id: int, name: str, server: str = "s1") -> str:
    """A team."""
    return _values("teams", {"id": team_id, "platform": "discord", "server_id": server, "name": name,
                             "created_at": "2026-11-01T00:00:00Z"})


def join(user: str, team_id: int, joined_at: str, server: str = "s1") -> str:
    """An open stint of ``user`` in a team."""
    return _values("team_members", {"platform": "discord", "server_id": server, "user_id": user,
                                    "team_id": team_id, "joined_at": joined_at})


def leave(user: str, left_at: str, server: str = "s1") -> str:
    """Close ``user``'s open stint."""
    return (f"UPDATE team_members SET left_at = {_lit(left_at)} WHERE platform = 'discord'"  # noqa: S608
            f" AND server_id = {_lit(server)} AND user_id = {_lit(user)} AND left_at IS NULL")


def multi(*inserts: str) -> str:
    """One multi-row INSERT from single-row ones into the same table, as the store's answer batches are."""
    head, first = inserts[0].split(" VALUES ")
    return f"{head} VALUES {', '.join([first, *(i.split(' VALUES ')[1] for i in inserts[1:])])}"


PARITY_CASES: list[tuple[str, list[str]]] = [
    ("board: on_board 1 counts in all/week/month, on_board 0 nowhere; correct 0 and 1", [
        rnd(1), rnd(2), rnd(3, on_board=0), rnd(4),
        ans(1, "u1", 1, 5), ans(2, "u1", 0, 0), ans(3, "u1", 1, 5, on_board=0),
        ans(4, "u1", 1, 5, week=W2, month=M2), ans(1, "u2", 0, 0), ans(3, "u3", 1, 5, on_board=0),
    ]),
    ("board: user ids order byte-wise (mixed case, digits, punctuation) as in SQLite", [
        rnd(1), *(ans(1, u, 1, 5) for u in ("alice", "Bob", "10", "9", "_x", "sqs-2", "sqs1", "Ärger", "zoë")),
    ]),
    ("board: platforms and servers keep separate totals for the same user id", [
        rnd(1), rnd(2, server="s2"), rnd(3, platform="slack"),
        ans(1, "u1", 1, 5), ans(2, "u1", 1, 7, server="s2"), ans(3, "u1", 0, 0, platform="slack"),
    ]),
    ("board: multi-row insert with a duplicate answer; the ignored rows fire nothing", [
        rnd(1), rnd(2),
        multi(ans(1, "u1", 1, 5), ans(1, "u2", 0, 0), ans(1, "u1", 0, 0)) + " ON CONFLICT DO NOTHING",
        ans(1, "u2", 1, 5) + " ON CONFLICT DO NOTHING",
        ans(2, "u1", 1, 5) + " ON CONFLICT DO NOTHING",
    ]),
    ("streak: consecutive correct daily answers continue", [
        rnd(1, 1), rnd(2, 2), rnd(3, 3),
        ans(1, "u1", 1, 10, seq=1), ans(2, "u1", 1, 10, seq=2), ans(3, "u1", 1, 10, seq=3),
    ]),
    ("streak: a wrong answer resets current to 0, best stays; first answer wrong starts at 0", [
        *(rnd(i, i) for i in range(1, 6)),
        ans(1, "u1", 1, 10, seq=1), ans(2, "u1", 1, 10, seq=2), ans(3, "u1", 0, 0, seq=3), ans(4, "u1", 1, 10, seq=4),
        ans(1, "u2", 0, 0, seq=1), ans(2, "u2", 1, 10, seq=2),
    ]),
    ("streak: a skipped daily round breaks the streak (restarts at 1)", [
        *(rnd(i, i) for i in range(1, 6)),
        ans(1, "u1", 1, 10, seq=1), ans(2, "u1", 1, 10, seq=2), ans(3, "u1", 1, 10, seq=3), ans(5, "u1", 1, 10, seq=5),
    ]),
    ("streak: a late answer to an older daily round changes nothing", [
        *(rnd(i, i) for i in range(1, 6)),
        ans(1, "u1", 1, 10, seq=1), ans(2, "u1", 1, 10, seq=2), ans(4, "u1", 1, 10, seq=4), ans(3, "u1", 1, 10, seq=3),
        ans(2, "u2", 1, 10, seq=2), ans(1, "u2", 0, 0, seq=1), ans(3, "u2", 1, 10, seq=3),
        ans(5, "u3", 1, 10, seq=5), ans(4, "u3", 0, 0, seq=4),
    ]),
    ("streak: practice answers never touch streaks; off-board daily rounds still do", [
        rnd(1, 1, on_board=0), rnd(2), rnd(3, 2),
        ans(1, "u1", 1, 10, seq=1, on_board=0), ans(2, "u1", 0, 0), ans(3, "u1", 1, 10, seq=2), ans(2, "u2", 1, 5),
    ]),
    ("team: the open stint at answer time gets the points; closed stints and no team get none", [
        team(1, "Alpha"), team(2, "Beta"), *(rnd(i) for i in range(1, 7)),
        ans(1, "u1", 1, 5),                                   # no team yet
        join("u1", 1, "2026-11-02T00:00:00Z"), join("u2", 1, "2026-11-02T00:00:00Z"),
        ans(2, "u1", 1, 5), ans(2, "u2", 0, 0), ans(3, "u1", 0, 0, week=W2, month=M2),
        ans(4, "u1", 1, 5, on_board=0),                       # off the board: no team credit either
        leave("u1", "2026-11-05T00:00:00Z"),
        ans(5, "u1", 1, 5),                                   # between teams
        join("u1", 2, "2026-11-06T00:00:00Z"),
        ans(6, "u1", 1, 5, week=W2, month=M2), ans(6, "u2", 1, 5, week=W2, month=M2),
        leave("u2", "2026-11-07T00:00:00Z"), join("u2", 1, "2026-11-08T00:00:00Z"),
        ans(5, "u2", 1, 5),                                   # rejoined the same team
    ]),
    ("team: daily answers count for teams and streaks together", [
        team(1, "Alpha"), join("u1", 1, "2026-11-01T00:00:00Z"), join("u2", 1, "2026-11-01T00:00:00Z"),
        rnd(1, 1), rnd(2, 2),
        ans(1, "u1", 1, 10, seq=1), ans(1, "u2", 1, 10, seq=1), ans(2, "u1", 1, 10, seq=2, week=W2),
    ]),
    # Answer batches: one multi-row statement, as the store sends a loop tick's answers. PostgreSQL's
    # statement triggers (0007) aggregate the statement's rows; the totals must equal the per-row ones.
    ("batch: several answers per player in one statement, on_board 0 and 1, weeks and months mixed", [
        *(rnd(i, on_board=0 if i == 3 else 1) for i in range(1, 5)),
        batch(answer(4, "u2", 1, 5, week=W2, month=M2), answer(1, "u1", 1, 5), answer(2, "u1", 0, 0),
              answer(3, "u1", 1, 5, on_board=0), answer(4, "u1", 1, 5, week=W2, month=M2), answer(1, "u2", 0, 0),
              answer(2, "u2", 1, 7), answer(3, "u3", 1, 5, on_board=0)),
        batch(answer(1, "u3", 1, 5), answer(2, "u3", 1, 5), answer(4, "u3", 0, 0, week=W2, month=M2)),
    ]),
    ("batch: duplicates within and across statements count once; a batch of duplicates changes nothing", [
        rnd(1), rnd(2, 1), team(1, "Alpha"), join("u1", 1, "2026-11-01T00:00:00Z"),
        batch(answer(1, "u1", 1, 5), answer(1, "u2", 1, 5), answer(1, "u1", 0, 0), answer(2, "u1", 1, 10, seq=1)),
        batch(answer(1, "u1", 0, 0), answer(2, "u1", 0, 0, seq=1), answer(1, "u2", 0, 0)),
        batch(answer(1, "u2", 1, 5), answer(1, "u3", 1, 5), answer(2, "u3", 0, 0, seq=1)),
    ]),
    ("batch: several platforms, servers and byte-ordered user ids in one statement", [
        rnd(1), rnd(2, server="s2"), rnd(3, platform="slack"),
        batch(*(answer(r, u, 1, 5, server="s2" if r == 2 else "s1", platform="slack" if r == 3 else "discord")
                for r in (3, 1, 2) for u in ("zoë", "Bob", "10", "9", "_x", "alice"))),
    ]),
    ("batch: a player's two daily rounds in one statement continue, break or restart the streak", [
        *(rnd(i, i) for i in range(1, 8)),
        batch(answer(1, "u1", 1, 10, seq=1), answer(1, "u2", 1, 10, seq=1), answer(1, "u3", 0, 0, seq=1)),
        batch(answer(3, "u1", 1, 10, seq=3), answer(2, "u1", 1, 10, seq=2), answer(2, "u2", 0, 0, seq=2),
              answer(3, "u2", 1, 10, seq=3), answer(3, "u3", 1, 10, seq=3), answer(2, "u4", 1, 10, seq=2),
              answer(4, "u4", 1, 10, seq=4)),
        batch(answer(5, "u1", 1, 10, seq=5), answer(6, "u1", 1, 10, seq=6), answer(7, "u1", 0, 0, seq=7),
              answer(6, "u2", 1, 10, seq=6), answer(5, "u3", 1, 10, seq=5), answer(4, "u3", 1, 10, seq=4)),
    ]),
    ("batch: late answers in a statement (older round than the streak's last) change nothing", [
        *(rnd(i, i) for i in range(1, 6)),
        ans(4, "u1", 1, 10, seq=4), ans(5, "u2", 1, 10, seq=5),
        batch(answer(2, "u1", 1, 10, seq=2), answer(3, "u1", 1, 10, seq=3), answer(5, "u1", 1, 10, seq=5),
              answer(1, "u2", 1, 10, seq=1), answer(4, "u2", 0, 0, seq=4)),
    ]),
    ("batch: daily and practice answers in one statement; practice never touches streaks", [
        rnd(1, 1), rnd(2), rnd(3, 2, on_board=0), rnd(4, on_board=0),
        batch(answer(1, "u1", 1, 10, seq=1), answer(2, "u1", 1, 5), answer(3, "u1", 1, 10, seq=2, on_board=0),
              answer(4, "u1", 0, 0, on_board=0), answer(2, "u2", 1, 5), answer(4, "u3", 1, 5, on_board=0)),
    ]),
    ("batch: team stints open or closed when the statement runs; many answers per team in one statement", [
        team(1, "Alpha"), team(2, "Beta"), team(3, "Gamma"), *(rnd(i) for i in range(1, 5)),
        join("u1", 1, "2026-11-01T00:00:00Z"), join("u2", 1, "2026-11-01T00:00:00Z"),
        join("u3", 2, "2026-11-01T00:00:00Z"), join("u5", 3, "2026-11-01T00:00:00Z"),
        leave("u5", "2026-11-02T00:00:00Z"),                  # closed before: no team credit
        batch(answer(1, "u3", 1, 5), answer(1, "u1", 1, 5), answer(1, "u2", 0, 0), answer(2, "u1", 1, 7),
              answer(2, "u4", 1, 5), answer(1, "u5", 1, 5), answer(2, "u3", 1, 5, week=W2, month=M2),
              answer(3, "u2", 1, 5, on_board=0)),
        leave("u1", "2026-11-03T00:00:00Z"), join("u1", 2, "2026-11-03T00:00:00Z"),
        join("u4", 2, "2026-11-03T00:00:00Z"), join("u5", 3, "2026-11-03T00:00:00Z"),
        batch(answer(3, "u1", 1, 5), answer(3, "u4", 0, 0), answer(4, "u1", 1, 5, week=W2, month=M2),
              answer(4, "u2", 1, 5, week=W2), answer(3, "u5", 1, 5), answer(4, "u5", 0, 0, week=W2, month=M2)),
    ]),
    ("batch: a bucket key listed twice (week = month) counts twice, as per row", [
        team(1, "Alpha"), join("u1", 1, "2026-11-01T00:00:00Z"), rnd(1), rnd(2),
        batch(answer(1, "u1", 1, 5, week="x", month="x"), answer(2, "u1", 1, 5, week="x", month="x"),
              answer(1, "u2", 0, 0, week="all", month=M1)),
    ]),
]

# (description, setup, a statement both dialects must refuse): keys and constraints, not triggers.
REJECTED_CASES: list[tuple[str, list[str], str]] = [
    ("one answer per person per round", [rnd(1), ans(1, "u1", 1, 5)], ans(1, "u1", 0, 0)),
    ("team names are unique ignoring ASCII case", [team(1, "Alpha")], team(2, "aLPHA")),
    ("one open stint per player", [team(1, "A"), team(2, "B"), join("u1", 1, "t1")], join("u1", 2, "t2")),
    ("daily_seq is unique per server", [rnd(1, 1)], rnd(2, 1)),
    ("a daily round needs a daily_seq", [], rnd(1).replace("'practice'", "'daily'")),
    ("an attempt needs its round", [], ans(9, "u1", 1, 5)),
]
# Statements both must accept after the setup (partial unique indexes and ASCII-only folding).
ACCEPTED_CASES: list[tuple[str, list[str], str]] = [
    ("a deleted team's name can be taken again",
     [team(1, "Alpha"), "UPDATE teams SET deleted_at = 'x' WHERE id = 1"], team(2, "alpha")),
    ("non-ASCII letters are not case-folded (NOCASE = lower() under C)", [team(1, "Ärger")], team(2, "ärger")),
    ("the same team name on another server", [team(1, "Alpha")], team(2, "Alpha", server="s2")),
]


def read_trigger_tables(fetch: Callable[[str], Iterable[Sequence[object]]]) -> Snapshot:
    """Every trigger-kept table in key order, through any ``fetch(sql) -> rows`` (sync drivers)."""
    return {table: [tuple(r) for r in fetch(sql)] for table, sql in SNAPSHOT_QUERIES.items()}


async def aread_trigger_tables(fetch: Callable[[str], Awaitable[Iterable[Sequence[object]]]]) -> Snapshot:
    """Same as ``read_trigger_tables`` for async drivers (aiosqlite, asyncpg)."""
    return {table: [tuple(r) for r in await fetch(sql)] for table, sql in SNAPSHOT_QUERIES.items()}


def differences(expected: Snapshot, actual: Snapshot) -> list[str]:
    """Row-for-row differences, types included (an int read back as Decimal or bool is a difference)."""
    def typed(rows: Rows) -> list[tuple[tuple[str, object], ...]]:
        return [tuple((type(v).__name__, v) for v in row) for row in rows]
    return [f"{table}: sqlite {expected[table]} != postgres {actual.get(table)}"
            for table in expected if typed(expected[table]) != typed(actual.get(table, []))]


def sqlite_connection() -> sqlite3.Connection:
    """A fresh in-memory SQLite database at the head of ``migrations/`` with foreign keys on."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("PRAGMA foreign_keys=ON")
    for path in sorted(SQLITE_MIGRATIONS.glob("*.sql")):
        conn.executescript(path.read_text(encoding="utf-8"))
    return conn


def sqlite_snapshot(statements: Sequence[str]) -> Snapshot:
    """Run a case on a fresh SQLite database and read the trigger-kept tables."""
    conn = sqlite_connection()
    try:
        for statement in statements:
            conn.execute(statement)
        return read_trigger_tables(lambda sql: conn.execute(sql).fetchall())
    finally:
        conn.close()


async def apply_postgres_migrations(conn: asyncpg.Connection) -> None:
    """Apply ``migrations/postgres`` as the runner does: each file one script in its own transaction."""
    for path in sorted(POSTGRES_MIGRATIONS.glob("*.sql")):
        async with conn.transaction():
            await conn.execute(path.read_text(encoding="utf-8"))


async def postgres_snapshot(conn: asyncpg.Connection, statements: Sequence[str]) -> Snapshot:
    """Run a case on a migrated schema inside a transaction that is rolled back, and read the tables."""
    tx = conn.transaction()
    await tx.start()
    try:
        for statement in statements:
            await conn.execute(statement)
        return await aread_trigger_tables(conn.fetch)
    finally:
        await tx.rollback()


def sqlite_refuses(setup: Sequence[str], statement: str) -> bool:
    """Whether SQLite rejects ``statement`` after ``setup`` with a constraint error."""
    conn = sqlite_connection()
    try:
        for s in setup:
            conn.execute(s)
        conn.execute(statement)
    except sqlite3.IntegrityError:
        return True
    finally:
        conn.close()
    return False


async def postgres_refuses(conn: asyncpg.Connection, setup: Sequence[str], statement: str) -> bool:
    """Whether PostgreSQL rejects ``statement`` after ``setup`` with a constraint error (rolled back)."""
    tx = conn.transaction()
    await tx.start()
    try:
        for s in setup:
            await conn.execute(s)
        await conn.execute(statement)
    except asyncpg.IntegrityConstraintViolationError:
        return True
    finally:
        await tx.rollback()
    return False


async def compare(dsn: str) -> list[str]:
    """Every case on both backends, in a scratch schema of ``dsn`` dropped afterwards; the failures."""
    conn = await asyncpg.connect(dsn, timeout=10)
    schema = "trigger_parity"
    failures: list[str] = []
    try:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}")
        await conn.execute(f"SET search_path = {schema}")
        await apply_postgres_migrations(conn)
        for description, statements in PARITY_CASES:
            failures += [f"{description}: {d}" for d in
                         differences(sqlite_snapshot(statements), await postgres_snapshot(conn, statements))]
        for description, setup, statement in REJECTED_CASES + ACCEPTED_CASES:
            want = (description, setup, statement) in REJECTED_CASES
            got = (sqlite_refuses(setup, statement), await postgres_refuses(conn, setup, statement))
            if got != (want, want):
                failures.append(f"{description}: refused (sqlite, postgres) = {got}, expected {want}")
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()
    return failures


def main(argv: Sequence[str]) -> int:
    """Compare every case against the PostgreSQL at ``argv[0]``; exit 1 on any difference."""
    failures = asyncio.run(compare(argv[0]))
    total = len(PARITY_CASES) + len(REJECTED_CASES) + len(ACCEPTED_CASES)
    failed = len({f.split(": ", 1)[0] for f in failures})
    sys.stdout.write("".join(f"DIFF {f}\n" for f in failures) + f"{total - failed}/{total} cases agree\n")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
