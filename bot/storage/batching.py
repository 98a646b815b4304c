"""Coalesce concurrent single-row store calls into one statement per event-loop tick.

aiosqlite runs every statement on one worker thread; each await is a thread
hop (about 80 us) whatever the statement does. Under a burst of clicks the
answer path was bound by those hops, not by SQLite. Calls arriving in the same
loop iteration are therefore collected and run as one statement; each caller
still gets its own result or exception. A lone call waits one loop iteration.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K")
R = TypeVar("R")


class Coalescer(Generic[K, R]):
    """Runs ``batch`` over the calls made in one loop tick (at most ``limit`` at a time)."""

    def __init__(self, batch: Callable[[Sequence[K]], Awaitable[Sequence[R | Exception]]],
                 limit: int = 500) -> None:
        self._batch = batch
        self._limit = limit
        self._pending: list[tuple[K, asyncio.Future[R]]] = []
        self._scheduled = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, key: K) -> R:
        """Queue ``key`` for the current tick's batch and wait for its own result."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._pending.append((key, future))
        if not self._scheduled:
            self._scheduled = True
            loop.call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._scheduled = False
        pending, self._pending = self._pending, []
        for start in range(0, len(pending), self._limit):
            task = asyncio.get_running_loop().create_task(self._run(pending[start:start + self._limit]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, chunk: list[tuple[K, asyncio.Future[R]]]) -> None:
        try:
            outcomes = await self._batch([key for key, _ in chunk])
        except asyncio.CancelledError:
            for _key, future in chunk:
                future.cancel()
            raise
        except Exception as exc:  # every caller of the batch gets the failure
            outcomes = [exc] * len(chunk)
        for (_key, future), outcome in zip(chunk, outcomes, strict=True):
            if future.done():
                continue
            if isinstance(outcome, Exception):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
