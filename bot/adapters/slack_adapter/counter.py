"""Debounced answer-count edits of daily posts: at most one ``chat.update`` per second per message.

A burst of clicks schedules one edit; the edit reads the newest count when it
runs, so no click is lost and Slack's Tier 3 ``chat.update`` limit is kept.
Timing (``now``, ``sleep``) is injected so tests drive it without waiting.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.adapters.slack_adapter.clients import Sleep

log = logging.getLogger(__name__)

Refresh = Callable[[int], Awaitable[None]]


class CountUpdater:
    """Schedules ``refresh(round_id)`` no more often than every ``interval`` seconds per round."""

    def __init__(self, refresh: Refresh, *, interval: float = 1.0,
                 now: Callable[[], float] = time.monotonic, sleep: Sleep = asyncio.sleep) -> None:
        self._refresh = refresh
        self._interval = interval
        self._now = now
        self._sleep = sleep
        self._last: dict[int, float] = {}
        self._pending: dict[int, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()

    def bump(self, round_id: int) -> None:
        """An answer arrived; make sure one edit is on its way."""
        if round_id in self._pending:
            return
        horizon = self._now() - self._interval
        for stale in [r for r, at in self._last.items() if at < horizon]:
            del self._last[stale]
        task = asyncio.create_task(self._run(round_id), name=f"slack-count-{round_id}")
        self._pending[round_id] = task
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _run(self, round_id: int) -> None:
        try:
            last = self._last.get(round_id)
            wait = 0.0 if last is None else last + self._interval - self._now()
            if wait > 0:
                await self._sleep(wait)
            self._pending.pop(round_id, None)
            self._last[round_id] = self._now()
            await self._refresh(round_id)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not update the answer count of round %s", round_id)
        finally:
            if self._pending.get(round_id) is asyncio.current_task():
                del self._pending[round_id]

    def cancel(self, round_id: int) -> None:
        """Drop a pending edit (the round is being revealed, the edit would bring the buttons back)."""
        task = self._pending.pop(round_id, None)
        if task is not None:
            task.cancel()

    async def drain(self) -> None:
        """Wait for the edits in flight (tests, shutdown)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def close(self) -> None:
        """Cancel pending edits."""
        tasks = list(self._running)
        self._pending.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
