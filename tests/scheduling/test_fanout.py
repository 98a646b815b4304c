"""Paced fan-out: a token bucket on an injected clock, and a bounded queue that posts each server once."""

from __future__ import annotations

import asyncio

from bot.engine.model import ServerKey
from bot.scheduling.fanout import PostQueue, TokenBucket
from tests.fakes import FakeClock


def fake_sleep(clock: FakeClock, slept: list[float]):
    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds=seconds)
        await asyncio.sleep(0)

    return sleep


async def test_bucket_paces_to_the_declared_rate() -> None:
    clock, slept = FakeClock(), []
    bucket = TokenBucket(clock, fake_sleep(clock, slept), rate=5.0, burst=5.0)
    start = clock.now()
    for _ in range(25):
        await bucket.acquire()
    elapsed = (clock.now() - start).total_seconds()
    assert abs(elapsed - 4.0) < 1e-6  # 5 from the burst, then 20 at 5/s
    assert max(slept) <= 0.2 + 1e-9


async def test_unlimited_rate_never_waits() -> None:
    clock, slept = FakeClock(), []
    bucket = TokenBucket(clock, fake_sleep(clock, slept), rate=float("inf"))
    for _ in range(100):
        await bucket.acquire()
    assert slept == []


async def test_queue_posts_every_server_once_at_the_rate_floor() -> None:
    clock, slept, sent = FakeClock(), [], []

    async def send(server: ServerKey) -> None:
        sent.append((server.server_id, clock.now()))

    queue = PostQueue(send, TokenBucket(clock, fake_sleep(clock, slept), rate=50.0, burst=1.0), workers=4)
    queue.start()
    start = clock.now()
    for n in range(500):
        await queue.submit(ServerKey("discord", str(n)))
    await queue.join()
    await queue.stop()
    assert sorted(int(s) for s, _ in sent) == list(range(500))
    elapsed = (max(t for _, t in sent) - start).total_seconds()
    assert 499 / 50.0 - 1e-6 <= elapsed <= 499 / 50.0 * 1.05


async def test_a_failing_send_does_not_stop_the_workers() -> None:
    clock, done = FakeClock(), []

    async def send(server: ServerKey) -> None:
        if server.server_id == "bad":
            raise RuntimeError("boom")
        done.append(server.server_id)

    queue = PostQueue(send, TokenBucket(clock, fake_sleep(clock, []), rate=float("inf")), workers=1)
    queue.start()
    for server_id in ("a", "bad", "b"):
        await queue.submit(ServerKey("slack", server_id))
    await queue.join()
    await queue.stop()
    assert done == ["a", "b"]


async def test_other_work_shares_the_queue_and_its_pacing() -> None:
    clock, done = FakeClock(), []

    async def send(server: ServerKey) -> None:
        done.append(("post", server.server_id, clock.now()))

    queue = PostQueue(send, TokenBucket(clock, fake_sleep(clock, []), rate=2.0, burst=1.0), workers=2)
    queue.start()
    await queue.submit(ServerKey("discord", "a"))

    async def reveal() -> None:
        done.append(("reveal", "b", clock.now()))

    await queue.submit_call(ServerKey("discord", "b"), reveal)
    await queue.join()
    await queue.stop()
    assert [(kind, server) for kind, server, _ in done] == [("post", "a"), ("reveal", "b")]
    assert (done[1][2] - done[0][2]).total_seconds() == 0.5  # paced at 2/s like the posts
