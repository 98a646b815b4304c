"""Action ids and Slack text escaping: the strings that travel through Slack and back.

Ids carry the round and the choice (``quiz:answer:<round_id>:<choice>``) so a
click is understood after a restart with no in-memory state. Mock-exam
controls use their own prefix (``quiz:exam:...``) so they can never reach the
practice handler, which would show a verdict.
"""

from __future__ import annotations

import re

ANSWER_PATTERN = re.compile(r"^quiz:answer:(\d+):(\d+)$")
PICK_PATTERN = re.compile(r"^quiz:pick:(\d+)$")
SUBMIT_PATTERN = re.compile(r"^quiz:submit:(\d+)$")
EXAM_PATTERN = re.compile(r"^quiz:exam:(\d+):(\d+)$")
EXAM_PICK_PATTERN = re.compile(r"^quiz:exam:pick:(\d+)$")
EXAM_SUBMIT_PATTERN = re.compile(r"^quiz:exam:submit:(\d+)$")
CONFIG_OPEN = "quiz:config:open"
CONFIG_VIEW = "quiz:config"
_MENTION = re.compile(r"<[@#]([A-Z0-9]+)(?:\|[^>]*)?>|<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>")


def answer_id(round_id: int, choice: int) -> str:
    """The ``action_id`` and ``value`` of one letter button or checkbox option."""
    return f"quiz:answer:{round_id}:{choice}"


def pick_id(round_id: int) -> str:
    """The checkbox group of a multi question (its changes are only acknowledged)."""
    return f"quiz:pick:{round_id}"


def submit_id(round_id: int) -> str:
    """The Submit button next to the checkboxes of a multi question."""
    return f"quiz:submit:{round_id}"


def round_block_id(round_id: int) -> str:
    """The actions block of a round, where the checkbox state is read from."""
    return f"quiz:round:{round_id}"


def exam_answer_id(round_id: int, choice: int) -> str:
    """The ``action_id`` and ``value`` of a mock-exam letter button or checkbox option."""
    return f"quiz:exam:{round_id}:{choice}"


def exam_pick_id(round_id: int) -> str:
    """The checkbox group of a multi question in a mock exam."""
    return f"quiz:exam:pick:{round_id}"


def exam_submit_id(round_id: int) -> str:
    """The Submit button of a multi question in a mock exam."""
    return f"quiz:exam:submit:{round_id}"


def parse_answer(action_id: str, pattern: re.Pattern[str] = ANSWER_PATTERN) -> tuple[int, int]:
    """``quiz:answer:12:3`` (or ``quiz:exam:12:3`` with ``EXAM_PATTERN``) into (12, 3); ValueError otherwise."""
    match = pattern.match(action_id)
    if not match:
        raise ValueError(f"not an answer id: {action_id!r}")
    return int(match.group(1)), int(match.group(2))


def parse_round(pattern: re.Pattern[str], action_id: str) -> int:
    """The round id of a pick or submit action id."""
    match = pattern.match(action_id)
    if not match:
        raise ValueError(f"unexpected action id: {action_id!r}")
    return int(match.group(1))


def escape(text: str) -> str:
    """Escape the three characters mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of ``&``, ``<`` and ``>`` in what people type (slash command text)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def unwrap_mentions(text: str) -> str:
    """Turn Slack's escaped ``<@U1|ann>``, ``<#C1|general>``, ``<!subteam^S1|@team>`` into bare ids."""
    return _MENTION.sub(lambda m: m.group(1) or m.group(2), text)
