"""kill -9 during an answer burst: every acknowledged answer survives, and the boards agree with the answers."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

from tests.conftest import ROOT
from tests.reliability.answer_driver import DAYS, SERVER

USERS = 2000  # 4,000 answers: far more than get acked before the kill
KILL_AFTER = 300
DEADLINE = 30.0


async def start_driver(db_path: Path, users: int) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUIZBOT_", "DISCORD_", "SLACK_"))}
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.reliability.answer_driver", str(db_path), str(users),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def read_line(proc: asyncio.subprocess.Process) -> str:
    """One stdout line, bounded by a deadline so a stuck child fails the test instead of hanging it."""
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), DEADLINE)
    return line.decode().strip()


def answer_keys(lines: list[str], kind: str) -> set[tuple[int, str]]:
    return {(int(parts[1]), parts[2]) for parts in (line.split() for line in lines) if parts[0] == kind}


def stored(db_path: Path) -> tuple[set[tuple[int, str]], list[tuple], list[tuple]]:
    """Stored (round, user) keys, board totals and the same totals recomputed from the answers."""
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        keys = {(r, u) for r, u in conn.execute("SELECT round_id, user_id FROM attempts")}
        totals = conn.execute(
            "SELECT period, user_id, points, answered, correct FROM board_totals WHERE platform = ? AND server_id = ?"
            " ORDER BY 1, 2", (SERVER.platform, SERVER.server_id)).fetchall()
        recomputed = conn.execute(
            "SELECT period, user_id, sum(points), count(*), sum(correct) FROM ("
            "  SELECT 'all' AS period, * FROM attempts UNION ALL SELECT week_key, * FROM attempts"
            "  UNION ALL SELECT month_key, * FROM attempts"
            ") WHERE on_board = 1 AND platform = ? AND server_id = ? GROUP BY 1, 2 ORDER BY 1, 2",
            (SERVER.platform, SERVER.server_id)).fetchall()
    return keys, totals, recomputed


async def test_sigkill_mid_burst_loses_no_acked_answer_and_totals_match(tmp_path: Path) -> None:
    db_path = tmp_path / "quiz.db"
    proc = await start_driver(db_path, USERS)
    assert await read_line(proc) == "ready"
    acked: list[str] = []
    while len(acked) < KILL_AFTER:
        line = await read_line(proc)
        assert line.startswith("ack "), line
        acked.append(line)
    proc.send_signal(signal.SIGKILL)
    rest, _err = await asyncio.wait_for(proc.communicate(), DEADLINE)
    assert proc.returncode == -signal.SIGKILL
    acked.extend(line for line in rest.decode().splitlines() if line.startswith("ack "))
    acked_keys = answer_keys(acked, "ack")

    keys, totals, recomputed = stored(db_path)
    assert acked_keys <= keys, f"{len(acked_keys - keys)} acked answers are missing after kill -9"
    assert len(keys) < USERS * len(DAYS), "the burst finished before the kill; raise USERS"
    assert totals == recomputed

    # Restart: the same burst again finishes the work; what was stored is refused, not double-counted.
    again = await start_driver(db_path, USERS)
    out, err = await asyncio.wait_for(again.communicate(), DEADLINE)
    assert again.returncode == 0, err.decode()[-2000:]
    lines = out.decode().splitlines()
    assert lines[0] == "ready" and lines[-1] == "done"
    assert answer_keys(lines, "dup") == keys
    final_keys, final_totals, final_recomputed = stored(db_path)
    assert len(final_keys) == USERS * len(DAYS) and answer_keys(lines, "ack") == final_keys - keys
    assert final_totals == final_recomputed
