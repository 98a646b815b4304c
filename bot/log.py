"""Logging setup, called once from ``__main__``; modules only call ``getLogger(__name__)``.

Every record becomes exactly one line, ``key=value`` pairs (``text``) or one
JSON object (``json``), so a container log collector never splits a
traceback into unrelated events. Settings already mask tokens in their repr;
the formatter also replaces the raw value of every configured secret in the
finished line, as a last guard against an SDK or an exception message that
echoes a token.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

NOISY = ("discord.http", "discord.gateway", "slack_sdk", "slack_bolt", "apscheduler", "aiosqlite")
MASK = "**********"
# Attributes every LogRecord has; anything else was passed with ``extra=`` and is logged as a field.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class OneLineFormatter(logging.Formatter):
    """One event per line as ``key=value`` or JSON, with configured secrets redacted."""

    def __init__(self, fmt: str = "text", secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.json = fmt == "json"
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def fields(self, record: logging.LogRecord) -> dict[str, Any]:
        """The event's fields in output order; ``extra=`` values (e.g. an interaction id) come last."""
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        out.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        return out

    def format(self, record: logging.LogRecord) -> str:
        """Render one line, then redact."""
        fields = self.fields(record)
        if self.json:
            line = json.dumps(fields, default=str, ensure_ascii=False)
        else:
            line = " ".join(f"{key}={_kv_value(value)}" for key, value in fields.items())
        return self.redact(line)

    def redact(self, line: str) -> str:
        """Replace every configured secret in ``line``."""
        for secret in self.secrets:
            line = line.replace(secret, MASK)
        return line


def _kv_value(value: object) -> str:
    """Bare when it is one simple word, else a double-quoted string with escapes (newlines stay on the line)."""
    text = str(value)
    if text and all(c.isalnum() or c in "-_.:/+@" for c in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def configure(level: str, fmt: str = "text", secrets: Iterable[str] = (), stream: TextIO | None = None) -> None:
    """Send one-line records to stderr; quiet chatty libraries."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(OneLineFormatter(fmt, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
