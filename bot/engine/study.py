"""Spaced repetition, readiness and coverage: the study side of the engine.

Cards are created when a player misses a question and updated on every later
answer to it, so a missed item comes back on the FSRS schedule; a card that is
answered right is simply pushed further out. Readiness blends how well the
player would recall their cards now (FSRS retrievability) with recent accuracy,
scaled down while a domain has too few answers to judge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.engine.model import DOMAIN_NAMES, EXAM_WEIGHTS, CardState, DomainStat, PlayerKey, Question
from bot.engine.outcomes import StudyReport
from bot.engine.ports import Clock, QuestionBank
from bot.engine.study_ports import CardScheduler, StudyStore


class Unread:
    """Marker: the caller did not read the card (None means "read: there is none")."""


UNREAD = Unread()
RECENT_PER_DOMAIN = 50
CONFIDENT_AFTER = 10
WEAKEST_MIN_ANSWERS = 3


def readiness(
    cards: Sequence[CardState], recent: Sequence[tuple[int, bool]], recall: Callable[[CardState], float]
) -> tuple[dict[int, int], int]:
    """Per-domain and overall readiness, 0-100.

    score = 100 x (0.6 x recent accuracy + 0.4 x mean retrievability) x min(1, answers / 10);
    without cards the accuracy stands alone. Overall is weighted like the exam.
    """
    by_domain: dict[int, list[bool]] = defaultdict(list)
    for domain, correct in recent:
        by_domain[domain].append(correct)
    recall_by_domain: dict[int, list[float]] = defaultdict(list)
    for card in cards:
        recall_by_domain[card.domain].append(recall(card))
    scores: dict[int, int] = {}
    for domain in DOMAIN_NAMES:
        results = by_domain.get(domain, [])
        if not results:
            scores[domain] = 0
            continue
        accuracy = sum(results) / len(results)
        recalls = recall_by_domain.get(domain)
        blended = 0.6 * accuracy + 0.4 * (sum(recalls) / len(recalls)) if recalls else accuracy
        scores[domain] = round(100 * blended * min(1.0, len(results) / CONFIDENT_AFTER))
    overall = round(sum(scores[d] * w for d, w in EXAM_WEIGHTS.items()) / sum(EXAM_WEIGHTS.values()))
    return scores, overall


def breakdown(rows: Sequence[tuple[str, int, int, int]]) -> tuple[tuple[DomainStat, ...], tuple[DomainStat, ...]]:
    """(topic, domain, answered, correct) rows summed per exam domain and per topic."""
    by_domain: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_topic: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for topic, domain, answered, correct in rows:
        for bucket in (by_domain[domain], by_topic[topic]):
            bucket[0] += answered
            bucket[1] += correct
    return (tuple(DomainStat(DOMAIN_NAMES[d], *by_domain[d]) for d in sorted(by_domain)),
            tuple(DomainStat(t, *by_topic[t]) for t in sorted(by_topic)))


def weakest_topics(by_topic: Sequence[DomainStat], count: int = 3) -> tuple[str, ...]:
    """The lowest-accuracy topics with enough answers to judge."""
    judged = [t for t in by_topic if t.answered >= WEAKEST_MIN_ANSWERS]
    judged.sort(key=lambda t: (t.accuracy, -t.answered, t.name))
    return tuple(t.name for t in judged[:count])


class StudyService:
    """Cards, review queue and the study report."""

    def __init__(self, store: StudyStore, bank: QuestionBank, clock: Clock, cards: CardScheduler) -> None:
        self._store = store
        self._bank = bank
        self._clock = clock
        self._cards = cards

    async def record(
        self, player: PlayerKey, question: Question, correct: bool, *, card: CardState | Unread | None = UNREAD
    ) -> None:
        """Update the player's card: a miss creates one, any later answer reschedules it.

        The answer path passes the card it already read with the round, saving a trip.
        """
        if isinstance(card, Unread):
            card = await self._store.get_card(player, question.id)
        if card is None and correct:
            return
        now = self._clock.now()
        update = self._cards.review(card.state if card else None, correct, now)
        await self._store.save_card(player, CardState(
            question.id, question.domain, update.state, update.due, (card.reviews if card else 0) + 1,
            (card.lapses if card else 0) + (0 if correct else 1),
        ))

    async def due(self, player: PlayerKey, limit: int = 20) -> list[Question]:
        """Questions due for review now, most overdue first (retired questions skipped)."""
        cards = await self._store.due_cards(player, self._clock.now(), limit)
        return [q for q in (self._bank.get(c.question_id) for c in cards) if q is not None]

    async def report(self, player: PlayerKey, by_topic: Sequence[DomainStat]) -> StudyReport:
        """Due counts, readiness, coverage and weakest topics for the stats view."""
        now = self._clock.now()
        cards = list(await self._store.cards(player))
        upcoming = [c.due for c in cards if c.due > now]
        scores, overall = readiness(cards, await self._store.recent_results(player, RECENT_PER_DOMAIN),
                                    lambda c: self._cards.retrievability(c.state, now))
        seen = await self._store.seen_questions(player)
        coverage = []
        for domain, name in DOMAIN_NAMES.items():
            in_domain = [q.id for q in self._bank.all() if q.domain == domain]
            coverage.append((name, sum(q in seen for q in in_domain), len(in_domain)))
        return StudyReport(
            due_now=sum(c.due <= now for c in cards), next_due=min(upcoming) if upcoming else None,
            readiness=tuple((DOMAIN_NAMES[d], s) for d, s in scores.items()), overall_readiness=overall,
            coverage=tuple(coverage), weakest_topics=weakest_topics(by_topic),
        )


def next_due_text(when: datetime | None) -> str:
    """Human wording for the next review time."""
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else "nothing scheduled"
