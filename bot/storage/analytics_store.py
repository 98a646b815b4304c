"""SQL of ``quizbot content analytics``: how each question fared, across every server.

Three grouped scans instead of one row per answer: the answers are grouped by
the exact choice set, so the Python side sees at most a few rows per question
even with millions of answers.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from bot.storage.database import Executor

log = logging.getLogger(__name__)


class SqlAnalyticsStore:
    """Aggregates per question id, on any database (the CLI passes a read-only one)."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def _rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in await self._db.fetch_all(sql)]

    async def rounds_per_question(self) -> dict[str, int]:
        """How many rounds (daily posts and practice draws) asked each question."""
        rows = await self._rows("SELECT question_id, count(*) FROM rounds GROUP BY question_id")
        return {str(qid): int(n) for qid, n in rows}

    async def choice_sets(self) -> Sequence[tuple[str, str, int, int]]:
        """(question_id, choices as stored e.g. ``"0,2"``, answers, correct answers) per distinct choice set."""
        rows = await self._rows(
            "SELECT question_id, choices, count(*), sum(correct) FROM attempts GROUP BY question_id, choices"
        )
        return [(str(qid), str(choices), int(n), int(ok or 0)) for qid, choices, n, ok in rows]

    async def reports_per_question(self) -> dict[str, tuple[int, int]]:
        """(open, total) reports per question id."""
        rows = await self._rows(
            "SELECT question_id, sum(CASE WHEN resolved_at IS NULL THEN 1 ELSE 0 END), count(*) FROM reports"
            " GROUP BY question_id"
        )
        return {str(qid): (int(open_ or 0), int(total)) for qid, open_, total in rows}
