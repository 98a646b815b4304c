"""Bank-level figures and the thresholds that keep the bank exam-like.

Individual items can all be valid while the bank as a whole gives answers
away (the key is usually C, or usually the longest choice) or drifts from the
exam's domain weights. ``quizbot content check`` computes these figures and
fails when one leaves its bound, so the bank stays healthy as it grows.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

from bot.content.topics import DOMAIN_WEIGHTS, TOPICS
from bot.engine.model import LETTERS, Question, QuestionType

# A scenario prompt sets a situation and a requirement, the way the exam does.
_REQUIREMENT = re.compile(
    r"\b(MOST|LEAST|BEST|FEWEST|FASTEST|LOWEST|HIGHEST|MINIMUM|MAXIMUM)\b"
    r"|\b(What|Which|How) (should|must|can|will)\b"
)
SCENARIO_MIN_LENGTH = 140
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class BankPolicy:
    """Bounds from the content issue; every figure is checked against one."""

    min_total: int = 500
    topic_minimum: int = 8
    domain_tolerance_pp: float = 5.0
    min_multi_pct: float = 15.0
    max_truefalse_pct: float = 10.0
    min_hard_pct: float = 25.0
    max_easy_pct: float = 35.0
    min_scenario_pct: float = 50.0
    position_tolerance_pp: float = 8.0
    max_longest_key_pct: float = 40.0
    near_duplicate_jaccard: float = 0.8


@dataclass(frozen=True)
class BankFigures:
    """What the bank looks like, as percentages of its items."""

    total: int
    by_topic: dict[str, int]
    by_domain_pct: dict[int, float]
    by_type_pct: dict[str, float]
    by_difficulty_pct: dict[int, float]
    scenario_pct: float
    key_position_pct: dict[str, float]
    longest_key_pct: float
    near_duplicates: tuple[tuple[str, str], ...]


def is_scenario(question: Question) -> bool:
    """Heuristic for an exam-style scenario prompt: long enough, with a requirement."""
    return len(question.prompt) >= SCENARIO_MIN_LENGTH and bool(_REQUIREMENT.search(question.prompt))


def key_is_longest(question: Question) -> bool:
    """True when the single key is strictly the longest choice (a give-away)."""
    lengths = sorted(((len(c), i) for i, c in enumerate(question.choices)), reverse=True)
    return lengths[0][1] in question.answer and lengths[0][0] > lengths[1][0]


def _pct(count: int, total: int) -> float:
    return round(100.0 * count / total, 1) if total else 0.0


def near_duplicates(questions: Sequence[Question], threshold: float) -> tuple[tuple[str, str], ...]:
    """Pairs of prompts whose word sets overlap at ``threshold`` Jaccard or more."""
    words = [(q.id, frozenset(_WORD.findall(q.prompt.lower()))) for q in questions]
    pairs = []
    for (id_a, a), (id_b, b) in combinations(words, 2):
        union = len(a | b)
        if union and len(a & b) / union >= threshold:
            pairs.append((id_a, id_b))
    return tuple(pairs)


def figures(questions: Sequence[Question], policy: BankPolicy) -> BankFigures:
    """Compute every bank-level figure."""
    total = len(questions)
    singles = [q for q in questions if q.type is QuestionType.SINGLE]
    positions = Counter(LETTERS[min(q.answer)] for q in singles)
    return BankFigures(
        total=total,
        by_topic=dict(sorted(Counter(q.topic for q in questions).items())),
        by_domain_pct={d: _pct(sum(q.domain == d for q in questions), total) for d in DOMAIN_WEIGHTS},
        by_type_pct={t.value: _pct(sum(q.type is t for q in questions), total) for t in QuestionType},
        by_difficulty_pct={d: _pct(sum(q.difficulty == d for q in questions), total) for d in (1, 2, 3)},
        scenario_pct=_pct(sum(is_scenario(q) for q in questions), total),
        key_position_pct={letter: _pct(positions[letter], len(singles)) for letter in "ABCD"},
        longest_key_pct=_pct(sum(key_is_longest(q) for q in singles), len(singles)),
        near_duplicates=near_duplicates(questions, policy.near_duplicate_jaccard),
    )


def problems(fig: BankFigures, policy: BankPolicy) -> list[str]:
    """Every figure outside its bound, worded for the content author."""
    found = []
    if fig.total < policy.min_total:
        found.append(f"bank has {fig.total} items; at least {policy.min_total} are required")
    for slug, topic in TOPICS.items():
        need = min(policy.topic_minimum, topic.estimate)
        if fig.by_topic.get(slug, 0) < need:
            found.append(f"topic {slug} has {fig.by_topic.get(slug, 0)} items; needs at least {need}")
    for domain, weight in DOMAIN_WEIGHTS.items():
        share = fig.by_domain_pct[domain]
        if abs(share - weight) > policy.domain_tolerance_pp:
            found.append(f"domain {domain} is {share}% of items; exam weight {weight}% ± {policy.domain_tolerance_pp}")
    types, levels = fig.by_type_pct, fig.by_difficulty_pct
    checks = [
        (types["multi"] >= policy.min_multi_pct, f"multi items {types['multi']}% < {policy.min_multi_pct}%"),
        (types["truefalse"] <= policy.max_truefalse_pct,
         f"truefalse items {types['truefalse']}% > {policy.max_truefalse_pct}%"),
        (levels[3] >= policy.min_hard_pct, f"difficulty 3 {levels[3]}% < {policy.min_hard_pct}%"),
        (levels[1] <= policy.max_easy_pct, f"difficulty 1 {levels[1]}% > {policy.max_easy_pct}%"),
        (fig.scenario_pct >= policy.min_scenario_pct,
         f"scenario prompts {fig.scenario_pct}% < {policy.min_scenario_pct}%"),
        (fig.longest_key_pct <= policy.max_longest_key_pct,
         f"key is the longest choice in {fig.longest_key_pct}% of single items > {policy.max_longest_key_pct}%"),
    ]
    found.extend(message for ok, message in checks if not ok)
    for letter, share in fig.key_position_pct.items():
        if abs(share - 25.0) > policy.position_tolerance_pp:
            found.append(f"key is {letter} in {share}% of single items; keep each letter at 25% ± "
                         f"{policy.position_tolerance_pp}")
    found.extend(f"near-duplicate prompts: {a} and {b}" for a, b in fig.near_duplicates)
    return found
