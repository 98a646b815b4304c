"""Prometheus counters and the answer-latency histogram, measured from the composition root."""

from __future__ import annotations

from pathlib import Path

import aiohttp
import pytest

from bot.app import build_scheduling, open_core
from bot.engine.errors import AlreadyAnswered, DeliveryFailed
from bot.engine.model import ServerKey
from bot.ops.metrics import MeteredNotifier, MeteredQuizService, Metrics, serve
from bot.settings import Settings
from tests.conftest import FIXTURE_BANK
from tests.fakes import FakeClock, FlakyNotifier, right, wrong

SERVER = ServerKey("slack", "T1")


def settings_for(tmp_path: Path) -> Settings:
    return Settings.from_env({"QUIZBOT_DATABASE_PATH": str(tmp_path / "q.db"),
                              "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)}, env_file=None)


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_answers_are_counted_by_result_and_timed(tmp_path: Path) -> None:
    metrics = Metrics()
    async with open_core(settings_for(tmp_path), clock=FakeClock(), metrics=metrics) as core:
        assert isinstance(core.service, MeteredQuizService)
        opened = await core.service.open_daily(SERVER)
        await core.service.submit_answer(opened.round.id, SERVER.player("alice"), right(opened.question))
        await core.service.submit_answer(opened.round.id, SERVER.player("bob"), wrong(opened.question))
        with pytest.raises(AlreadyAnswered):
            await core.service.submit_answer(opened.round.id, SERVER.player("bob"), right(opened.question))
    assert sample(metrics, "quizbot_answers_total", platform="slack", result="correct") == 1
    assert sample(metrics, "quizbot_answers_total", platform="slack", result="incorrect") == 1
    assert sample(metrics, "quizbot_answers_total", platform="slack", result="rejected") == 1
    assert sample(metrics, "quizbot_answer_seconds_count", platform="slack") == 3
    assert sample(metrics, "quizbot_errors_total", where="answer") == 0


async def test_without_metrics_the_plain_service_is_built(tmp_path: Path) -> None:
    async with open_core(settings_for(tmp_path), clock=FakeClock()) as core:
        assert not isinstance(core.service, MeteredQuizService)
        runtime = build_scheduling(core, settings_for(tmp_path), {"console": FlakyNotifier()}, None)
        assert isinstance(runtime.notifiers["console"], FlakyNotifier)
        assert runtime.backup is None and runtime.meta is core.store


async def test_deliveries_are_counted_ok_and_failed(tmp_path: Path) -> None:
    metrics = Metrics()
    inner = FlakyNotifier()
    async with open_core(settings_for(tmp_path), clock=FakeClock()) as core:
        runtime = build_scheduling(core, settings_for(tmp_path), {"slack": inner}, metrics)
        notifier = runtime.notifiers["slack"]
        assert isinstance(notifier, MeteredNotifier) and notifier.sends_per_second == inner.sends_per_second
        opened = await core.service.open_daily(SERVER)
        config = await core.service.config(SERVER)
        await notifier.post_daily(config, opened.round, opened.question)
        inner.failures.append(True)
        with pytest.raises(DeliveryFailed):
            await notifier.post_daily(config, opened.round, opened.question)
        recap = await core.service.recap(await core.service.reveal(opened.round.id))
        await notifier.reveal_daily(config, opened.round, recap)
    assert len(inner.posts) == 1 and len(inner.reveals) == 1
    assert sample(metrics, "quizbot_posts_total", platform="slack", kind="post", result="ok") == 1
    assert sample(metrics, "quizbot_posts_total", platform="slack", kind="post", result="failed") == 1
    assert sample(metrics, "quizbot_posts_total", platform="slack", kind="reveal", result="ok") == 1


async def test_endpoint_serves_the_registry_on_loopback() -> None:
    metrics = Metrics()
    metrics.answers.labels("discord", "correct").inc(3)
    with serve(metrics, "127.0.0.1", 0) as port:
        async with aiohttp.ClientSession() as session, session.get(f"http://127.0.0.1:{port}/metrics") as resp:
            assert resp.status == 200
            body = await resp.text()
    assert 'quizbot_answers_total{platform="discord",result="correct"} 3.0' in body
    assert "# TYPE quizbot_answer_seconds histogram" in body
