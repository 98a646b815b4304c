"""The click burst both adapter benchmarks share: paced arrivals, payload-to-ack latency, stored-once check.

Clicks arrive open-loop at ``rate`` per second (``inf``: all at once), the way
users click regardless of how busy the bot is; a click's latency runs from the
moment its payload reaches the adapter to the moment the platform (the fake)
has its acknowledgement. The loop, the adapter, the service, SQLite and the
fake all share one process and its CPU, as the bot shares a host with nothing
faster.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.common import Figure, budget, info, percentile
from bot.engine.model import ServerKey
from bot.storage.database import Database

ACK_BUDGET_MS = 50.0
DONE_TIMEOUT = 300.0


@dataclass
class BurstResult:
    """Timestamps of one burst (``time.perf_counter`` seconds) and the database's view of it."""

    sent: dict[str, float]
    acked: dict[str, float]
    answered: dict[str, float]
    stored: int
    players: int


async def paced(items: Sequence[str], rate: float, fire: Callable[[str], None]) -> dict[str, float]:
    """Call ``fire(item)`` for each item at ``rate`` per second; return when each was fired."""
    sent: dict[str, float] = {}
    start = time.perf_counter()
    for n, item in enumerate(items):
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[item] = time.perf_counter()
        fire(item)
    return sent


async def until_done(done: Callable[[], bool], what: str, timeout: float = DONE_TIMEOUT) -> None:
    """Poll ``done`` until it holds, failing after ``timeout`` seconds."""
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"burst did not finish: {what}")
        await asyncio.sleep(0.01)


async def stored(db: Database, server: ServerKey, round_id: int) -> tuple[int, int]:
    """(attempts, distinct players) stored for the round."""
    rows = await db.conn.execute_fetchall(
        "SELECT count(*), count(DISTINCT user_id) FROM attempts WHERE round_id = ? AND platform = ?"
        " AND server_id = ?", (round_id, server.platform, server.server_id))
    count, players = next(iter(rows))
    return int(count), int(players)


def figures(bench: str, result: BurstResult, clicks: int, rate: float, how: str) -> list[Figure]:
    """p99 ack against the 50 ms budget, plus context rows and the stored-once count."""
    acks = [(result.acked[k] - result.sent[k]) * 1000 for k in result.sent if k in result.acked]
    verdicts = [(result.answered[k] - result.sent[k]) * 1000 for k in result.sent if k in result.answered]
    span = max(result.answered.values()) - min(result.sent.values())
    pace = "all at once" if rate == float("inf") else f"{rate:,.0f} clicks/s"
    missing = clicks - len(acks)
    wrong = abs(result.stored - clicks) + abs(result.players - clicks) + missing
    return [
        budget(bench, "p99 payload to ack", percentile(acks, 99), "ms", ACK_BUDGET_MS, f"< {ACK_BUDGET_MS:g} ms",
               baseline=percentile(acks, 50), baseline_label="p50 of the same burst",
               note=f"{clicks:,} clicks arriving {pace}; {how}"),
        info(bench, "p99 payload to private verdict", percentile(verdicts, 99), "ms"),
        info(bench, "answers/s over the burst", clicks / span, "answers/s",
             "Clicks stored per second from the first payload to the last verdict."),
        Figure(bench, "answers not stored exactly once", "0", float(wrong), "answers", ratio=float(wrong),
               limit=0.0, note=f"{result.stored:,} attempts from {result.players:,} players; {missing} clicks"
               " never acknowledged."),
    ]
