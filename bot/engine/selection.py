"""Deck-based question selection.

A deck is a named sequence of draws (a server's daily deck, a player's practice
deck). Within one cycle of a deck no question repeats; when every eligible
question was drawn, a new cycle starts. Questions added to the bank join the
current cycle because they are simply not drawn yet. The draw log lives in the
store, so decks survive restarts; the ``random.Random`` is injected, so tests
are deterministic.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.engine.errors import NoQuestionsAvailable
from bot.engine.model import Question


@dataclass(frozen=True)
class Filter:
    """Optional topic and domain restriction of a draw."""

    topics: tuple[str, ...] = ()
    domain: int | None = None

    def admits(self, question: Question) -> bool:
        """True when ``question`` passes the filter."""
        if self.topics and question.topic not in self.topics:
            return False
        return self.domain is None or question.domain == self.domain

    def describe(self) -> str:
        """Human wording for error messages."""
        parts = []
        if self.topics:
            parts.append("topic " + ", ".join(self.topics))
        if self.domain is not None:
            parts.append(f"domain {self.domain}")
        return " and ".join(parts) or "the whole bank"


@dataclass(frozen=True)
class Draw:
    """The chosen question and the deck cycle it was drawn in."""

    question: Question
    cycle: int


def draw(
    questions: Sequence[Question],
    flt: Filter,
    cycle: int,
    drawn: Collection[str],
    rng: random.Random,
) -> Draw:
    """Pick an undrawn eligible question, starting a new cycle when none is left."""
    eligible = sorted((q for q in questions if flt.admits(q)), key=lambda q: q.id)
    if not eligible:
        raise NoQuestionsAvailable(f"No questions match {flt.describe()}.")
    remaining = [q for q in eligible if q.id not in drawn]
    if not remaining:
        remaining, cycle = eligible, cycle + 1
    return Draw(rng.choice(remaining), cycle)
