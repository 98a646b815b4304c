"""What every benchmark shares: the figure record, results files, percentiles and a real core on a temp DB.

Pass/fail is decided by a ratio, never by a raw time: either measured over a
baseline measured in the same run (``answers``, ``fanout``), or measured over
the target's budget where DESIGN.md states an absolute budget (ratio <= 1
passes). The baseline column always holds a figure measured in this run, so
a reader can see how fast this machine was.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.engine.service import QuizService
from bot.scheduling.jobs import SimulatedClock
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.database import Database
from bot.storage.migrations import migrate
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore

log = logging.getLogger(__name__)

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
CONTENT_DIR = ROOT / "content"
RESULTS_JSON = BENCH_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "RESULTS.md"
# A Tuesday noon: daily rounds are open, the period keys are stable.
BENCH_START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
BENCHES = ("answers", "answers_discord", "answers_slack", "leaderboard", "fanout", "bank", "memory")
BACKENDS = ("sqlite", "postgres")


def base_name(bench: str) -> str:
    """``answers[postgres]`` -> ``answers``: the benchmark a results row belongs to."""
    return bench.split("[", 1)[0]


@dataclass(frozen=True)
class Figure:
    """One row of RESULTS.md.

    ``ratio`` is compared with ``limit`` in the direction ``better`` ("<=" or ">=");
    a figure with ``limit`` None is informational and neither passes nor fails.
    """

    bench: str
    figure: str
    target: str
    measured: float
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    limit: float | None = None
    better: str = "<="
    note: str = ""

    @property
    def passed(self) -> bool | None:
        """None for an informational row, else whether the ratio is within its limit."""
        if self.limit is None:
            return None
        if self.ratio is None or math.isnan(self.ratio):
            return False
        return self.ratio <= self.limit if self.better == "<=" else self.ratio >= self.limit


def budget(bench: str, figure: str, measured: float, unit: str, limit_value: float, target: str, *,
           baseline: float | None = None, baseline_label: str = "", note: str = "") -> Figure:
    """A figure with an absolute budget from DESIGN.md: ratio = measured / budget, passes at <= 1."""
    return Figure(bench, figure, target, measured, unit, baseline, baseline_label,
                  measured / limit_value, 1.0, "<=", note)


def info(bench: str, figure: str, measured: float, unit: str, note: str = "") -> Figure:
    """A figure reported for context, with no target of its own."""
    return Figure(bench, figure, "—", measured, unit, note=note)


def percentile(samples: list[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of a non-empty sample."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


class Stopwatch:
    """``with Stopwatch() as sw: ...`` then ``sw.seconds``."""

    def __enter__(self) -> Stopwatch:
        self._start = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *_exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


@dataclass
class BenchCore:
    """The real stack the bot runs on: database, store, bank and service, with a settable clock."""

    db: Database
    store: SqlQuizStore
    bank: YamlQuestionBank
    service: QuizService
    clock: SimulatedClock


@asynccontextmanager
async def bench_core(directory: Path, *, content: Path = CONTENT_DIR, seed: int = 7) -> AsyncIterator[BenchCore]:
    """Open and migrate ``directory``/quiz.db and build the service as ``bot.app.open_core`` does."""
    bank = YamlQuestionBank.load(content)
    clock = SimulatedClock(BENCH_START)
    async with Database.open(directory / "quiz.db") as db:
        await migrate(db)
        store = SqlQuizStore(db)
        service = QuizService(store, bank, clock, random.Random(seed), default_timezone="UTC",
                              cards=FsrsCardScheduler())
        yield BenchCore(db, store, bank, service, clock)


def fmt(value: float | None) -> str:
    """Compact numbers for the table."""
    if value is None:
        return "—"
    if math.isinf(value):
        return "∞"
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def _load(meta: dict[str, object]) -> str:
    """", load average 5.2 -> 6.1": other work on the machine slows every absolute figure (not the ratios)."""
    if meta.get("load_at_start") is None:
        return ""
    return f", load average {meta['load_at_start']} at start, {meta.get('load_at_end', '?')} at end"


def _verdict(figure: Figure) -> str:
    return {None: "info", True: "PASS", False: "FAIL"}[figure.passed]


def markdown(figures: list[Figure], meta: dict[str, object]) -> str:
    """RESULTS.md: one table, one row per figure, then the notes."""
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` ({meta.get('when', '?')}, Python {meta.get('python', '?')},"
        f" {meta.get('cpus', '?')} CPUs{_load(meta)}). Pass/fail is decided by the ratio column: measured over the"
        " baseline measured in the same run where the target is relative, measured over the budget where DESIGN.md"
        " gives an absolute budget (then <= 1 passes). Rows marked *info* have no target of their own.",
        "",
        "| bench | figure | target | measured | baseline (same run) | ratio | pass |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    notes = []
    for f in figures:
        base = f"{fmt(f.baseline)} {f.unit} ({f.baseline_label})" if f.baseline is not None else "—"
        ratio = fmt(f.ratio) if f.ratio is not None else "—"
        if f.ratio is not None and f.limit is not None:
            ratio += f" ({f.better} {fmt(f.limit)})"
        lines.append(f"| {f.bench} | {f.figure} | {f.target} | {fmt(f.measured)} {f.unit} | {base} | {ratio}"
                     f" | {_verdict(f)} |")
        if f.note:
            notes.append(f"- **{f.bench} / {f.figure}**: {f.note}")
    if notes:
        lines += ["", "## Notes", "", *notes]
    return "\n".join(lines) + "\n"


def write_results(figures: list[Figure], meta: dict[str, object], *, merge: bool) -> None:
    """Write results.json and RESULTS.md; ``merge`` keeps other benchmarks' rows from an earlier run."""
    rows = [asdict(f) | {"passed": f.passed} for f in figures]
    if merge and RESULTS_JSON.exists():
        ran = {f.bench for f in figures}
        earlier = json.loads(RESULTS_JSON.read_text(encoding="utf-8")).get("figures", [])
        rows = [r for r in earlier if r["bench"] not in ran] + rows
    # By benchmark, its SQLite rows before its ``[postgres]`` rows; sort is stable within each.
    rows.sort(key=lambda r: (BENCHES.index(base_name(r["bench"])) if base_name(r["bench"]) in BENCHES
                             else len(BENCHES), r["bench"] != base_name(r["bench"])))
    RESULTS_JSON.write_text(json.dumps({"meta": meta, "figures": rows}, indent=2) + "\n", encoding="utf-8")
    kept = [Figure(**{k: v for k, v in r.items() if k != "passed"}) for r in rows]
    RESULTS_MD.write_text(markdown(kept, meta), encoding="utf-8")
