"""Debounced edits of the public answer count on a daily post.

A busy channel can produce hundreds of clicks a second while Discord allows
about five edits per five seconds per channel, so each message is edited at
most once per ``interval``; clicks in between are folded into the next edit,
which reads the count fresh. ``monotonic`` and ``sleep`` are injected so tests
control time instead of waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

Refresh = Callable[[int, int, int], Awaitable[None]]  # (round_id, channel_id, message_id)


@dataclass(frozen=True)
class Timing:
    """How the counter measures and waits; tests pass a fake clock and a controllable sleep."""

    interval: float = 1.0
    monotonic: Callable[[], float] = field(default=time.monotonic)
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)


class AnswerCounter:
    """Schedules count edits: at most one per ``interval`` seconds per message."""

    def __init__(self, refresh: Refresh, timing: Timing | None = None) -> None:
        timing = timing or Timing()
        self._refresh = refresh
        self._interval = timing.interval
        self._monotonic = timing.monotonic
        self._sleep = timing.sleep
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._last: dict[int, float] = {}
        self._running: set[asyncio.Task[None]] = set()

    def touch(self, round_id: int, channel_id: int, message_id: int) -> None:
        """Note a new answer; an edit is scheduled unless one is already waiting."""
        if message_id in self._pending:
            return
        self._forget_old()
        task = asyncio.create_task(self._edit_later(round_id, channel_id, message_id))
        self._pending[message_id] = task
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _edit_later(self, round_id: int, channel_id: int, message_id: int) -> None:
        wait = self._last.get(message_id, float("-inf")) + self._interval - self._monotonic()
        try:
            if wait > 0:
                await self._sleep(wait)
        finally:
            # Clicks from now on schedule the next edit; this one reads the count after this point.
            self._pending.pop(message_id, None)
        self._last[message_id] = self._monotonic()
        try:
            await self._refresh(round_id, channel_id, message_id)
        except Exception:
            log.exception("answer count edit failed for round %s message %s", round_id, message_id)

    def _forget_old(self) -> None:
        now = self._monotonic()
        if len(self._last) > 256:
            self._last = {key: at for key, at in self._last.items() if now - at < self._interval}

    async def idle(self) -> None:
        """Wait until every scheduled edit ran (tests and shutdown)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def close(self) -> None:
        """Drop scheduled edits at shutdown."""
        for task in self._running:
            task.cancel()
        self._pending.clear()
