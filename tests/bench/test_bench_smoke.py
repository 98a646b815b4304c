"""Every benchmark runs end to end at a tiny size, so `make bench` cannot rot between runs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bench import answers, answers_discord, answers_pg, answers_slack, bank, fanout, leaderboard, leaderboard_pg, memory
from bench.common import Figure
from bench.pg import Databases
from tests.pg_cluster import PgCluster


def check(figures: list[Figure], *, unchecked: tuple[str, ...] = ()) -> None:
    assert figures and all(f.measured == f.measured for f in figures)  # no NaN
    exact = [f for f in figures if f.limit == 0.0 and f.figure not in unchecked]
    assert all(f.passed for f in exact), [(f.figure, f.measured, f.note) for f in exact]


@pytest.fixture
def pg_databases(pg_cluster: PgCluster, pg_template: str) -> Iterator[Databases]:
    """Fresh databases on the session's cluster (copies of the migrated template ``pg_dsn`` uses), dropped after."""
    dbs = Databases(pg_cluster, pg_template)
    try:
        yield dbs
    finally:
        dbs.close()


async def test_answers() -> None:
    check(await answers.run(users=50, backends=("sqlite",)))


@pytest.mark.timeout(60)
async def test_answers_postgres(pg_databases: Databases) -> None:
    figures = await answers_pg.measure(pg_databases, users=50, repeats=1, pool_sizes=(2,), warmup=10)
    check(figures)
    assert {f.bench for f in figures} == {"answers[postgres]"}
    ratio = next(f for f in figures if f.figure == "service throughput vs raw asyncpg")
    assert ratio.baseline and ratio.baseline > 0 and ratio.measured > 0


async def test_answers_discord() -> None:
    check(await answers_discord.run(clicks=20, rate=float("inf")))


async def test_answers_slack() -> None:
    check(await answers_slack.run(clicks=20, rate=float("inf")))


async def test_leaderboard() -> None:
    check(await leaderboard.run(answers=2_000, users=100, repeats=2, backends=("sqlite",)))


@pytest.mark.timeout(60)
async def test_leaderboard_postgres(pg_databases: Databases) -> None:
    # At toy sizes the planner rightly scans small tables, so only the plan row is left unchecked here.
    figures = await leaderboard_pg.measure(pg_databases, answers=2_000, users=50, repeats=5)
    check(figures, unchecked=("plan nodes without an index",))
    load = next(f for f in figures if f.figure == "fast load vs the triggers: differing rows")
    assert load.measured == 0 and "0 of" in load.note


async def test_fanout() -> None:
    figures = await fanout.run(servers=30)
    check(figures)
    discord_time = next(f for f in figures if f.figure.startswith("Discord: time to post"))
    assert discord_time.baseline == 0.0 and discord_time.measured > 0  # 30 posts fit in the first 50/s window


def test_bank() -> None:
    check(bank.run(items=600, repeats=1))


@pytest.mark.timeout(60)
def test_memory() -> None:
    check(memory.run(servers=20, items=100))


def test_results_files_render(tmp_path, monkeypatch) -> None:
    from bench import common

    monkeypatch.setattr(common, "RESULTS_JSON", tmp_path / "results.json")
    monkeypatch.setattr(common, "RESULTS_MD", tmp_path / "RESULTS.md")
    rows = asyncio.run(answers.run(users=20, backends=("sqlite",)))
    common.write_results(rows, {"when": "now"}, merge=True)
    text = (tmp_path / "RESULTS.md").read_text()
    assert "| answers | lost + double-counted answers | 0 |" in text and "PASS" in text
