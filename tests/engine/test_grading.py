from __future__ import annotations

import pytest

from bot.engine.errors import InvalidChoice
from bot.engine.grading import Scoring, is_correct, parse_letters, validate_choices
from bot.engine.model import QuestionType, RoundKind
from tests.fakes import make_question

SINGLE = make_question("sqs-001", answer=frozenset({1}))
MULTI = make_question("sqs-002", kind=QuestionType.MULTI, answer=frozenset({0, 2}), choices=5)
TRUEFALSE = make_question("sqs-003", kind=QuestionType.TRUEFALSE, answer=frozenset({0}), choices=2)


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (SINGLE, "b", frozenset({1})),
        (SINGLE, " B ", frozenset({1})),
        (MULTI, "ac", frozenset({0, 2})),
        (MULTI, "C, A", frozenset({0, 2})),
        (TRUEFALSE, "A", frozenset({0})),
    ],
)
def test_parse_letters_accepts_button_letters(question, text, expected) -> None:
    assert parse_letters(question, text) == expected


@pytest.mark.parametrize(
    ("question", "text", "message"),
    [
        (SINGLE, "", "Answer with a letter"),
        (SINGLE, "E", "E is not a choice here"),
        (SINGLE, "AB", "exactly one answer"),
        (SINGLE, "BB", "only once"),
        (MULTI, "A", "exactly 2 answers"),
        (MULTI, "ABC", "exactly 2 answers"),
        (TRUEFALSE, "C", "not a choice"),
        (SINGLE, "1", "not a choice"),
    ],
)
def test_parse_letters_rejects_with_a_clear_message(question, text, message) -> None:
    with pytest.raises(InvalidChoice, match=message):
        parse_letters(question, text)


def test_validate_choices_rejects_out_of_range_index() -> None:
    with pytest.raises(InvalidChoice):
        validate_choices(SINGLE, [4])
    with pytest.raises(InvalidChoice):
        validate_choices(SINGLE, [-1])


@pytest.mark.parametrize(
    ("question", "chosen", "correct"),
    [
        (SINGLE, {1}, True),
        (SINGLE, {0}, False),
        (MULTI, {0, 2}, True),
        (MULTI, {0, 1}, False),  # all-or-nothing: one right of two is wrong
        (TRUEFALSE, {0}, True),
        (TRUEFALSE, {1}, False),
    ],
)
def test_grading_is_exact_match(question, chosen, correct) -> None:
    assert is_correct(question, frozenset(chosen)) is correct


def test_scoring_daily_ten_practice_five_wrong_zero() -> None:
    scoring = Scoring()
    assert scoring.points(RoundKind.DAILY, True) == 10
    assert scoring.points(RoundKind.PRACTICE, True) == 5
    assert scoring.points(RoundKind.DAILY, False) == 0
