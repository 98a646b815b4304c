"""Fuzzed answers: typed letters and raw choice sets only ever end in a ``QuizError``, and a refusal writes nothing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.errors import InvalidChoice, QuizError
from bot.engine.grading import parse_letters, validate_choices
from bot.engine.model import PlayerKey, Question, ServerKey
from bot.engine.service import QuizService
from bot.storage.database import Database
from bot.storage.question_bank import YamlQuestionBank
from tests.conftest import FIXTURE_BANK
from tests.reliability.conftest import snapshot

FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
QUESTIONS = YamlQuestionBank.load(FIXTURE_BANK).all()
SERVER = ServerKey("discord", "g1")
OWNER = SERVER.player("owner")
SQLITE_INT = (-(2**63), 2**63 - 1)

# Letters in every case, separators, look-alikes whose upper case is ASCII (sharp s -> SS, ligature ff -> FF,
# dotless i -> I, long s -> S), fullwidth letters, a combining mark, a zero-width space, an emoji, anything else.
LOOKALIKES = "\u00df\ufb00\ufb01\u0131\u017f\uff42\uff21\u0301\u200b\U0001f600"
typed = st.text(st.sampled_from("abcdefgABCDEFGZ ,;/-\t\n" + LOOKALIKES) | st.characters(), max_size=30)


@given(question=st.sampled_from(QUESTIONS), text=typed)
@settings(max_examples=200, deadline=None, database=None)
def test_parse_letters_accepts_a_valid_answer_or_raises_invalid_choice(question: Question, text: str) -> None:
    try:
        chosen = parse_letters(question, text)
    except InvalidChoice as exc:
        assert str(exc)
        return
    assert chosen == validate_choices(question, chosen)
    assert all(0 <= i < len(question.choices) for i in chosen)


@pytest.fixture
async def rounds(service: QuizService) -> list[int]:
    """A daily round, one private practice round per bank question, and one of them revealed."""
    ids = [(await service.open_daily(SERVER)).round.id]
    ids += [(await service.open_practice(OWNER)).round.id for _ in QUESTIONS]
    await service.reveal(ids[-1])
    return ids


def players() -> st.SearchStrategy[PlayerKey]:
    user_ids = st.sampled_from(["owner", "other", ""]) | st.text(max_size=40) | st.just("x" * 10_000)
    servers = st.sampled_from([SERVER, ServerKey("slack", "T1"), ServerKey("discord", "g2")])
    return st.builds(lambda server, user: server.player(user), servers, user_ids)


@FUZZ
@given(data=st.data())
async def test_submit_answer_refuses_with_quiz_errors_and_writes_nothing(
    service: QuizService, db: Database, rounds: list[int], data: st.DataObject
) -> None:
    round_id = data.draw(st.sampled_from(rounds) | st.integers(*SQLITE_INT), label="round_id")
    player = data.draw(players(), label="player")
    choices = data.draw(st.frozensets(st.integers(-3, 8) | st.integers(*SQLITE_INT), max_size=7), label="choices")
    before = snapshot(db.path)
    try:
        result = await service.submit_answer(round_id, player, choices)
    except QuizError:
        assert snapshot(db.path) == before
        return
    after = snapshot(db.path)
    assert len(after["attempts"]) == len(before["attempts"]) + 1
    assert result.chosen == choices and round_id in rounds


@pytest.mark.parametrize("round_id", [2**63, -(2**63) - 1, 10**30])
async def test_a_round_id_beyond_sqlite_integers_is_round_not_found(service: QuizService, round_id: int) -> None:
    with pytest.raises(QuizError):
        await service.submit_answer(round_id, OWNER, frozenset({0}))


async def test_choice_indexes_beyond_sqlite_integers_are_invalid_choices(
    service: QuizService, rounds: list[int]
) -> None:
    with pytest.raises(InvalidChoice):
        await service.submit_answer(rounds[0], OWNER, frozenset({2**80}))
