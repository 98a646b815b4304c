"""Spaced-repetition cards, mock exams and the per-player study queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.engine.model import CardState, Exam, PlayerKey, ServerKey
from bot.storage.batching import Coalescer
from bot.storage.database import Row
from bot.storage.sql_base import SqlBase, epoch, from_text, to_text, writes

# {values} is only "(?, …), (?, …)" placeholders, one group per card.
SAVE_CARDS = (
    "INSERT INTO cards (platform, server_id, user_id, question_id, domain, state, due, reviews, lapses)"
    " VALUES {values} ON CONFLICT (platform, server_id, user_id, question_id)"
    " DO UPDATE SET domain = excluded.domain, state = excluded.state, due = excluded.due,"
    " reviews = excluded.reviews, lapses = excluded.lapses"
)


def _card(row: Row) -> CardState:
    return CardState(row["question_id"], row["domain"], row["state"], from_text(row["due"]) or epoch(),
                     row["reviews"], row["lapses"])


def _exam(row: Row) -> Exam:
    return Exam(
        id=row["id"], player=PlayerKey(row["platform"], row["server_id"], row["user_id"]),
        started_at=from_text(row["started_at"]) or epoch(), deadline=from_text(row["deadline"]) or epoch(),
        question_ids=tuple(q for q in row["questions"].split(",") if q),
        round_ids=tuple(int(r) for r in row["rounds"].split(",") if r), finished_at=from_text(row["finished_at"]),
    )


def _who(player: PlayerKey) -> tuple[str, str, str]:
    return player.platform, player.server_id, player.user_id


class StudyQueries(SqlBase):
    """SQL of cards and exams."""

    _card_saves: Coalescer[tuple[PlayerKey, CardState], None]  # built by the store over ``_save_cards``

    async def get_card(self, player: PlayerKey, question_id: str) -> CardState | None:
        """Primary-key lookup of a card."""
        row = await self._one(
            "SELECT * FROM cards WHERE platform = ? AND server_id = ? AND user_id = ? AND question_id = ?",
            (*_who(player), question_id),
        )
        return _card(row) if row else None

    async def save_card(self, player: PlayerKey, card: CardState) -> None:
        """Insert or replace a card; concurrent saves (a burst of answers) share one statement."""
        await self._card_saves.submit((player, card))

    async def _save_cards(self, saves: Sequence[tuple[PlayerKey, CardState]]) -> list[Exception | None]:
        """One multi-row upsert; a card saved twice in the batch keeps its last state.

        PostgreSQL refuses to update one row twice in a statement, and SQLite would apply
        both in order, so the batch is folded to the last save per card first. Rows go in key
        order, so two processes' batches sharing cards lock them in one order (no deadlock).
        """
        last = {(*_who(player), card.question_id): card for player, card in saves}
        params: list[object] = []
        for (platform, server_id, user_id, _qid), card in sorted(last.items(), key=lambda item: item[0]):
            params += [platform, server_id, user_id, card.question_id, card.domain, card.state, to_text(card.due),
                       card.reviews, card.lapses]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(last))
        async with writes():
            await self._run(SAVE_CARDS.format(values=values), params)
        return [None] * len(saves)

    async def due_cards(self, player: PlayerKey, now: datetime, limit: int) -> Sequence[CardState]:
        """Due cards, most overdue first (index ``cards_due``)."""
        rows = await self._all(
            "SELECT * FROM cards WHERE platform = ? AND server_id = ? AND user_id = ? AND due <= ?"
            " ORDER BY due LIMIT ?",
            (*_who(player), to_text(now), limit),
        )
        return [_card(r) for r in rows]

    async def cards(self, player: PlayerKey) -> Sequence[CardState]:
        """All the player's cards."""
        rows = await self._all(
            "SELECT * FROM cards WHERE platform = ? AND server_id = ? AND user_id = ? ORDER BY due", _who(player)
        )
        return [_card(r) for r in rows]

    async def recent_results(self, player: PlayerKey, per_domain: int) -> Sequence[tuple[int, bool]]:
        """(domain, correct) of the latest ``per_domain`` answers in each domain."""
        rows = await self._all(
            "SELECT domain, correct FROM (SELECT domain, correct, row_number() OVER"
            " (PARTITION BY domain ORDER BY answered_at DESC) AS n FROM attempts"
            " WHERE platform = ? AND server_id = ? AND user_id = ?) AS ranked WHERE n <= ?",
            (*_who(player), per_domain),
        )
        return [(int(r[0]), bool(r[1])) for r in rows]

    async def seen_questions(self, player: PlayerKey) -> frozenset[str]:
        """Distinct questions the player answered."""
        rows = await self._all(
            "SELECT DISTINCT question_id FROM attempts WHERE platform = ? AND server_id = ? AND user_id = ?",
            _who(player),
        )
        return frozenset(r[0] for r in rows)

    async def daily_participation(self, server: ServerKey, days: int) -> Sequence[tuple[date, int]]:
        """Distinct answerers per daily round's local date."""
        rows = await self._all(
            "SELECT r.local_date, count(a.user_id) FROM rounds r LEFT JOIN attempts a ON a.round_id = r.id"
            " WHERE r.platform = ? AND r.server_id = ? AND r.kind = 'daily'"
            " GROUP BY r.local_date ORDER BY r.local_date DESC LIMIT ?",
            (server.platform, server.server_id, days),
        )
        return [(date.fromisoformat(r[0]), int(r[1])) for r in rows]

    async def domain_totals(self, server: ServerKey) -> Sequence[tuple[int, int, int]]:
        """Answers and correct answers per domain in the server."""
        rows = await self._all(
            "SELECT domain, count(*), sum(correct) FROM attempts WHERE platform = ? AND server_id = ?"
            " GROUP BY domain ORDER BY domain",
            (server.platform, server.server_id),
        )
        return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]

    async def question_totals(self, server: ServerKey, min_answers: int) -> Sequence[tuple[str, int, int]]:
        """Per question with enough answers: answered and correct."""
        rows = await self._all(
            "SELECT question_id, count(*) AS n, sum(correct) FROM attempts WHERE platform = ? AND server_id = ?"
            " GROUP BY question_id HAVING count(*) >= ?",
            (server.platform, server.server_id, min_answers),
        )
        return [(r[0], int(r[1]), int(r[2])) for r in rows]

    async def create_exam(self, exam: Exam) -> Exam:
        """Insert an exam; the partial unique index allows one active exam per player."""
        row = await self._one(
            "INSERT INTO exams (platform, server_id, user_id, started_at, deadline, questions)"
            " VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (*_who(exam.player), to_text(exam.started_at), to_text(exam.deadline), ",".join(exam.question_ids)),
        )
        assert row is not None  # noqa: S101 - inserted just above
        return _exam(row)

    async def active_exam(self, player: PlayerKey) -> Exam | None:
        """The unfinished exam of the player."""
        row = await self._one(
            "SELECT * FROM exams WHERE platform = ? AND server_id = ? AND user_id = ? AND finished_at IS NULL",
            _who(player),
        )
        return _exam(row) if row else None

    async def add_exam_round(self, exam_id: int, round_id: int) -> None:
        """Append a served round to the exam."""
        await self._run(
            "UPDATE exams SET rounds = CASE rounds WHEN '' THEN ? ELSE rounds || ',' || ? END WHERE id = ?",
            (str(round_id), str(round_id), exam_id),
        )

    async def finish_exam(self, exam_id: int, at: datetime) -> None:
        """Close the exam."""
        await self._run("UPDATE exams SET finished_at = ? WHERE id = ?", (to_text(at), exam_id))
