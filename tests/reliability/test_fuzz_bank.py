"""Fuzzed question files: every problem is reported with file and line; nothing but ``ContentError`` escapes.

Three shapes of bad input: arbitrary text, arbitrary bytes (a file saved in the
wrong encoding) and a valid item whose fields are replaced by random YAML
values of any type, nested or not.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine.errors import ContentError
from bot.storage.question_bank import YamlQuestionBank, load_items
from tests.conftest import FIXTURE_BANK

FUZZ = settings(max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
VALID: dict[str, Any] = yaml.safe_load((FIXTURE_BANK / "sqs.yaml").read_text(encoding="utf-8"))
ITEM_FIELDS = [*sorted(VALID["items"][0]), "domain", "refs", "topic", "extra"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                    st.builds(str.__mul__, st.characters(), st.integers(3000, 5000)), st.dates())
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                                             inner, max_size=4),
                      max_leaves=10)


def check_problems(directory: Path, path: Path) -> list[str]:
    """``load_items`` returns problems, each naming the file and a line; ``load`` raises only ContentError."""
    items, problems = load_items(directory)
    for problem in problems:
        assert re.match(rf"{re.escape(str(path))}:\d+: ", problem), problem
    try:
        YamlQuestionBank.load(directory)
    except ContentError as exc:
        assert exc.problems == problems
    else:
        assert problems == [] and items
    return problems


def write(tmp_path: Path, data: str | bytes) -> Path:
    path = tmp_path / "sqs.yaml"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


# Control characters are the subject of their own test below.
printable = st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\n\t")


@FUZZ
@given(text=st.text(printable, max_size=400))
def test_arbitrary_text(tmp_path: Path, text: str) -> None:
    check_problems(tmp_path, write(tmp_path, text))


@FUZZ
@given(field=st.sampled_from(ITEM_FIELDS), value=values, index=st.integers(0, len(VALID["items"]) - 1))
def test_one_item_field_replaced_by_any_yaml_value(tmp_path: Path, field: str, value: Any, index: int) -> None:
    data = yaml.safe_load(yaml.safe_dump(VALID))
    data["items"][index][field] = value
    problems = check_problems(tmp_path, write(tmp_path, yaml.safe_dump(data, allow_unicode=True)))
    if problems:  # the broken item is pointed at, not just the file
        assert any(": item " in p for p in problems), problems


@FUZZ
@given(meta=values, items=values)
def test_meta_and_items_replaced_by_any_yaml_value(tmp_path: Path, meta: Any, items: Any) -> None:
    text = yaml.safe_dump({"meta": meta, "items": items}, allow_unicode=True)
    assert check_problems(tmp_path, write(tmp_path, text))


def test_a_file_that_is_not_utf8_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    text = (FIXTURE_BANK / "sqs.yaml").read_text(encoding="utf-8").replace("Amazon SQS", "Amazon SQS \u00fcber")
    check_problems(tmp_path, write(tmp_path, text.encode("latin-1", errors="replace")))


@pytest.mark.parametrize("items", ["5", "true", "2026-01-01", "[{id: sqs-001, choices: 5}]", "[{choices: true}]"])
def test_a_scalar_where_a_list_belongs_is_a_problem_not_a_crash(tmp_path: Path, items: str) -> None:
    path = write(tmp_path, f'meta: {{topic: sqs, domain: 1, title: "T"}}\nitems: {items}\n')
    assert check_problems(tmp_path, path)


def test_a_control_character_problem_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'meta: {topic: sqs, domain: 1, title: "T"}\nitems:\n  - id: "sqs-\x08"\n')
    [problem] = check_problems(tmp_path, path)
    assert problem.startswith(f"{path}:3: ")
