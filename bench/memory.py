"""RSS of the running bot (< 150 MB) with the 1,000-item bank and 10,000 configured servers.

A child process does what ``bot.app.run`` does, minus connecting: ``open_core``
on the generated bank and a database holding 10,000 enabled servers, the
Discord and Slack runtimes from ``build_platforms`` (built, not connected),
and ``SchedulingRuntime.start()`` with one live APScheduler job per server.
It then reports its resident set. The baseline is a child that only imports
the same modules, so the difference is what the data and jobs cost.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.bank import generate
from bench.common import ROOT, Figure, budget
from bot.engine.model import ServerConfig, ServerKey
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.quiz_store import SqlQuizStore

BENCH = "memory"
BUDGET_MB = 150.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set of this process in MB, from /proc."""
    fields = {}
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


async def seed(db_path: Path, servers: int) -> None:
    """Enable ``servers`` servers (half Discord, half Slack) posting six hours from now, so none is due."""
    post = (datetime.now(UTC) + timedelta(hours=6)).strftime("%H:%M")
    async with Database.open(db_path) as db:
        await migrate(db)
        store = SqlQuizStore(db)
        for n in range(servers):
            platform = "discord" if n % 2 else "slack"
            await store.save_config(ServerConfig(server=ServerKey(platform, str(10_000_000 + n)), timezone="UTC",
                                                 channel_id=str(20_000_000 + n), enabled=True, post_time=post,
                                                 weekdays=WEEKDAYS))


async def child(content: Path, db_path: Path) -> dict[str, float]:
    """The bot's start-up minus the network; returns RSS figures and the job count."""
    from bot.app import build_platforms, open_core
    from bot.engine.service import SystemClock
    from bot.scheduling.runtime import SchedulingRuntime
    from bot.settings import Secret, Settings
    from bot.storage.daily_store import SqlDailyStore

    settings = Settings(database_path=db_path, content_dir=content, discord_token=Secret("bench-token"),
                        slack_bot_token=Secret("xoxb-bench"), slack_signing_secret=Secret("bench-secret"))
    async with open_core(settings) as core:
        platforms = build_platforms(core, settings)
        notifiers = {name: runtime.notifier for name, runtime in platforms.items()}
        scheduling = SchedulingRuntime(core.service, core.store, SqlDailyStore(core.db), notifiers, SystemClock())
        await scheduling.start()
        try:
            jobs = len(scheduling.scheduler.runner.job_ids())
            rss, peak = rss_mb()
        finally:
            await scheduling.close()
            for runtime in platforms.values():
                await runtime.close()
    return {"rss": rss, "peak": peak, "jobs": jobs, "questions": len(core.bank.all())}


def imports_only() -> dict[str, float]:
    """The baseline child: the same modules imported, nothing built."""
    import bot.adapters.discord_adapter
    import bot.adapters.slack_adapter
    import bot.app
    import bot.scheduling.runtime  # noqa: F401

    rss, peak = rss_mb()
    return {"rss": rss, "peak": peak}


def spawn(*args: str) -> dict[str, float]:
    """Run this module as a child and read its JSON line."""
    done = subprocess.run([sys.executable, "-m", "bench.memory", *args],  # noqa: S603 - our own module
                          cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode:
        raise RuntimeError(f"memory child {args[0]} failed:\n{done.stderr[-2000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(servers: int = 10_000, items: int = 1_000) -> list[Figure]:
    """Seed a bank and a database in a temp dir, then measure the children."""
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
        content, db_path = Path(tmp) / "content", Path(tmp) / "quiz.db"
        content.mkdir()
        generate(content, items)
        asyncio.run(seed(db_path, servers))
        bot = spawn("--child", str(content), str(db_path))
        bare = spawn("--imports-only")
    note = (f"{int(bot['questions']):,} questions, {int(bot['jobs']):,} scheduler jobs (of {servers:,} servers),"
            f" Discord and Slack runtimes built; peak RSS {bot['peak']:.0f} MB.")
    return [budget(BENCH, "RSS of the running bot", bot["rss"], "MB", BUDGET_MB, f"< {BUDGET_MB:g} MB",
                   baseline=bare["rss"], baseline_label="same imports, nothing built", note=note)]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(asyncio.run(child(Path(sys.argv[2]), Path(sys.argv[3])))))
    elif sys.argv[1:2] == ["--imports-only"]:
        print(json.dumps(imports_only()))
    else:
        from bench.__main__ import run_alone

        run_alone(BENCH)
