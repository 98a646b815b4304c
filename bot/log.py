"""Logging setup, called once from ``__main__``; modules only call ``getLogger(__name__)``."""

from __future__ import annotations

import logging
import sys

NOISY = ("discord.http", "discord.gateway", "slack_sdk", "slack_bolt", "apscheduler", "aiosqlite")


def configure(level: str) -> None:
    """Send records to stderr with a compact format; quiet chatty libraries."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in NOISY:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLevelName(level)))
