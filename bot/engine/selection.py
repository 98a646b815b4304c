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
from collections.abc import Collection, Mapping, Sequence
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
    weights: Mapping[int, int] | None = None,
) -> Draw:
    """Pick an undrawn eligible question, starting a new cycle when none is left.

    With ``weights`` and no filter, the domain is drawn first by the exam blueprint
    (among domains with questions left), then a question within it.
    """
    eligible = sorted((q for q in questions if flt.admits(q)), key=lambda q: q.id)
    if not eligible:
        raise NoQuestionsAvailable(f"No questions match {flt.describe()}.")
    remaining = [q for q in eligible if q.id not in drawn]
    if not remaining:
        remaining, cycle = eligible, cycle + 1
    if weights and flt == Filter():
        remaining = by_blueprint(remaining, weights, rng)
    return Draw(rng.choice(remaining), cycle)


def by_blueprint(questions: Sequence[Question], weights: Mapping[int, int], rng: random.Random) -> list[Question]:
    """The questions of one domain, chosen with probability proportional to its exam weight."""
    domains = sorted({q.domain for q in questions})
    chosen = rng.choices(domains, weights=[weights.get(d, 0) or 1 for d in domains])[0]
    return [q for q in questions if q.domain == chosen]


def blueprint_counts(count: int, weights: Mapping[int, int]) -> dict[int, int]:
    """Split ``count`` items over domains by weight (largest remainder), e.g. 20 -> 6/5/5/4."""
    total = sum(weights.values())
    exact = {d: count * w / total for d, w in weights.items()}
    counts = {d: int(v) for d, v in exact.items()}
    by_remainder = sorted(exact, key=lambda d: (exact[d] - counts[d], weights[d]), reverse=True)
    for d in by_remainder[: count - sum(counts.values())]:
        counts[d] += 1
    return counts
