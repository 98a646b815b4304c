"""Grading and scoring: pure functions, table-tested."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.engine.errors import InvalidChoice
from bot.engine.model import LETTERS, Question, QuestionType, RoundKind


@dataclass(frozen=True)
class Scoring:
    """Points per correct answer; practice points reach the board only if the server allows it."""

    daily_correct: int = 10
    practice_correct: int = 5

    def points(self, kind: RoundKind, correct: bool) -> int:
        """Points an answer earns."""
        if not correct:
            return 0
        return self.daily_correct if kind is RoundKind.DAILY else self.practice_correct


def parse_letters(question: Question, text: str) -> frozenset[int]:
    """Turn ``"b"``, ``"A C"`` or ``"a,c"`` into choice indexes, rejecting anything else."""
    cleaned = [ch for ch in text.upper() if ch not in " ,;/"]
    if not cleaned:
        raise InvalidChoice(f"Answer with a letter from {question.letters}.")
    unknown = [ch for ch in cleaned if ch not in question.letters]
    if unknown:
        raise InvalidChoice(
            f"{''.join(unknown)!s} is not a choice here; answer with letters from {question.letters}."
        )
    return validate_choices(question, (LETTERS.index(ch) for ch in cleaned))


def validate_choices(question: Question, choices: Iterable[int]) -> frozenset[int]:
    """Check a submission fits the question's type and size; return it as a set."""
    picked = list(choices)
    chosen = frozenset(picked)
    if len(chosen) != len(picked):
        raise InvalidChoice("Each letter can be picked only once.")
    if not chosen:
        raise InvalidChoice("Pick at least one answer.")
    if any(i < 0 or i >= len(question.choices) for i in chosen):
        raise InvalidChoice(f"Answer with letters from {question.letters}.")
    if question.type is not QuestionType.MULTI and len(chosen) != 1:
        raise InvalidChoice("This question takes exactly one answer.")
    if question.type is QuestionType.MULTI and len(chosen) != len(question.answer):
        raise InvalidChoice(f"This question takes exactly {len(question.answer)} answers.")
    return chosen


def is_correct(question: Question, chosen: frozenset[int]) -> bool:
    """Exact match for every type: multi is all-or-nothing, as on the exam."""
    return chosen == question.answer
