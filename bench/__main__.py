"""``python -m bench``: run every benchmark at full size, write results.json and RESULTS.md.

``python -m bench answers leaderboard`` runs only those; ``python -m bench.<name>``
runs one. A partial run keeps the other benchmarks' rows from the last run.
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

from bench.common import BENCHES, Figure, write_results

log = logging.getLogger(__name__)



def run_one(name: str) -> list[Figure]:
    """Import ``bench.<name>`` and run its ``run()`` at full size."""
    module = importlib.import_module(f"bench.{name}")
    started = time.perf_counter()
    result = module.run()
    figures: list[Figure] = asyncio.run(result) if inspect.iscoroutine(result) else result
    print(f"[bench] {name}: {time.perf_counter() - started:.1f}s", file=sys.stderr)
    for f in figures:
        verdict = {None: "info", True: "PASS", False: "FAIL"}[f.passed]
        print(f"  {verdict:4}  {f.figure}: {f.measured:,.4g} {f.unit}"
              + (f"  (ratio {f.ratio:.3g})" if f.ratio is not None else ""), file=sys.stderr)
    return figures


def meta() -> dict[str, object]:
    """Where and when the figures were taken."""
    return {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "python": platform.python_version(),
            "cpus": os.cpu_count(), "machine": platform.machine()}


def run_alone(name: str) -> None:
    """Entry point of ``python -m bench.<name>``."""
    sys.exit(main([name]))


def main(names: list[str]) -> int:
    """Run ``names`` (all when empty); exit status 1 when a figure failed."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHES)}", file=sys.stderr)
        return 2
    figures: list[Figure] = []
    for name in names or BENCHES:
        figures.extend(run_one(name))
    write_results(figures, meta(), merge=bool(names))
    failed = [f for f in figures if f.passed is False]
    print(f"[bench] {len(figures)} figures, {len(failed)} failed; see bench/RESULTS.md", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
