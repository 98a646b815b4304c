from __future__ import annotations

from bot.content.bank_health import BankPolicy, figures, is_scenario, key_is_longest, problems
from bot.content.topics import TOPICS
from bot.engine.model import Question, QuestionType

SCENARIO = ("A developer runs an order service on AWS Lambda behind Amazon API Gateway and sees throttling at "
            "peak. Which solution meets the requirement with the LEAST operational overhead?")


def q(qid: str, answer: int = 0, *, kind: QuestionType = QuestionType.SINGLE, difficulty: int = 2, domain: int = 1,
      topic: str = "sqs", prompt: str | None = None, choices: tuple[str, ...] | None = None) -> Question:
    return Question(id=qid, topic=topic, domain=domain, type=kind, difficulty=difficulty,
                    prompt=prompt or f"{SCENARIO} Case {qid} alpha{qid} beta{qid} gamma{qid}.",
                    choices=choices or ("aaaa", "bbbb", "cccc", "dddd"), answer=frozenset({answer}),
                    explanation="e" * 50)


def test_scenario_and_longest_key_heuristics() -> None:
    assert is_scenario(q("x-001"))
    assert not is_scenario(q("x-002", prompt="What is the maximum SQS message size, as of today's limits?"))
    assert key_is_longest(q("x-003", 1, choices=("a", "bbbbbbbb", "c", "d")))
    assert not key_is_longest(q("x-004", 1, choices=("aaaaaaaa", "bbbbbbbb", "c", "d")))


def test_a_skewed_bank_fails_each_bound() -> None:
    bank = [q(f"sqs-{i:03d}", answer=2, difficulty=1, choices=("a", "b", "cccccccc", "d"), prompt=f"Short {i} x?")
            for i in range(20)]
    found = problems(figures(bank, BankPolicy()), BankPolicy())
    text = "\n".join(found)
    for expected in ("bank has 20 items", "topic kinesis has 0 items", "domain 2 is 0.0%", "multi items 0.0%",
                     "difficulty 3 0.0%", "difficulty 1 100.0%", "scenario prompts 0.0%",
                     "key is the longest choice in 100.0%", "key is C in 100.0%"):
        assert expected in text


def test_near_duplicates_are_reported() -> None:
    bank = [q("sqs-001"), q("sqs-002", prompt=q("sqs-001").prompt.replace("Case", "Case:"))]
    fig = figures(bank, BankPolicy())
    assert fig.near_duplicates == (("sqs-001", "sqs-002"),)


def test_a_balanced_bank_passes() -> None:
    bank, n = [], 0
    weights = {1: 32, 2: 26, 3: 24, 4: 18}
    topics_by_domain = {d: [t.slug for t in TOPICS.values() if t.domain == d] for d in weights}
    for domain, weight in weights.items():
        for i in range(weight * 6):
            n += 1
            topic = topics_by_domain[domain][i % len(topics_by_domain[domain])]
            kind = QuestionType.MULTI if n % 5 == 0 else QuestionType.SINGLE
            bank.append(q(f"{topic}-{n:03d}", answer=n % 4, kind=kind, difficulty=1 + n % 3, domain=domain,
                          topic=topic, prompt=f"{SCENARIO} Item {n}: " + " ".join(f"w{n}x{k}" for k in range(30))))
    assert problems(figures(bank, BankPolicy()), BankPolicy()) == []
