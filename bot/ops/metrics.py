"""Optional Prometheus metrics, wired in at the composition root; the engine and adapters know nothing of them.

The answer path is measured by a ``QuizService`` subclass that wraps
``submit_answer`` (every adapter, the console and mock exams go through it),
and deliveries by a ``Notifier`` wrapper handed to the scheduler. Each
``Metrics`` has its own registry, so tests and a second bot in one process
never share counters. The endpoint is ``prometheus_client``'s own threaded
HTTP server, started only when ``QUIZBOT_METRICS_PORT`` is set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

from bot.engine.errors import DeliveryFailed, QuizError
from bot.engine.model import PlayerKey, Question, Round, ServerConfig, ServerKey
from bot.engine.outcomes import AnswerResult, Recap
from bot.engine.ports import Notifier
from bot.engine.service import QuizService

log = logging.getLogger(__name__)

# Seconds; the design target is p99 < 50 ms, so the buckets are dense below that.
ANSWER_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    """The bot's counters and the answer-latency histogram, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.answers = Counter("quizbot_answers", "Answers submitted, by platform and result "
                               "(correct, incorrect, rejected)", ["platform", "result"], registry=self.registry)
        self.posts = Counter("quizbot_posts", "Scheduled deliveries, by platform, kind (post, reveal) and result",
                             ["platform", "kind", "result"], registry=self.registry)
        self.errors = Counter("quizbot_errors", "Unexpected failures, by where they happened",
                              ["where"], registry=self.registry)
        self.answer_seconds = Histogram("quizbot_answer_seconds", "Time from submit to recorded answer",
                                        ["platform"], buckets=ANSWER_BUCKETS, registry=self.registry)


class MeteredQuizService(QuizService):
    """``QuizService`` whose answer path counts verdicts and times itself."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:  # noqa: ANN401 - forwards the engine's own signature
        self.metrics = metrics
        super().__init__(*args, **kwargs)

    async def submit_answer(self, round_id: int, player: PlayerKey, choices: frozenset[int]) -> AnswerResult:
        """The engine's answer path, measured from outside it."""
        started = time.perf_counter()
        try:
            result = await super().submit_answer(round_id, player, choices)
        except QuizError:
            self.metrics.answers.labels(player.platform, "rejected").inc()
            raise
        except Exception:
            self.metrics.errors.labels("answer").inc()
            raise
        finally:
            self.metrics.answer_seconds.labels(player.platform).observe(time.perf_counter() - started)
        self.metrics.answers.labels(player.platform, "correct" if result.correct else "incorrect").inc()
        return result


@dataclass
class MeteredNotifier:
    """A ``Notifier`` that counts what it delivers for one platform and passes everything through."""

    inner: Notifier
    platform: str
    metrics: Metrics
    sends_per_second: float = field(init=False)

    def __post_init__(self) -> None:
        self.sends_per_second = self.inner.sends_per_second

    async def post_daily(self, config: ServerConfig, round_: Round, question: Question) -> str:
        """Post and count."""
        with self._counted("post"):
            return await self.inner.post_daily(config, round_, question)

    async def find_daily(self, config: ServerConfig, round_: Round, since: datetime) -> str | None:
        """Pass through (a lookup is not a delivery)."""
        return await self.inner.find_daily(config, round_, since)

    async def reveal_daily(self, config: ServerConfig, round_: Round, recap: Recap) -> None:
        """Reveal and count."""
        with self._counted("reveal"):
            await self.inner.reveal_daily(config, round_, recap)

    async def tell_admins(self, server: ServerKey, text: str) -> None:
        """Pass through (rare, and not a delivery of the quiz)."""
        await self.inner.tell_admins(server, text)

    @contextmanager
    def _counted(self, kind: str) -> Iterator[None]:
        try:
            yield
        except DeliveryFailed:
            self.metrics.posts.labels(self.platform, kind, "failed").inc()
            raise
        except Exception:
            self.metrics.posts.labels(self.platform, kind, "failed").inc()
            self.metrics.errors.labels(kind).inc()
            raise
        self.metrics.posts.labels(self.platform, kind, "ok").inc()


@contextmanager
def serve(metrics: Metrics, addr: str, port: int) -> Iterator[int]:
    """Serve ``/metrics`` on ``addr:port`` (0 picks a free port) until the block ends; yield the bound port."""
    server, thread = start_http_server(port, addr, registry=metrics.registry)
    bound = int(server.server_port)
    log.info("metrics on http://%s:%d/metrics", addr, bound)
    try:
        yield bound
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
