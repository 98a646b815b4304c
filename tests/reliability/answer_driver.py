"""A quizbot-like process for the kill -9 test: a burst of answers, one ack line per stored answer.

Run as ``python -m tests.reliability.answer_driver DB_PATH USERS`` from the repo
root. It opens the real core (``bot.app.open_core``: migrations, the fixture
bank, the service) and answers every daily round of ``DAYS`` for ``USERS``
players, many at once, printing ``ack <round_id> <user_id>`` only after the
service returned, i.e. after SQLite committed. Answers already stored (a
second run after a crash) print ``dup``. The parent reads the acks, kills the
process mid-burst and checks the database.
"""

from __future__ import annotations

import asyncio
import random
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from bot.app import Core, open_core
from bot.engine.errors import AlreadyAnswered
from bot.engine.model import Round, ServerKey
from bot.settings import Settings

FIXTURE_BANK = Path(__file__).resolve().parents[1] / "fixtures" / "bank"
SERVER = ServerKey("console", "kill9")
DAYS = (date(2026, 11, 23), date(2026, 11, 24))
CONCURRENCY = 64


@dataclass(frozen=True)
class FixedClock:
    """Both days' rounds stay open: the driver's time never moves."""

    instant: datetime = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.instant


async def rounds(core: Core) -> list[Round]:
    """The daily round of each day, opened on the first run and found again after a restart."""
    found = []
    for day in DAYS:
        round_ = await core.store.daily_round_on(SERVER, day)
        if round_ is None:
            round_ = (await core.service.open_daily(SERVER, day=day)).round
        found.append(round_)
    return found


async def burst(core: Core, users: int) -> None:
    """Answer every round for every user, ``CONCURRENCY`` at a time; ack each stored answer."""
    opened = [await core.service.round_by_id(r.id) for r in await rounds(core)]
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(user: int, index: int) -> None:
        current = opened[index]
        question, player = current.question, SERVER.player(f"u{user}")
        # Alternate right and wrong answers so points, correct and answered all move.
        choices = question.answer if user % 2 else _wrong(question.answer, len(question.choices))
        async with gate:
            try:
                await core.service.submit_answer(current.round.id, player, choices)
            except AlreadyAnswered:
                print(f"dup {current.round.id} {player.user_id}", flush=True)  # noqa: T201
                return
        print(f"ack {current.round.id} {player.user_id}", flush=True)  # noqa: T201

    await asyncio.gather(*(one(user, index) for user in range(users) for index in range(len(opened))))


def _wrong(answer: frozenset[int], count: int) -> frozenset[int]:
    others = [i for i in range(count) if i not in answer]
    return frozenset(others[: len(answer)])


async def main(db_path: Path, users: int) -> None:
    settings = Settings(database_path=db_path, content_dir=FIXTURE_BANK)
    async with open_core(settings, clock=FixedClock(), rng=random.Random(9)) as core:
        print("ready", flush=True)  # noqa: T201
        await burst(core, users)
    print("done", flush=True)  # noqa: T201


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2])))
