"""5,000 concurrent answers through ``QuizService`` and real SQLite, against a raw ``sqlite3`` baseline.

The baseline does the least work an answer needs (insert the answer, upsert
the player's total, commit) with the stdlib driver in this same process, so
the ratio says what the service, aiosqlite's thread hop and the triggers cost
on this machine. Afterwards a wave of duplicate clicks must all be refused and
the board totals must equal the attempts table: nothing lost, nothing doubled.

The same burst on PostgreSQL (``answers[postgres]``) is ``bench.answers_pg``;
``python -m bench.answers --backend sqlite|postgres`` runs one half.
"""

from __future__ import annotations

import asyncio
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench.common import BACKENDS, BenchCore, Figure, Stopwatch, bench_core, info, percentile
from bot.engine.errors import AlreadyAnswered, StorageUnavailable
from bot.engine.model import Question, ServerKey

BENCH = "answers"
SERVER = ServerKey("discord", "bench-guild")
TARGET_RATE = 5_000.0
RATIO_LIMIT = 0.5


def choices_for(question: Question, n: int) -> frozenset[int]:
    """Three in five answer right, the rest pick a wrong choice of the right size."""
    if n % 5 < 3:
        return question.answer
    wrong = [i for i in range(len(question.choices)) if i not in question.answer]
    return frozenset(wrong[: len(question.answer)])


async def burst(core: BenchCore, round_id: int, question: Question, users: int | Sequence[int],
                server: ServerKey = SERVER) -> tuple[float, list[float]]:
    """Submit one answer per user (``u0``… or the given numbers, in that order), all at once.

    Returns the elapsed time, each call's latency and how many were refused (the user was told
    nothing was saved: ``StorageUnavailable``).
    """
    latencies: list[float] = []
    refused = 0

    async def one(n: int) -> None:
        nonlocal refused
        start = time.perf_counter()
        try:
            await core.service.submit_answer(round_id, server.player(f"u{n}"), choices_for(question, n))
        except StorageUnavailable:
            refused += 1
        latencies.append(time.perf_counter() - start)

    with Stopwatch() as sw:
        await asyncio.gather(*(one(n) for n in (range(users) if isinstance(users, int) else users)))
    return sw.seconds, latencies, refused


async def duplicates(core: BenchCore, round_id: int, question: Question, users: int,
                     server: ServerKey = SERVER) -> int:
    """Everyone clicks again at once; return how many second answers were accepted (must be 0)."""
    async def again(n: int) -> bool:
        try:
            await core.service.submit_answer(round_id, server.player(f"u{n}"), question.answer)
        except AlreadyAnswered:
            return False
        return True

    return sum(await asyncio.gather(*(again(n) for n in range(users))))


async def consistency(core: BenchCore, round_id: int, server: ServerKey = SERVER) -> dict[str, int]:
    """The attempts table against every board bucket the triggers keep (the round is the server's only one)."""
    attempts, points, players = await core.db.fetch_one(  # type: ignore[misc]
        "SELECT count(*), coalesce(sum(points), 0), count(DISTINCT user_id) FROM attempts WHERE round_id = ?",
        (round_id,))
    buckets = await core.db.fetch_all(
        "SELECT period, sum(answered), sum(points), max(answered) FROM board_totals"
        " WHERE platform = ? AND server_id = ? GROUP BY period", (server.platform, server.server_id))
    report = {"attempts": attempts, "points": points, "players": players, "buckets": len(buckets)}
    for period, answered, total, most in buckets:
        if (answered, total, most) != (attempts, points, 1):
            report[f"bad:{period}"] = answered
    return report


def raw_baseline(path: Path, users: int) -> float:
    """Answers per second of BEGIN; INSERT answer; UPSERT total; COMMIT with the stdlib driver."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"):
            conn.execute(pragma)
        conn.execute("CREATE TABLE answers (round_id INTEGER, platform TEXT, server_id TEXT, user_id TEXT,"
                     " choices TEXT, correct INTEGER, points INTEGER, answered_at TEXT,"
                     " PRIMARY KEY (round_id, platform, server_id, user_id))")
        conn.execute("CREATE TABLE totals (platform TEXT, server_id TEXT, user_id TEXT, points INTEGER,"
                     " answered INTEGER, PRIMARY KEY (platform, server_id, user_id)) WITHOUT ROWID")
        with Stopwatch() as sw:
            for n in range(users):
                points = 10 if n % 5 < 3 else 0
                conn.execute("BEGIN")
                conn.execute("INSERT INTO answers VALUES (1, 'discord', 'g', ?, '1', ?, ?, ?)",
                             (f"u{n}", int(points > 0), points, "2026-11-24T12:00:00.000000+00:00"))
                conn.execute("INSERT INTO totals VALUES ('discord', 'g', ?, ?, 1) ON CONFLICT DO UPDATE SET"
                             " points = points + excluded.points, answered = answered + 1", (f"u{n}", points))
                conn.execute("COMMIT")
        return users / sw.seconds
    finally:
        conn.close()


def consistency_note(report: dict[str, int], doubled: int, users: int) -> str:
    broken = sorted(k for k in report if k.startswith("bad:"))
    note = (f"{report['attempts']:,} attempts, {doubled} of {users // 10:,} duplicate clicks accepted,"
            f" {report['buckets']} board buckets checked against the attempts table")
    return note + (f"; mismatched: {', '.join(broken)}." if broken else ".")


async def run(users: int = 5_000, backends: Sequence[str] = BACKENDS) -> list[Figure]:
    """The answer-path figures on each backend asked for (PostgreSQL when its binaries exist)."""
    figures = await run_sqlite(users) if "sqlite" in backends else []
    if "postgres" in backends:
        from bench import answers_pg

        figures += await answers_pg.run(users)
    return figures


async def run_sqlite(users: int = 5_000) -> list[Figure]:
    """The answer-path figures on SQLite."""
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
        base_rate = raw_baseline(Path(tmp) / "raw.db", users)
        async with bench_core(Path(tmp)) as core:
            await core.service.update_config(SERVER, "channel", "c1")
            opened = await core.service.open_daily(SERVER)
            elapsed, latencies, _refused = await burst(core, opened.round.id, opened.question, users)
            doubled = await duplicates(core, opened.round.id, opened.question, users // 10)
            report = await consistency(core, opened.round.id)
    rate = users / elapsed
    lost = users - report["attempts"]
    broken = sorted(k for k in report if k.startswith("bad:"))
    return [
        Figure(BENCH, "service throughput vs raw sqlite3", f">= {RATIO_LIMIT:.0%} of raw sqlite3", rate,
               "answers/s", base_rate, "raw sqlite3 insert+upsert", rate / base_rate, RATIO_LIMIT, ">=",
               f"{users:,} answers gathered at once on one aiosqlite connection; baseline is the stdlib driver,"
               " one transaction per answer, same process."),
        Figure(BENCH, "service throughput", f">= {TARGET_RATE:,.0f} answers/s", rate, "answers/s",
               ratio=rate / TARGET_RATE, limit=1.0, better=">="),
        info(BENCH, "p50 latency (all submitted at once)", percentile(latencies, 50) * 1000, "ms"),
        info(BENCH, "p99 latency (all submitted at once)", percentile(latencies, 99) * 1000, "ms",
             "Every call starts at t0, so p99 is close to the whole burst's duration."),
        Figure(BENCH, "lost + double-counted answers", "0", float(lost + doubled + len(broken)), "answers",
               ratio=float(lost + doubled + len(broken)), limit=0.0, note=consistency_note(report, doubled, users)),
    ]


if __name__ == "__main__":
    from bench.__main__ import run_alone

    run_alone(BENCH)
