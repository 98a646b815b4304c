"""Load and validate a 1,000-item bank (< 0.5 s), generated from the shipped ``content/*.yaml``.

The shipped items are copied, per topic file, with fresh ids (``<topic>-9NN``)
and a prompt marked as a variant, until the bank holds the asked number of
items; the loader then runs every check it runs at start (schema, ids, prompts,
lengths, topics). The baseline is a bare ``yaml.safe_load`` of the same files,
so the ratio to it shows what validation costs on top of parsing.
"""

from __future__ import annotations

import tempfile
import time
from itertools import cycle
from pathlib import Path
from typing import Any

import yaml

from bench.common import CONTENT_DIR, Figure, budget
from bot.storage.question_bank import YamlQuestionBank

BENCH = "bank"
BUDGET_S = 0.5
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def generate(target: Path, items: int, source: Path = CONTENT_DIR) -> int:
    """Write a bank of ``items`` questions into ``target``; return how many were written."""
    files = {path.stem: yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader
             for path in sorted(source.glob("*.yaml"))}
    originals = [(topic, item) for topic, doc in files.items() for item in doc["items"]]
    if items <= len(originals):
        keep = {id(item) for _topic, item in originals[:items]}
        for doc in files.values():
            doc["items"] = [i for i in doc["items"] if id(i) in keep]
    else:
        copies = cycle(originals)
        serial = dict.fromkeys(files, 900)
        for _ in range(items - len(originals)):
            topic, item = next(copies)
            files[topic]["items"].append(variant(item, topic, serial[topic]))
            serial[topic] += 1
    for topic, doc in files.items():
        if not doc["items"]:
            continue
        (target / f"{topic}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
                                              encoding="utf-8")
    return sum(len(doc["items"]) for doc in files.values())


def variant(item: dict[str, Any], topic: str, serial: int) -> dict[str, Any]:
    """A copy with a new id and a prompt that no other item has."""
    return {**item, "id": f"{topic}-{serial:03d}", "prompt": f"(Variant {serial}) {item['prompt']}"}


def timed(call: Any, repeats: int) -> float:  # noqa: ANN401 - any zero-argument callable
    """Best of ``repeats`` runs in seconds (the host is shared; the minimum is the least disturbed run)."""
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return min(samples)


def run(items: int = 1_000, repeats: int = 5) -> list[Figure]:
    """Generate, then time the loader against a bare YAML parse."""
    with tempfile.TemporaryDirectory(prefix="quizbot-bench-") as tmp:
        directory = Path(tmp)
        written = generate(directory, items)
        loaded = len(YamlQuestionBank.load(directory).all())
        seconds = timed(lambda: YamlQuestionBank.load(directory), repeats)
        parse = timed(lambda: [yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
                               for p in sorted(directory.glob("*.yaml"))], repeats)
    if loaded != written:
        raise AssertionError(f"generated {written} items but the loader accepted {loaded}")
    return [budget(BENCH, f"load + validate {loaded:,} items", seconds, "s", BUDGET_S, f"< {BUDGET_S:g} s",
                   baseline=parse, baseline_label="bare YAML parse of the same files",
                   note=f"Best of {repeats} loads of a bank generated from content/*.yaml into a temp dir.")]


if __name__ == "__main__":
    from bench.__main__ import run_alone

    run_alone(BENCH)
