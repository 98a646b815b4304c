from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.errors import NoQuestionsAvailable
from bot.engine.selection import Filter, draw
from tests.fakes import make_question

BANK = [make_question(f"sqs-{i:03d}", topic="sqs" if i % 2 else "sns", domain=1 + i % 4) for i in range(1, 13)]


def run_deck(questions, flt, draws, seed):
    rng, cycle, drawn, picked = random.Random(seed), 0, set(), []
    for _ in range(draws):
        result = draw(questions, flt, cycle, drawn, rng)
        if result.cycle != cycle:
            cycle, drawn = result.cycle, set()
        drawn.add(result.question.id)
        picked.append((result.cycle, result.question.id))
    return picked


@given(seed=st.integers(0, 10_000), draws=st.integers(1, 40))
def test_no_repeat_within_a_cycle_and_every_question_before_a_new_cycle(seed, draws) -> None:
    picked = run_deck(BANK, Filter(), draws, seed)
    by_cycle: dict[int, list[str]] = {}
    for cycle, qid in picked:
        by_cycle.setdefault(cycle, []).append(qid)
    for cycle, ids in by_cycle.items():
        assert len(ids) == len(set(ids))
        if cycle + 1 in by_cycle:
            assert len(ids) == len(BANK)


def test_same_seed_same_sequence_other_seed_differs() -> None:
    assert run_deck(BANK, Filter(), 12, 1) == run_deck(BANK, Filter(), 12, 1)
    assert run_deck(BANK, Filter(), 12, 1) != run_deck(BANK, Filter(), 12, 2)


def test_new_questions_join_the_current_cycle() -> None:
    rng = random.Random(3)
    drawn = {q.id for q in BANK[:-1]}
    grown = [*BANK, make_question("sqs-099")]
    seen = {draw(grown, Filter(), 0, drawn, rng).question.id for _ in range(30)}
    assert seen == {BANK[-1].id, "sqs-099"}
    assert all(draw(grown, Filter(), 0, drawn, rng).cycle == 0 for _ in range(5))


def test_filter_by_topic_and_domain() -> None:
    picked = run_deck(BANK, Filter(topics=("sns",), domain=3), 6, 5)
    ids = {qid for _, qid in picked}
    assert ids and all(q.topic == "sns" and q.domain == 3 for q in BANK if q.id in ids)


def test_empty_filter_raises_no_questions() -> None:
    with pytest.raises(NoQuestionsAvailable, match="topic kinesis"):
        draw(BANK, Filter(topics=("kinesis",)), 0, set(), random.Random(1))


def test_blueprint_weights_decide_the_domain_not_the_bank_mix() -> None:
    lopsided = [make_question(f"sqs-{i:03d}", domain=1 if i < 70 else 4) for i in range(100)]
    rng = random.Random(4)
    picks = [draw(lopsided, Filter(), 0, set(), rng, {1: 32, 2: 26, 3: 24, 4: 18}).question.domain
             for _ in range(4000)]
    # 30 % of the bank is domain 4, but the blueprint gives it 18 / (32 + 18) = 36 % of draws.
    assert abs(picks.count(4) / 4000 - 0.36) < 0.025


def test_a_filter_turns_the_blueprint_off() -> None:
    rng = random.Random(4)
    picks = {draw(BANK, Filter(domain=2), 0, set(), rng, {1: 100, 2: 1}).question.domain for _ in range(20)}
    assert picks == {2}
