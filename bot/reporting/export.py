"""One row per answer of a server and period, as CSV or JSON, plus the period's board.

Study-group leads paste this into spreadsheets, so timestamps are ISO-8601
UTC with a ``Z``, choices are the letters people clicked, and the CSV is
plain RFC 4180 from the ``csv`` module. ``export_file`` is the one call an
adapter's admin ``/quiz export`` needs: it returns a file name and bytes.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Protocol

from bot.engine.errors import QuizError
from bot.engine.model import LETTERS, Attempt, Period, ServerKey, Standing
from bot.engine.timekeys import local_date, period_key, zone

log = logging.getLogger(__name__)

COLUMNS = (
    "answered_at", "user_id", "round_id", "kind", "question_id", "topic", "domain", "choices", "correct", "points",
)
BOARD_COLUMNS = ("rank", "user_id", "points", "answered", "correct")
SCHEMA = "quizbot.export/1"


class ExportFormat(enum.StrEnum):
    """File formats of an export."""

    CSV = "csv"
    JSON = "json"


class UnknownServer(QuizError):
    """The database has never seen the server asked for (most likely a typo in its id)."""


class ExportSource(Protocol):
    """What an export reads; ``bot.storage.export_store.SqlExportStore`` implements it."""

    async def server_timezone(self, server: ServerKey) -> str | None:
        """The server's configured timezone, if any."""
        ...

    async def server_known(self, server: ServerKey) -> bool:
        """Whether the server has a config or a round."""
        ...

    async def answers(self, server: ServerKey, period: Period, period_key: str) -> Sequence[Attempt]:
        """The server's answers in a period bucket, oldest first."""
        ...

    async def board(self, server: ServerKey, period_key: str) -> Sequence[Standing]:
        """The full board of a period bucket."""
        ...


@dataclass(frozen=True)
class ServerExport:
    """Everything one export holds, before it is turned into a file."""

    server: ServerKey
    period: Period
    period_key: str
    timezone: str
    answers: tuple[Attempt, ...]
    board: tuple[Standing, ...]

    def filename(self, fmt: ExportFormat) -> str:
        """A descriptive default file name, safe on every filesystem."""
        name = f"{self.server.platform}-{self.server.server_id}"
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        return f"quizbot-{safe}-{self.period_key}.{fmt.value}"


@dataclass(frozen=True)
class ExportFile:
    """A finished export, ready to write or upload."""

    filename: str
    content: bytes
    media_type: str


def utc_text(instant: datetime) -> str:
    """ISO-8601 UTC with a ``Z``, to the second: what spreadsheets and ``datetime.fromisoformat`` both read."""
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def answer_record(attempt: Attempt) -> dict[str, object]:
    """One answer as a JSON-ready record with the export's columns, in order."""
    return {
        "answered_at": utc_text(attempt.answered_at),
        "user_id": attempt.player.user_id,
        "round_id": attempt.round_id,
        "kind": attempt.kind.value,
        "question_id": attempt.question_id,
        "topic": attempt.topic,
        "domain": attempt.domain,
        "choices": "".join(LETTERS[i] for i in sorted(attempt.choices) if i < len(LETTERS)),
        "correct": attempt.correct,
        "points": attempt.points,
    }


def board_record(standing: Standing) -> dict[str, object]:
    """One board row as a JSON-ready record."""
    return {"rank": standing.rank, "user_id": standing.user_id, "points": standing.points,
            "answered": standing.answered, "correct": standing.correct}


async def build_export(
    source: ExportSource, server: ServerKey, period: Period, *, now: datetime, at: date | None = None,
    default_timezone: str = "UTC",
) -> ServerExport:
    """Collect a server's answers and board for the week/month containing ``at`` (default: today there).

    ``at`` is a calendar date in the server's timezone, as the board keys are:
    the week of 2026-11-30 is the ISO week the server saw that Monday in.
    """
    if not await source.server_known(server):
        raise UnknownServer(f"no server {server.platform}:{server.server_id} in this database")
    tz = await source.server_timezone(server) or default_timezone
    zone(tz)
    day = at or local_date(now, tz)
    key = period_key(period, day)
    answers = tuple(await source.answers(server, period, key))
    board = tuple(await source.board(server, key))
    log.info("export of %s:%s %s: %d answers, %d board rows", server.platform, server.server_id, key,
             len(answers), len(board))
    return ServerExport(server, period, key, tz, answers, board)


def to_csv(export: ServerExport) -> str:
    """The answers as CSV with a header row; booleans as ``true``/``false``."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for attempt in export.answers:
        record = answer_record(attempt)
        record["correct"] = "true" if attempt.correct else "false"
        writer.writerow(record)
    return buffer.getvalue()


def to_json(export: ServerExport) -> str:
    """Answers and board as one JSON document with a versioned, stable schema."""
    document = {
        "schema": SCHEMA,
        "server": {"platform": export.server.platform, "server_id": export.server.server_id},
        "period": export.period.value,
        "period_key": export.period_key,
        "timezone": export.timezone,
        "columns": list(COLUMNS),
        "answers": [answer_record(a) for a in export.answers],
        "board": [board_record(s) for s in export.board],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render(export: ServerExport, fmt: ExportFormat) -> ExportFile:
    """The export as a file in ``fmt``."""
    if fmt is ExportFormat.CSV:
        return ExportFile(export.filename(fmt), to_csv(export).encode("utf-8"), "text/csv")
    return ExportFile(export.filename(fmt), to_json(export).encode("utf-8"), "application/json")


async def export_file(
    source: ExportSource, server: ServerKey, period: Period, fmt: ExportFormat, *, now: datetime,
    at: date | None = None, default_timezone: str = "UTC",
) -> ExportFile:
    """Build and render in one call: what an adapter's admin ``/quiz export`` uploads."""
    export = await build_export(source, server, period, now=now, at=at, default_timezone=default_timezone)
    return render(export, fmt)
