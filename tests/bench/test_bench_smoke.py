"""Every benchmark runs end to end at a tiny size, so `make bench` cannot rot between runs."""

from __future__ import annotations

import asyncio

import pytest

from bench import answers, answers_discord, answers_slack, bank, fanout, leaderboard, memory
from bench.common import Figure


def check(figures: list[Figure]) -> None:
    assert figures and all(f.measured == f.measured for f in figures)  # no NaN
    exact = [f for f in figures if f.limit == 0.0]
    assert all(f.passed for f in exact), [(f.figure, f.measured, f.note) for f in exact]


async def test_answers() -> None:
    check(await answers.run(users=50))


async def test_answers_discord() -> None:
    check(await answers_discord.run(clicks=20, rate=float("inf")))


async def test_answers_slack() -> None:
    check(await answers_slack.run(clicks=20, rate=float("inf")))


async def test_leaderboard() -> None:
    check(await leaderboard.run(answers=2_000, users=100, repeats=2))


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
    rows = asyncio.run(answers.run(users=20))
    common.write_results(rows, {"when": "now"}, merge=True)
    text = (tmp_path / "RESULTS.md").read_text()
    assert "| answers | lost + double-counted answers | 0 |" in text and "PASS" in text
