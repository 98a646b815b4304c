"""The key-value part of the quiz store, as the adapter uses it.

Two adapter-only facts live there: the hash of the last synced command tree
and each server's team-to-role mapping.
"""

from __future__ import annotations

from typing import Protocol


class MetaStore(Protocol):
    """The key-value part of the quiz store."""

    async def get_meta(self, key: str) -> str | None:
        """A stored value."""
        ...

    async def set_meta(self, key: str, value: str) -> None:
        """Store a value."""
        ...
