"""``python -m bench``: run every benchmark at full size, write results.json and RESULTS.md.

``python -m bench answers leaderboard`` runs only those; ``python -m bench.<name>``
runs one. ``--backend sqlite|postgres`` limits the benchmarks that run on both
stores (``answers``, ``leaderboard``) to one; the default runs both, PostgreSQL
on a throwaway cluster when its binaries exist. A partial run keeps the other
rows from the last run.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import os
import platform
import sys
import time
from datetime import UTC, datetime

from bench.common import BACKENDS, BENCHES, Figure, write_results

log = logging.getLogger(__name__)



def run_one(name: str, backends: tuple[str, ...] = BACKENDS) -> list[Figure]:
    """Import ``bench.<name>`` and run its ``run()`` at full size (on ``backends`` where it takes them)."""
    module = importlib.import_module(f"bench.{name}")
    started = time.perf_counter()
    takes_backends = "backends" in inspect.signature(module.run).parameters
    result = module.run(backends=backends) if takes_backends else module.run()
    figures: list[Figure] = asyncio.run(result) if inspect.iscoroutine(result) else result
    print(f"[bench] {name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    for f in figures:
        verdict = {None: "info", True: "PASS", False: "FAIL"}[f.passed]
        print(f"  {verdict:4}  {f.figure}: {f.measured:,.4g} {f.unit}"
              + (f"  (ratio {f.ratio:.3g})" if f.ratio is not None else ""), file=sys.stderr)
    return figures


def meta(load_at_start: float | None = None) -> dict[str, object]:
    """Where and when the figures were taken, and how busy the machine was (1-minute load average)."""
    return {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "python": platform.python_version(),
            "cpus": os.cpu_count(), "machine": platform.machine(), "load_at_start": load_at_start,
            "load_at_end": round(os.getloadavg()[0], 2)}


def run_alone(name: str) -> None:
    """Entry point of ``python -m bench.<name> [--backend sqlite|postgres]``."""
    sys.exit(main([name, *sys.argv[1:]]))


def _backends(args: list[str]) -> tuple[list[str], tuple[str, ...] | None]:
    """Split ``--backend X`` (or ``--backend=X``) off the benchmark names; None when X is unknown."""
    names: list[str] = []
    chosen: tuple[str, ...] = BACKENDS
    rest = iter(args)
    for arg in rest:
        if arg == "--backend" or arg.startswith("--backend="):
            value = arg.partition("=")[2] or next(rest, "")
            chosen = BACKENDS if value == "all" else (value,)
            if value not in (*BACKENDS, "all"):
                return names, None
        else:
            names.append(arg)
    return names, chosen


def main(args: list[str]) -> int:
    """Run the named benchmarks (all when none is named); exit status 1 when a figure failed."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    names, backends = _backends(args)
    if backends is None:
        print(f"--backend takes one of {', '.join(BACKENDS)} or all", file=sys.stderr)
        return 2
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    load_at_start = round(os.getloadavg()[0], 2)
    figures: list[Figure] = []
    for name in names or BENCHES:
        figures.extend(run_one(name, backends))
    write_results(figures, meta(load_at_start), merge=bool(names) or backends != BACKENDS)
    failed = [f for f in figures if f.passed is False]
    print(f"[bench] {len(figures)} figures, {len(failed)} failed; see bench/RESULTS.md", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
