"""The per-tick coalescer behind the answer path's read and write."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.engine.model import CardState, PlayerKey
from bot.storage.batching import Coalescer
from bot.storage.quiz_store import SqlQuizStore


async def test_calls_in_one_tick_share_a_batch_and_get_their_own_results() -> None:
    batches: list[list[int]] = []

    async def batch(keys):
        batches.append(list(keys))
        return [ValueError(k) if k % 3 == 0 else k * 10 for k in keys]

    coalescer: Coalescer[int, int] = Coalescer(batch, limit=4)
    results = await asyncio.gather(*(coalescer.submit(k) for k in range(1, 10)), return_exceptions=True)
    assert batches == [[1, 2, 3, 4], [5, 6, 7, 8], [9]]
    assert [r if isinstance(r, int) else f"error {r}" for r in results] == [
        10, 20, "error 3", 40, 50, "error 6", 70, 80, "error 9"]
    assert await coalescer.submit(11) == 110  # a lone call later is its own batch
    assert batches[-1] == [11]


async def test_a_failing_batch_fails_every_caller_in_it() -> None:
    async def batch(keys):
        raise RuntimeError("disk on fire")

    coalescer: Coalescer[int, int] = Coalescer(batch)
    results = await asyncio.gather(coalescer.submit(1), coalescer.submit(2), return_exceptions=True)
    assert [str(r) for r in results] == ["disk on fire", "disk on fire"]


async def test_duplicate_answers_in_one_batch_store_one(service, store) -> None:
    from bot.engine.errors import AlreadyAnswered
    from bot.engine.model import ServerKey

    server = ServerKey("discord", "g9")
    opened = await service.open_daily(server)
    player = server.player("twin")
    results = await asyncio.gather(*(service.submit_answer(opened.round.id, player, opened.question.answer)
                                     for _ in range(3)), return_exceptions=True)
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert sum(isinstance(r, AlreadyAnswered) for r in results) == 2
    assert await store.answer_count(opened.round.id) == 1
    with pytest.raises(AlreadyAnswered):
        await service.submit_answer(opened.round.id, player, opened.question.answer)


async def test_card_saves_in_one_tick_share_a_statement_and_the_last_save_wins(store: SqlQuizStore) -> None:
    """A burst of answers saves many cards at once; one card saved twice in a tick keeps the later state
    (PostgreSQL would refuse to update a row twice in one statement, so the batch folds them first)."""
    player = PlayerKey("discord", "g1", "u1")
    due = datetime(2026, 12, 7, 9, tzinfo=UTC)
    first, second = CardState("q1", 1, "{}", due, 1, 0), CardState("q1", 1, "{}", due + timedelta(days=3), 2, 0)
    others = [CardState(f"q{i}", 2, "{}", due, 1, 1) for i in range(2, 40)]
    await asyncio.gather(store.save_card(player, first), *(store.save_card(player, c) for c in others),
                         store.save_card(player, second))
    assert await store.get_card(player, "q1") == second
    assert len(await store.cards(player)) == 39
