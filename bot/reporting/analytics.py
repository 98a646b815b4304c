"""Per-question figures from real answers, to find items whose key or prompt is probably wrong.

An item is flagged when, with at least ``min_answers`` answers, a distractor
is picked more often than the key (for multi items: than the least-picked key
choice), or fewer than ``low_correct_pct`` percent answer it right. Both
usually mean a wrong key or an unclear prompt; authors fix the YAML. The
answer threshold applies to both flags so that one unlucky answer does not
send an author hunting.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.engine.model import LETTERS, Question

log = logging.getLogger(__name__)

SCHEMA = "quizbot.content-analytics/1"
DISTRACTOR_BEATS_KEY = "distractor_beats_key"
LOW_CORRECT = "low_correct"
VERDICT = "likely wrong key or unclear prompt"


class AnalyticsSource(Protocol):
    """What analytics reads; ``bot.storage.analytics_store.SqlAnalyticsStore`` implements it."""

    async def rounds_per_question(self) -> dict[str, int]:
        """Rounds per question id."""
        ...

    async def choice_sets(self) -> Sequence[tuple[str, str, int, int]]:
        """(question_id, stored choices, answers, correct) per distinct choice set."""
        ...

    async def reports_per_question(self) -> dict[str, tuple[int, int]]:
        """(open, total) reports per question id."""
        ...


@dataclass(frozen=True)
class ItemStats:
    """How one bank item fared."""

    question: Question
    asked: int
    answers: int
    correct: int
    picks: tuple[int, ...]
    reports_open: int
    reports_total: int
    flags: tuple[str, ...]

    @property
    def pct_correct(self) -> float | None:
        """Percent of answers that were right; None before the first answer."""
        return round(100 * self.correct / self.answers, 1) if self.answers else None

    def pick_pct(self, index: int) -> float:
        """Percent of answers that included choice ``index`` (multi answers count once per picked choice)."""
        return round(100 * self.picks[index] / self.answers, 1) if self.answers else 0.0

    def to_dict(self) -> dict[str, object]:
        """The item's JSON record (schema ``quizbot.content-analytics/1``)."""
        q = self.question
        return {
            "question_id": q.id, "topic": q.topic, "domain": q.domain, "type": q.type.value,
            "key": q.key_letters(), "asked": self.asked, "answers": self.answers, "correct": self.correct,
            "pct_correct": self.pct_correct,
            "choices": [
                {"letter": LETTERS[i], "picks": n, "pick_pct": self.pick_pct(i), "is_key": i in q.answer}
                for i, n in enumerate(self.picks)
            ],
            "reports_open": self.reports_open, "reports_total": self.reports_total,
            "flags": list(self.flags), "verdict": VERDICT if self.flags else None,
        }


@dataclass(frozen=True)
class Analytics:
    """The whole report: bank items (flagged first) and ids answered but no longer in the bank."""

    items: tuple[ItemStats, ...]
    not_in_bank: tuple[tuple[str, int, int], ...]
    min_answers: int
    low_correct_pct: float

    @property
    def flagged(self) -> tuple[ItemStats, ...]:
        """Items with at least one flag."""
        return tuple(item for item in self.items if item.flags)

    def to_dict(self) -> dict[str, object]:
        """The JSON document; keys and their meaning only change with the schema version."""
        return {
            "schema": SCHEMA,
            "min_answers": self.min_answers,
            "low_correct_pct": self.low_correct_pct,
            "totals": {
                "questions": len(self.items),
                "asked": sum(1 for item in self.items if item.asked),
                "answers": sum(item.answers for item in self.items),
                "flagged": len(self.flagged),
            },
            "questions": [item.to_dict() for item in self.items],
            "not_in_bank": [{"question_id": qid, "asked": asked, "answers": answers}
                            for qid, asked, answers in self.not_in_bank],
        }


def flags_for(question: Question, answers: int, correct: int, picks: Sequence[int], *, min_answers: int,
              low_correct_pct: float) -> tuple[str, ...]:
    """The flags an item earns from its figures; none below ``min_answers``."""
    if answers < min_answers or answers == 0:
        return ()
    found = []
    key_picks = min(picks[i] for i in question.answer)
    wrong_picks = [n for i, n in enumerate(picks) if i not in question.answer]
    if wrong_picks and max(wrong_picks) > key_picks:
        found.append(DISTRACTOR_BEATS_KEY)
    if 100 * correct / answers < low_correct_pct:
        found.append(LOW_CORRECT)
    return tuple(found)


def _sort_key(item: ItemStats) -> tuple[bool, float, str]:
    """Flagged first, then the hardest (lowest % correct), never-answered last, then by id."""
    pct = item.pct_correct
    return (not item.flags, pct if pct is not None else 101.0, item.question.id)


def analyse(
    questions: Sequence[Question], asked: Mapping[str, int], choice_sets: Sequence[tuple[str, str, int, int]],
    reports: Mapping[str, tuple[int, int]], *, min_answers: int = 5, low_correct_pct: float = 20.0,
) -> Analytics:
    """Combine the stored aggregates with the bank's keys into per-item figures and flags."""
    totals: dict[str, list[int]] = {}
    picks: dict[str, list[int]] = {q.id: [0] * len(q.choices) for q in questions}
    for qid, stored, count, correct in choice_sets:
        bucket = totals.setdefault(qid, [0, 0])
        bucket[0] += count
        bucket[1] += correct
        item_picks = picks.get(qid)
        if item_picks is None:
            continue
        for part in stored.split(","):
            # An index past the item's choices means the YAML lost a choice since; skip it.
            if part.isdigit() and int(part) < len(item_picks):
                item_picks[int(part)] += count
    items = []
    for q in questions:
        answers, correct = totals.get(q.id, [0, 0])
        opened, total = reports.get(q.id, (0, 0))
        flags = flags_for(q, answers, correct, picks[q.id], min_answers=min_answers, low_correct_pct=low_correct_pct)
        items.append(ItemStats(q, asked.get(q.id, 0), answers, correct, tuple(picks[q.id]), opened, total, flags))
    bank_ids = {q.id for q in questions}
    gone = sorted((set(asked) | set(totals)) - bank_ids)
    not_in_bank = tuple((qid, asked.get(qid, 0), totals.get(qid, [0, 0])[0]) for qid in gone)
    return Analytics(tuple(sorted(items, key=_sort_key)), not_in_bank, min_answers, low_correct_pct)


async def collect(
    source: AnalyticsSource, questions: Sequence[Question], *, min_answers: int = 5, low_correct_pct: float = 20.0
) -> Analytics:
    """Read the aggregates from ``source`` and analyse them against the bank."""
    result = analyse(
        questions, await source.rounds_per_question(), await source.choice_sets(),
        await source.reports_per_question(), min_answers=min_answers, low_correct_pct=low_correct_pct,
    )
    log.info("analytics: %d items, %d flagged", len(result.items), len(result.flagged))
    return result
