"""Pure study rules: readiness, weakest topics, team ranking and streaks, blueprint splits, exam picks."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.engine.exam import pick_exam, time_budget
from bot.engine.model import EXAM_WEIGHTS, CardState, DomainStat, ServerKey, Team
from bot.engine.selection import blueprint_counts
from bot.engine.study import readiness, weakest_topics
from bot.engine.teams import clean_name, rank_teams, team_streak
from tests.fakes import make_question

T0 = datetime(2026, 11, 2, 12, tzinfo=UTC)


def test_readiness_blends_accuracy_and_recall_and_needs_enough_answers() -> None:
    cards = [CardState("q1", 1, "s", T0, 1, 1), CardState("q2", 1, "s", T0, 1, 1)]
    recent = [(1, True)] * 8 + [(1, False)] * 2 + [(2, True)] * 2
    scores, overall = readiness(cards, recent, lambda card: 0.5)
    assert scores[1] == round(100 * (0.6 * 0.8 + 0.4 * 0.5))  # 68
    assert scores[2] == round(100 * 1.0 * 2 / 10)  # only two answers: 20
    assert scores[3] == scores[4] == 0
    assert overall == round((68 * 32 + 20 * 26) / 100)


def test_weakest_topics_need_three_answers() -> None:
    stats = [DomainStat("sqs", 10, 9), DomainStat("kms-encryption", 4, 1), DomainStat("sns", 2, 0),
             DomainStat("cognito", 5, 2), DomainStat("iam-policies", 3, 3)]
    assert weakest_topics(stats) == ("kms-encryption", "cognito", "sqs")


def test_team_ranking_per_active_member_beats_headcount() -> None:
    big = Team(1, ServerKey("d", "g"), "Big", members=10)
    small = Team(2, ServerKey("d", "g"), "Small", members=2)
    idle = Team(3, ServerKey("d", "g"), "Idle", members=4)
    board = rank_teams([(big, 100, 8), (small, 30, 2), (idle, 0, 0)], {2: 3})
    assert [(s.rank, s.team, s.per_member, s.streak) for s in board] == [
        (1, "Small", 15.0, 3), (2, "Big", 12.5, 0), (3, "Idle", 0.0, 0)]
    assert board[1].participation == 0.8


def test_team_streak_counts_full_days_and_tolerates_todays_open_round() -> None:
    members = [("a", T0 - timedelta(days=10)), ("b", T0 - timedelta(days=10)), ("late", T0 - timedelta(hours=1))]
    rounds = [
        (T0, True, frozenset({"a"})),  # today, still open: b and late have not answered yet
        (T0 - timedelta(days=1), False, frozenset({"a", "b"})),  # "late" had not joined yet
        (T0 - timedelta(days=2), False, frozenset({"a", "b", "x"})),
        (T0 - timedelta(days=3), False, frozenset({"a"})),
        (T0 - timedelta(days=4), False, frozenset({"a", "b"})),
    ]
    assert team_streak(members, rounds) == 2
    assert team_streak(members, rounds[1:]) == 2
    assert team_streak(members, rounds[3:]) == 0
    closed_today = [(T0, False, frozenset({"a"})), *rounds[1:]]
    assert team_streak(members, closed_today) == 0


def test_team_names_are_cleaned_and_validated() -> None:
    assert clean_name("  Lambda   Lions ") == "Lambda Lions"
    for bad in ("", "x" * 41, "<script>", "-dash first"):
        try:
            clean_name(bad)
        except Exception as exc:
            assert type(exc).__name__ == "InvalidConfig"
        else:
            raise AssertionError(bad)


def test_blueprint_counts_follow_exam_weights() -> None:
    assert blueprint_counts(20, EXAM_WEIGHTS) == {1: 6, 2: 5, 3: 5, 4: 4}
    assert blueprint_counts(65, EXAM_WEIGHTS) == {1: 21, 2: 17, 3: 15, 4: 12}
    assert sum(blueprint_counts(7, EXAM_WEIGHTS).values()) == 7


def test_exam_pick_is_weighted_prefers_unseen_and_has_no_repeats() -> None:
    bank = [make_question(f"sqs-{n:03d}", domain=1 + n % 4) for n in range(80)]
    seen = frozenset(q.id for q in bank if q.domain == 1 and int(q.id[-3:]) < 40)
    picked = pick_exam(bank, 20, seen, random.Random(5))
    assert len({q.id for q in picked}) == 20
    domains = [q.domain for q in picked]
    assert {d: domains.count(d) for d in EXAM_WEIGHTS} == {1: 6, 2: 5, 3: 5, 4: 4}
    assert not any(q.id in seen for q in picked)
    assert time_budget(20) == timedelta(minutes=40) and time_budget(65) == timedelta(minutes=130)
