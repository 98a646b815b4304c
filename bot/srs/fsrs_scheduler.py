"""``FsrsCardScheduler``: the engine's CardScheduler on the ``fsrs`` package.

Learning steps are off and fuzzing is off: a quiz bot reviews at most daily,
so minute-level steps would only make a missed item "due" again at once, and
fuzz would make due dates untestable. A correct answer rates Good, a wrong one
Again.
"""

from __future__ import annotations

import zlib
from datetime import datetime

from fsrs import Card, Rating, Scheduler

from bot.engine.study_ports import CardUpdate


class FsrsCardScheduler:
    """FSRS with the library's default parameters and 90 % desired retention."""

    def __init__(self, desired_retention: float = 0.9) -> None:
        self._scheduler = Scheduler(
            desired_retention=desired_retention, learning_steps=(), relearning_steps=(), enable_fuzzing=False
        )

    def review(self, state: str | None, correct: bool, at: datetime) -> CardUpdate:
        """Rate one answer and return the card's new state and due time."""
        # Card() would derive its id from the wall clock; a stable id keeps states reproducible.
        card = Card.from_json(state) if state else Card(card_id=zlib.crc32(at.isoformat().encode()))
        reviewed, _log = self._scheduler.review_card(card, Rating.Good if correct else Rating.Again, at)
        return CardUpdate(reviewed.to_json(), reviewed.due)

    def retrievability(self, state: str, at: datetime) -> float:
        """Probability of recall at ``at``."""
        return float(self._scheduler.get_card_retrievability(Card.from_json(state), at))
