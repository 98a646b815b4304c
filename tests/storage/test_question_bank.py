"""Bad content gets a clear error naming file, line and item; every problem is listed at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.engine.errors import ContentError
from bot.engine.model import QuestionType
from bot.storage.question_bank import YamlQuestionBank, load_items
from tests.conftest import FIXTURE_BANK

SOURCE = '{file: 002_e9099063964cb65b.txt, section: "S", quote: "a quote long enough"}'


def item(qid: str, **over: str) -> str:
    fields = {
        "type": "single", "difficulty": "2", "prompt": f'"What does {qid} test, exactly?"',
        "choices": '["one", "two", "three", "four"]', "answer": "[1]",
        "explanation": '"Because two is right and the others are not right."', "source": SOURCE,
    }
    fields.update(over)
    body = "\n".join(f"    {k}: {v}" for k, v in fields.items())
    return f"  - id: {qid}\n{body}\n"


def write(tmp_path: Path, name: str, topic: str, domain: int, *items: str) -> Path:
    path = tmp_path / name
    path.write_text(f'meta: {{topic: {topic}, domain: {domain}, title: "T"}}\nitems:\n' + "".join(items))
    return path


def problems_of(tmp_path: Path) -> list[str]:
    return load_items(tmp_path)[1]


def test_fixture_bank_loads_with_types_and_domains() -> None:
    bank = YamlQuestionBank.load(FIXTURE_BANK)
    assert len(bank.all()) == 5
    assert bank.topics() == {"sqs", "s3-encryption"}
    multi = bank.get("sqs-002")
    assert multi is not None and multi.type is QuestionType.MULTI and multi.answer == {0, 1}
    assert bank.get("s3-encryption-001").domain == 2


def test_domain_override_on_an_item(tmp_path: Path) -> None:
    write(tmp_path, "sqs.yaml", "sqs", 1, item("sqs-001", domain="4"), item("sqs-002"))
    items, problems = load_items(tmp_path)
    assert problems == []
    assert {i.question.id: i.question.domain for i in items} == {"sqs-001": 4, "sqs-002": 1}


def test_malformed_yaml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "sqs.yaml"
    path.write_text('meta: {topic: sqs, domain: 1, title: "T"}\nitems:\n  - id: sqs-001\n    prompt: "unclosed\n')
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(f"{path}:") and "YAML syntax error" in problem


def test_wrong_answer_index_names_line_and_item(tmp_path: Path) -> None:
    path = write(tmp_path, "sqs.yaml", "sqs", 1, item("sqs-001"), item("sqs-002", answer="[4]"))
    (problem,) = problems_of(tmp_path)
    assert problem.startswith(f"{path}:11: item sqs-002: answer index 4 is out of range")


def test_unknown_topic(tmp_path: Path) -> None:
    write(tmp_path, "quantum.yaml", "quantum", 1, item("quantum-001"))
    (problem,) = problems_of(tmp_path)
    assert "unknown topic 'quantum'" in problem


def test_oversized_text_is_rejected(tmp_path: Path) -> None:
    choices = "[" + ", ".join(f'"{letter * 190}"' for letter in "abcdef") + "]"
    prompt = '"' + "Why " * 230 + '?"'
    write(tmp_path, "sqs.yaml", "sqs", 1,
          item("sqs-001", prompt=prompt, choices=choices),
          item("sqs-002", explanation='"' + "y" * 1200 + '"'))
    problems = problems_of(tmp_path)
    assert any("item sqs-001" in p and "renders to" in p for p in problems)
    assert any("item sqs-002: explanation: is 1200 characters; it must be at most 1000" in p for p in problems)


def test_duplicate_id(tmp_path: Path) -> None:
    path = write(tmp_path, "sqs.yaml", "sqs", 1, item("sqs-001"), item("sqs-001", prompt='"Another prompt here?"'))
    (problem,) = problems_of(tmp_path)
    assert problem == f"{path}:11: item sqs-001: duplicate id, first used at {path}:3"


def test_bare_yes_no_and_numbers_in_choices_are_errors(tmp_path: Path) -> None:
    write(tmp_path, "sqs.yaml", "sqs", 1, item("sqs-001", choices="[yes, no, 3, maybe]"))
    problems = problems_of(tmp_path)
    assert any("choice 1 was read as bool True" in p for p in problems)
    assert any("choice 3 was read as int 3" in p for p in problems)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "sqs.yaml", "sqs", 1,
          item("sqs-001", answer="[9]"),
          item("sqs-002", type="truefalse"),
          item("sqs-003", type="multi", answer="[0, 1]"),
          item("sqs-004", choices='["same", "Same", "c", "d"]'))
    write(tmp_path, "sns.yaml", "sns", 1, item("sns-001", difficulty="7"))
    with pytest.raises(ContentError) as caught:
        YamlQuestionBank.load(tmp_path)
    text = str(caught.value)
    for expected in ("sqs-001: answer.0: 9 is greater than the maximum of 5", "sqs-002: truefalse choices",
                     "sqs-003: a multi item with 2 answers says '(Choose two.)'", "sqs-004: duplicate choices",
                     "sns-001: difficulty: 7 is greater than the maximum of 3"):
        assert expected in text
    assert len(caught.value.problems) == 5


def test_duplicate_prompt_and_missing_field(tmp_path: Path) -> None:
    shutil.copy(FIXTURE_BANK / "sqs.yaml", tmp_path / "sqs.yaml")
    text = (tmp_path / "sqs.yaml").read_text()
    broken = text.replace('    explanation: "True: standard', '    explanatio: "True: standard')
    (tmp_path / "sqs.yaml").write_text(broken)
    write(tmp_path, "sns.yaml", "sns", 1, item("sns-001", prompt='"Which TWO features reduce empty receives and cost'
                                               ' for an SQS consumer? (Choose two.)"'))
    problems = problems_of(tmp_path)
    assert any("sqs-003" in p and "'explanation' is a required property" in p for p in problems)
    assert any("item sqs-002: same prompt as sns-001" in p for p in problems)
    assert any("item sqs-003: item: Additional properties are not allowed ('explanatio'" in p for p in problems)


def test_file_name_must_match_topic(tmp_path: Path) -> None:
    write(tmp_path, "queues.yaml", "sqs", 1, item("sqs-001"))
    (problem,) = problems_of(tmp_path)
    assert "file name must be sqs.yaml" in problem


def test_empty_directory_is_a_problem(tmp_path: Path) -> None:
    assert problems_of(tmp_path) == [f"{tmp_path}: no *.yaml question files found"]
