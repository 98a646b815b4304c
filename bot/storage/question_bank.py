"""Load the YAML question bank and validate it; report every problem at once.

Validation has three layers: the JSON Schema in ``content/schema.json`` (also
used by editors), rules a schema cannot express (ids unique across files,
answer indexes in range, duplicates, platform text limits, known topics), and
the refusal to let YAML coerce a bare ``yes``/``no``/``3`` in a choice into a
boolean or number. Each problem names the file, the line and the item id.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from bot.content.topics import TOPICS
from bot.engine.errors import ContentError
from bot.engine.limits import QUESTION_TEXT_LIMIT, question_text
from bot.engine.model import Question, QuestionType, Source

log = logging.getLogger(__name__)

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "content" / "schema.json"
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CHOOSE = {2: "(Choose two.)", 3: "(Choose three.)"}


@dataclass(frozen=True)
class LoadedItem:
    """A validated question with where it came from, for tooling."""

    question: Question
    path: Path
    line: int


class YamlQuestionBank:
    """The ``QuestionBank`` port over validated YAML items."""

    def __init__(self, items: Sequence[LoadedItem]) -> None:
        self.items = tuple(items)
        self._questions = tuple(sorted((i.question for i in items), key=lambda q: q.id))
        self._by_id = {q.id: q for q in self._questions}
        self._topics = frozenset(q.topic for q in self._questions)

    @classmethod
    def load(cls, directory: Path) -> YamlQuestionBank:
        """Load every ``*.yaml`` in ``directory``; raise ``ContentError`` listing all problems."""
        items, problems = load_items(directory)
        if problems:
            raise ContentError(problems)
        log.info("loaded %d questions in %d topics from %s", len(items), len({i.question.topic for i in items}),
                 directory)
        return cls(items)

    def all(self) -> Sequence[Question]:
        """Every question, sorted by id."""
        return self._questions

    def get(self, question_id: str) -> Question | None:
        """A question by id."""
        return self._by_id.get(question_id)

    def topics(self) -> frozenset[str]:
        """Topics present in the bank."""
        return self._topics


def load_items(directory: Path) -> tuple[list[LoadedItem], list[str]]:
    """Parse and validate every file; return the good items and every problem found."""
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    files = sorted(directory.glob("*.yaml"))
    if not files:
        return [], [f"{directory}: no *.yaml question files found"]
    items: list[LoadedItem] = []
    problems: list[str] = []
    for path in files:
        loaded, found = _load_file(path, validator)
        items.extend(loaded)
        problems.extend(found)
    problems.extend(_cross_file_problems(items))
    return items, problems


def _load_file(path: Path, validator: jsonschema.Draft202012Validator) -> tuple[list[LoadedItem], list[str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return [], [f"{path}:{line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"]
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        position = getattr(exc, "position", None)  # ReaderError (a control character) has no mark
        if mark is not None:
            line = f":{mark.line + 1}"
        elif isinstance(position, int):
            line = f":{text.count(chr(10), 0, position) + 1}"
        else:
            line = ""
        problem = getattr(exc, "problem", None) or getattr(exc, "reason", None) or str(exc)
        return [], [f"{path}{line}: YAML syntax error: {problem}"]
    if not isinstance(data, dict):
        return [], [f"{path}:1: expected a mapping with 'meta' and 'items'"]
    lines = _item_lines(node)
    errors = list(validator.iter_errors(data))
    problems = [_schema_problem(path, data, lines, err) for err in errors]
    problems.extend(_coercion_problems(path, data, lines))
    if any(_item_index(err) is None for err in errors):
        return [], problems
    broken = {_item_index(err) for err in errors} | set(_coerced_indexes(data))
    items, found = _build(path, data, lines, skip=broken)
    return items, problems + found


def _item_lines(node: yaml.Node | None) -> list[int]:
    """1-based line of each entry of ``items``, from the composed YAML tree."""
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "items" and isinstance(value, yaml.SequenceNode):
            return [child.start_mark.line + 1 for child in value.value]
    return []


def _where(path: Path, data: dict[str, Any], lines: list[int], index: int | None) -> str:
    if index is None:
        return f"{path}:1"
    items = _items(data)
    item = items[index] if index < len(items) else None
    item_id = item.get("id") if isinstance(item, dict) else None
    line = lines[index] if index < len(lines) else 1
    return f"{path}:{line}: item {item_id or f'#{index + 1}'}"


def _item_index(err: jsonschema.ValidationError) -> int | None:
    parts = list(err.absolute_path)
    if len(parts) > 1 and parts[0] == "items" and isinstance(parts[1], int):
        return parts[1]
    return None


def _schema_problem(
    path: Path, data: dict[str, Any], lines: list[int], err: jsonschema.ValidationError
) -> str:
    index = _item_index(err)
    parts = list(err.absolute_path)
    field = ".".join(str(p) for p in (parts[2:] if index is not None else parts))
    message = err.message
    if err.validator in ("maxLength", "minLength") and isinstance(err.instance, str):
        bound = "at most" if err.validator == "maxLength" else "at least"
        message = f"is {len(err.instance)} characters; it must be {bound} {err.validator_value}"
    scope = field or ("item" if index is not None else "file")
    return f"{_where(path, data, lines, index)}: {scope}: {message}"


def _coerced_indexes(data: dict[str, Any]) -> Iterator[int]:
    for index, item in enumerate(_items(data)):
        if any(not isinstance(c, str) for c in _choices(item)):
            yield index


def _items(data: dict[str, Any]) -> list[Any]:
    """``items`` when it is a list (the schema reports anything else)."""
    items = data.get("items")
    return items if isinstance(items, list) else []


def _choices(item: Any) -> list[Any]:  # noqa: ANN401 - any YAML value
    """An item's ``choices`` when it is a list (the schema reports anything else)."""
    choices = item.get("choices") if isinstance(item, dict) else None
    return choices if isinstance(choices, list) else []


def _coercion_problems(path: Path, data: dict[str, Any], lines: list[int]) -> Iterator[str]:
    for index, item in enumerate(_items(data)):
        for pos, choice in enumerate(_choices(item)):
            if isinstance(choice, bool | int | float) or choice is None:
                yield (
                    f"{_where(path, data, lines, index)}: choice {pos + 1} was read as {type(choice).__name__}"
                    f" {choice!r}; quote it (YAML turns bare yes/no/numbers into non-strings)"
                )


def _build(
    path: Path, data: dict[str, Any], lines: list[int], skip: set[int | None]
) -> tuple[list[LoadedItem], list[str]]:
    meta = data["meta"]
    topic = TOPICS.get(meta["topic"])
    problems: list[str] = []
    if topic is None:
        return [], [f"{path}:1: unknown topic {meta['topic']!r}; topics are listed in bot/content/topics.py"]
    if path.stem != topic.slug:
        problems.append(f"{path}:1: file name must be {topic.slug}.yaml for topic {topic.slug!r}")
    if meta["domain"] != topic.domain:
        problems.append(f"{path}:1: meta.domain {meta['domain']} differs from topic's domain {topic.domain}")
    items = []
    for index, raw in enumerate(data["items"]):
        if index in skip:
            continue
        where = _where(path, data, lines, index)
        found = list(_item_problems(raw, topic.slug))
        problems.extend(f"{where}: {p}" for p in found)
        if not found:
            items.append(LoadedItem(_question(raw, topic.slug, meta["domain"]), path, lines[index]))
    return items, problems


def _item_problems(raw: dict[str, Any], topic: str) -> Iterator[str]:
    kind, choices, answer, prompt = raw["type"], raw["choices"], raw["answer"], raw["prompt"]
    if not raw["id"].startswith(topic + "-"):
        yield f"id must start with the topic, {topic}-"
    if raw.get("topic", topic) != topic:
        yield f"topic {raw['topic']!r} differs from meta.topic {topic!r}"
    bad = [a for a in answer if a >= len(choices)]
    if bad:
        yield f"answer index {bad[0]} is out of range for {len(choices)} choices (indexes are zero-based)"
    if len({c.strip().casefold() for c in choices}) != len(choices):
        yield "duplicate choices"
    if kind == "truefalse" and choices != ["True", "False"]:
        yield 'truefalse choices must be exactly ["True", "False"]'
    if kind != "multi" and len(answer) != 1:
        yield f"a {kind} item has exactly one answer"
    if kind == "multi":
        marker = _CHOOSE.get(len(answer))
        if marker is None:
            yield "a multi item has two or three answers"
        elif marker not in prompt:
            yield f"a multi item with {len(answer)} answers says {marker!r} in its prompt"
        if len(choices) < len(answer) + 2:
            yield "a multi item needs at least two wrong choices"
    length = len(question_text(prompt, choices))
    if length > QUESTION_TEXT_LIMIT:
        yield f"question text renders to {length} characters; the platform limit is {QUESTION_TEXT_LIMIT}"


def _question(raw: dict[str, Any], topic: str, default_domain: int) -> Question:
    source = raw["source"]
    return Question(
        id=raw["id"], topic=topic, domain=raw.get("domain", default_domain), type=QuestionType(raw["type"]),
        difficulty=raw["difficulty"], prompt=raw["prompt"].strip(), choices=tuple(raw["choices"]),
        answer=frozenset(raw["answer"]), explanation=raw["explanation"].strip(),
        source=Source(source["file"], source["section"], source["quote"]), refs=tuple(raw.get("refs", ())),
    )


def _cross_file_problems(items: list[LoadedItem]) -> Iterator[str]:
    seen_ids: dict[str, LoadedItem] = {}
    seen_prompts: dict[str, LoadedItem] = {}
    for item in items:
        q = item.question
        first = seen_ids.setdefault(q.id, item)
        if first is not item:
            yield f"{item.path}:{item.line}: item {q.id}: duplicate id, first used at {first.path}:{first.line}"
        key = " ".join(q.prompt.casefold().split())
        twin = seen_prompts.setdefault(key, item)
        if twin is not item:
            yield (f"{item.path}:{item.line}: item {q.id}: same prompt as {twin.question.id}"
                   f" ({twin.path}:{twin.line})")
