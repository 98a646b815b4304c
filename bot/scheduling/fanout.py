"""A bounded queue between "due now" and "send now", paced to the platform's rate limit.

Ten thousand servers due at 09:00 must not mean ten thousand simultaneous
sends: cron jobs only enqueue; a few workers per platform drain the queue,
each send first taking a token from a bucket filled at the rate the
adapter's notifier declares.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.engine.model import ServerKey
from bot.engine.ports import Clock

log = logging.getLogger(__name__)
Sleep = Callable[[float], Awaitable[None]]
# Clocks tick in microseconds: never wait less, and treat a token short by a rounding error as whole.
_MIN_WAIT = 1e-6
_EPSILON = 1e-6


@dataclass
class TokenBucket:
    """``rate`` tokens per second, at most ``burst`` saved up; time comes from the injected clock."""

    clock: Clock
    sleep: Sleep
    rate: float
    burst: float = 1.0
    _tokens: float = field(init=False)
    _stamp: float | None = field(default=None, init=False)
    _turn: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)

    def __post_init__(self) -> None:
        self._tokens = self.burst

    def _refill(self) -> None:
        now = self.clock.now().timestamp()
        if self._stamp is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    async def acquire(self) -> None:
        """Wait until a token is available and take it."""
        if math.isinf(self.rate):
            return
        # One waiter at a time: workers waiting side by side would each see the same refill
        # and could send together, a burst above the rate.
        async with self._turn:
            self._refill()
            while self._tokens < 1.0 - _EPSILON:
                await self.sleep(max((1.0 - self._tokens) / self.rate, _MIN_WAIT))
                self._refill()
            self._tokens = max(0.0, self._tokens - 1.0)


@dataclass
class PostQueue:
    """Due servers in, paced sends out; ``maxsize`` bounds memory, ``workers`` bounds concurrency."""

    send: Callable[[ServerKey], Awaitable[None]]
    bucket: TokenBucket
    workers: int = 4
    maxsize: int = 20_000
    _queue: asyncio.Queue[tuple[ServerKey, Callable[[], Awaitable[None]]]] = field(init=False)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self._queue = asyncio.Queue(self.maxsize)

    def start(self) -> None:
        """Start the workers on the running loop."""
        self._tasks = [asyncio.create_task(self._work(), name=f"post-worker-{i}") for i in range(self.workers)]

    async def submit(self, server: ServerKey) -> None:
        """Enqueue a due server (waits when the queue is full)."""
        await self._queue.put((server, lambda: self.send(server)))

    async def submit_call(self, server: ServerKey, call: Callable[[], Awaitable[None]]) -> None:
        """Enqueue other platform work for ``server`` (a reveal edit) under the same pacing."""
        await self._queue.put((server, call))

    async def join(self) -> None:
        """Wait until everything enqueued was handled."""
        await self._queue.join()

    async def stop(self) -> None:
        """Cancel the workers."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _work(self) -> None:
        while True:
            server, call = await self._queue.get()
            try:
                await self.bucket.acquire()
                await call()
            except Exception:
                log.exception("daily work for %s failed", server)
            finally:
                self._queue.task_done()
