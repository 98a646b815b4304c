"""``SqlQuizStore``: the engine's ``QuizStore`` port in SQL, on SQLite or PostgreSQL.

The quiz's SQL lives here and in the mixin modules, one text for both
backends (see ``bot.storage.database``). Instants are stored as ISO-8601 UTC
text with microseconds, so text order is time order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from bot.engine.errors import AlreadyAnswered, RoundNotFound
from bot.engine.model import (
    Attempt,
    CardState,
    PlayerKey,
    Round,
    RoundKind,
    ServerKey,
    Standing,
)
from bot.storage.admin_sql import AdminQueries
from bot.storage.batching import Coalescer
from bot.storage.config_sql import ConfigQueries
from bot.storage.database import Database, Row
from bot.storage.sql_base import epoch, from_text, to_text, writes
from bot.storage.study_sql import StudyQueries
from bot.storage.team_sql import TeamQueries

MAX_ROW_ID = 2**63  # ids are 64-bit on both backends; a forged larger id is simply not found
# {values} is only "(?, …), (?, …)" placeholders, one group per answer of the batch.
INSERT_ATTEMPTS = (
    "INSERT INTO attempts (round_id, platform, server_id, user_id, question_id, choices, correct,"
    " points, answered_at, kind, topic, domain, on_board, week_key, month_key, daily_seq)"
    " VALUES {values} ON CONFLICT DO NOTHING RETURNING round_id, platform, server_id, user_id"
)

BOARD_SQL = (
    "SELECT user_id, points, answered, correct FROM board_totals "
    "WHERE platform = ? AND server_id = ? AND period = ? "
    "ORDER BY points DESC, user_id LIMIT ?"
)
# Two range counts on board_rank instead of one OR: an OR of ranges makes SQLite walk the
# whole bucket, two ranges walk only the rows above the player.
RANK_SQL = (
    "SELECT 1 + (SELECT count(*) FROM board_totals WHERE platform = ? AND server_id = ? AND period = ?"
    " AND points > ?) + (SELECT count(*) FROM board_totals WHERE platform = ? AND server_id = ? AND period = ?"
    " AND points = ? AND user_id < ?)"
)
STANDING_SQL = (
    "SELECT points, answered, correct FROM board_totals "
    "WHERE platform = ? AND server_id = ? AND period = ? AND user_id = ?"
)
_ROUND_COLUMNS = (
    "id, platform, server_id, kind, question_id, owner, opened_at, closes_at, revealed_at, "
    "local_date, daily_seq, channel_id, message_ref, timezone, on_board"
)
_ROUND_COLUMNS_R = ", ".join(f"r.{c.strip()}" for c in _ROUND_COLUMNS.split(","))


def _round(row: Row) -> Round:
    return Round(
        id=row["id"], kind=RoundKind(row["kind"]), server=ServerKey(row["platform"], row["server_id"]),
        question_id=row["question_id"], owner=row["owner"], opened_at=from_text(row["opened_at"]) or epoch(),
        closes_at=from_text(row["closes_at"]), revealed_at=from_text(row["revealed_at"]),
        local_date=date.fromisoformat(row["local_date"]) if row["local_date"] else None,
        daily_seq=row["daily_seq"], channel_id=row["channel_id"], message_ref=row["message_ref"],
        timezone=row["timezone"], on_board=bool(row["on_board"]),
    )


def _attempt(r: Row) -> Attempt:
    return Attempt(
        round_id=r["round_id"], player=PlayerKey(r["platform"], r["server_id"], r["user_id"]),
        question_id=r["question_id"], choices=frozenset(int(c) for c in r["choices"].split(",") if c),
        correct=bool(r["correct"]), points=r["points"], answered_at=from_text(r["answered_at"]) or epoch(),
        kind=RoundKind(r["kind"]), topic=r["topic"], domain=r["domain"], on_board=bool(r["on_board"]),
        period_keys=(r["week_key"], r["month_key"]), daily_seq=r["daily_seq"],
    )


class SqlQuizStore(ConfigQueries, AdminQueries, TeamQueries, StudyQueries):
    """All persistence of the quiz, on one ``Database``; areas live in mixin modules."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        # The answer path's read and write, coalesced per loop tick (see bot.storage.batching).
        self._contexts: Coalescer[tuple[int, PlayerKey], tuple[Round, CardState | None] | None] = Coalescer(
            self._answer_contexts)
        self._inserts: Coalescer[Attempt, None] = Coalescer(self._insert_attempts)
        self._card_saves = Coalescer(self._save_cards)

    # -- decks and rounds -------------------------------------------------------

    async def deck_state(self, server: ServerKey, deck: str) -> tuple[int, frozenset[str]]:
        """Current cycle of a deck and the ids drawn in it."""
        key = (server.platform, server.server_id, deck)
        row = await self._one(
            "SELECT max(cycle) FROM deck_draws WHERE platform = ? AND server_id = ? AND deck = ?", key
        )
        cycle = int(row[0]) if row and row[0] is not None else 0
        rows = await self._all(
            "SELECT question_id FROM deck_draws WHERE platform = ? AND server_id = ? AND deck = ? AND cycle = ?",
            (*key, cycle),
        )
        return cycle, frozenset(r[0] for r in rows)

    async def create_round(self, draft: Round, deck: str, cycle: int) -> Round:
        """Insert the round and its deck draw in one transaction; daily rounds get the next sequence."""
        server = draft.server
        async with writes(), self._db.transaction() as tx:
            daily_seq = None
            if draft.kind is RoundKind.DAILY:
                row = await tx.fetch_one(
                    "SELECT coalesce(max(daily_seq), 0) + 1 FROM rounds WHERE platform = ? AND server_id = ?"
                    " AND daily_seq IS NOT NULL",
                    (server.platform, server.server_id),
                )
                daily_seq = int(row[0]) if row else 1
            inserted = await tx.fetch_one(
                "INSERT INTO rounds (platform, server_id, kind, question_id, owner, opened_at, closes_at,"
                " revealed_at, local_date, daily_seq, channel_id, message_ref, timezone, on_board)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    server.platform, server.server_id, draft.kind.value, draft.question_id, draft.owner,
                    to_text(draft.opened_at), to_text(draft.closes_at),
                    draft.local_date.isoformat() if draft.local_date else None, daily_seq, draft.channel_id,
                    draft.message_ref, draft.timezone, int(draft.on_board),
                ),
            )
            round_id = int(inserted[0]) if inserted else 0
            await tx.execute(
                "INSERT INTO deck_draws (platform, server_id, deck, cycle, question_id, drawn_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (server.platform, server.server_id, deck, cycle, draft.question_id, to_text(draft.opened_at)),
            )
        created = await self.get_round(round_id)
        if created is None:  # pragma: no cover - the insert above just committed
            raise RoundNotFound(round_id)
        return created

    async def get_round(self, round_id: int) -> Round | None:
        """One round by id; an id SQLite cannot hold (a forged button) is simply not found."""
        if not 0 < round_id < MAX_ROW_ID:
            return None
        row = await self._one(f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE id = ?", (round_id,))  # noqa: S608
        return _round(row) if row else None

    async def answer_context(self, round_id: int, player: PlayerKey) -> tuple[Round, CardState | None] | None:
        """The round joined with the player's card for its question; concurrent calls share one query."""
        if not 0 < round_id < MAX_ROW_ID:
            return None
        return await self._contexts.submit((round_id, player))

    async def _answer_contexts(
        self, keys: Sequence[tuple[int, PlayerKey]]
    ) -> list[tuple[Round, CardState | None] | Exception | None]:
        # Typed placeholders: PostgreSQL cannot infer a VALUES list's column types from its use.
        values = ", ".join("(CAST(? AS INTEGER), CAST(? AS BIGINT), ?, ?, ?)" for _ in keys)
        params = [x for i, (rid, p) in enumerate(keys) for x in (i, rid, p.platform, p.server_id, p.user_id)]
        rows = await self._all(
            f"WITH req (i, rid, platform, server_id, user_id) AS (VALUES {values})"  # noqa: S608 - placeholders only
            f" SELECT req.i AS req_i, {_ROUND_COLUMNS_R}, c.domain AS card_domain, c.state, c.due, c.reviews, c.lapses"
            " FROM req JOIN rounds r ON r.id = req.rid LEFT JOIN cards c ON c.platform = req.platform"
            " AND c.server_id = req.server_id AND c.user_id = req.user_id AND c.question_id = r.question_id",
            params,
        )
        found: list[tuple[Round, CardState | None] | Exception | None] = [None] * len(keys)
        rounds: dict[int, Round] = {}  # a burst answers one round: build each frozen Round once per batch
        for row in rows:
            round_ = rounds.get(row["id"]) or rounds.setdefault(row["id"], _round(row))
            card = None if row["state"] is None else CardState(
                round_.question_id, row["card_domain"], row["state"], from_text(row["due"]) or epoch(),
                row["reviews"], row["lapses"])
            found[row["req_i"]] = (round_, card)
        return found

    async def daily_round_on(self, server: ServerKey, day: date) -> Round | None:
        """The server's daily round of a local date (the newest, should there be several)."""
        row = await self._one(
            f"SELECT {_ROUND_COLUMNS} FROM rounds WHERE platform = ? AND server_id = ? AND kind = 'daily'"  # noqa: S608
            " AND local_date = ? ORDER BY id DESC LIMIT 1",
            (server.platform, server.server_id, day.isoformat()),
        )
        return _round(row) if row else None

    async def mark_revealed(self, round_id: int, at: datetime) -> Round:
        """Set revealed_at once; a second reveal keeps the first time."""
        await self._run(
            "UPDATE rounds SET revealed_at = coalesce(revealed_at, ?) WHERE id = ?", (to_text(at), round_id)
        )
        round_ = await self.get_round(round_id)
        if round_ is None:
            raise RoundNotFound(round_id)
        return round_

    async def record_post(
        self, round_id: int, channel_id: str | None, message_ref: str, closes_at: datetime | None
    ) -> None:
        """Remember where a round was posted (for the reveal edit) and when it closes."""
        await self._run(
            "UPDATE rounds SET channel_id = coalesce(?, channel_id), message_ref = ?, closes_at = ? WHERE id = ?",
            (channel_id, message_ref, to_text(closes_at), round_id),
        )

    # -- attempts ---------------------------------------------------------------

    async def add_attempt(self, attempt: Attempt) -> None:
        """Store an answer; concurrent answers share one INSERT. A duplicate becomes ``AlreadyAnswered``."""
        await self._inserts.submit(attempt)

    async def _insert_attempts(self, attempts: Sequence[Attempt]) -> list[Exception | None]:
        """One multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING`` for a tick's answers.

        The rows it returns were stored; the rest already existed (one answer per person per
        round). Rows go in primary-key order: two batches sharing keys (a click that reached two
        processes) then wait on each other's unique-index entries in one order and cannot deadlock
        on PostgreSQL (its statement triggers, migration 0007, lock their rows in key order too). The
        sort is stable, so of two answers with one key in a batch the first submitted is stored.
        """
        keys = [(a.round_id, a.player.platform, a.player.server_id, a.player.user_id) for a in attempts]
        order = sorted(range(len(attempts)), key=keys.__getitem__)
        values = ", ".join(["(" + ", ".join(["?"] * 16) + ")"] * len(attempts))
        params: list[object] = []
        for a in (attempts[n] for n in order):
            p = a.player
            params += [a.round_id, p.platform, p.server_id, p.user_id, a.question_id,
                       ",".join(str(i) for i in sorted(a.choices)), int(a.correct), a.points, to_text(a.answered_at),
                       a.kind.value, a.topic, a.domain, int(a.on_board), a.period_keys[0], a.period_keys[1],
                       a.daily_seq]
        async with writes():
            rows = await self._all(INSERT_ATTEMPTS.format(values=values), params)
        stored = {tuple(row) for row in rows}
        outcomes: list[Exception | None] = [None] * len(attempts)
        for n in order:
            if keys[n] in stored:
                stored.discard(keys[n])  # a second answer in the same batch is the duplicate
            else:
                outcomes[n] = AlreadyAnswered(attempts[n].round_id)
        return outcomes

    async def round_attempts(self, round_id: int) -> Sequence[Attempt]:
        """Every answer to a round, oldest first."""
        rows = await self._all(
            "SELECT * FROM attempts WHERE round_id = ? ORDER BY answered_at, user_id", (round_id,)
        )
        return [_attempt(r) for r in rows]

    async def get_attempt(self, round_id: int, player: PlayerKey) -> Attempt | None:
        """The player's answer to a round (primary-key lookup)."""
        row = await self._one(
            "SELECT * FROM attempts WHERE round_id = ? AND platform = ? AND server_id = ? AND user_id = ?",
            (round_id, player.platform, player.server_id, player.user_id),
        )
        return _attempt(row) if row else None

    async def answer_count(self, round_id: int) -> int:
        """Answers so far to a round (primary-key prefix scan)."""
        row = await self._one("SELECT count(*) FROM attempts WHERE round_id = ?", (round_id,))
        return int(row[0]) if row else 0

    # -- boards, stats, streaks -------------------------------------------------

    async def leaderboard(self, server: ServerKey, period_key: str, limit: int) -> Sequence[Standing]:
        """Top of a board bucket, read through the ``board_rank`` covering index."""
        rows = await self._all(BOARD_SQL, (server.platform, server.server_id, period_key, limit))
        return [Standing(i + 1, r[0], r[1], r[2], r[3]) for i, r in enumerate(rows)]

    async def standing(self, player: PlayerKey, period_key: str) -> Standing | None:
        """A player's row and rank in a bucket, ties broken by user id like the board."""
        key = (player.platform, player.server_id, period_key)
        row = await self._one(STANDING_SQL, (*key, player.user_id))
        if row is None:
            return None
        rank = await self._one(RANK_SQL, (*key, row[0], *key, row[0], player.user_id))
        return Standing(int(rank[0]) if rank else 0, player.user_id, row[0], row[1], row[2])

    async def player_breakdown(self, player: PlayerKey) -> Sequence[tuple[str, int, int, int]]:
        """(topic, domain, answered, correct) over the player's answers."""
        rows = await self._all(
            "SELECT topic, domain, count(*), sum(correct) FROM attempts"
            " WHERE platform = ? AND server_id = ? AND user_id = ? GROUP BY topic, domain",
            (player.platform, player.server_id, player.user_id),
        )
        return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in rows]

    async def streak(self, player: PlayerKey) -> tuple[int, int, int]:
        """(current, best, last daily_seq) as the streak trigger keeps them."""
        row = await self._one(
            "SELECT current, best, last_seq FROM streaks WHERE platform = ? AND server_id = ? AND user_id = ?",
            (player.platform, player.server_id, player.user_id),
        )
        return (int(row[0]), int(row[1]), int(row[2])) if row else (0, 0, 0)

    async def latest_daily_seq(self, server: ServerKey) -> int:
        """Newest daily sequence number of the server."""
        row = await self._one(
            "SELECT coalesce(max(daily_seq), 0) FROM rounds WHERE platform = ? AND server_id = ?"
            " AND daily_seq IS NOT NULL",
            (server.platform, server.server_id),
        )
        return int(row[0]) if row else 0
