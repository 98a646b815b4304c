"""Verify that an item's ``source`` quote really sits in the study notes.

The notes mix Markdown, scraped HTML text, curly quotes and odd bullets, so a
quote is compared after the normalisation written down in TOPICS.md: the same
function runs over the quote and over each line of the note file.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

_CHAR_MAP = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
    "\u2013": "-", "\u2014": "-", "\u2022": " ", "\u00b7": " ",
})
_LEADING_MARKERS = re.compile(r"^\s*(?:#+|[-*+](?=\s|$)|\d+\.(?=\s|$)|>)\s*")
_ESCAPE = re.compile(r"\\(.)")
_SPACE = re.compile(r"\s+")
_FENCE = re.compile(r"^\s*(?:[-*+]\s+)?```[\w+-]*\s*$")
_BULLET_004 = re.compile(r"^\s*(?:[\u2022\-*+]|\d+\.)\s")
# 004 is scraped text without Markdown: headings are plain unindented lines,
# indistinguishable from a one-line paragraph.  A quote therefore counts as
# "under" a 004 heading when that heading is among the nearest few plain
# lines above it.
_PLAIN_LINES_WINDOW_004 = 4


def normalise(text: str) -> str:
    """Normalise text the way TOPICS.md's quoting rules describe."""
    out = []
    for raw in unicodedata.normalize("NFKC", text).translate(_CHAR_MAP).splitlines():
        line = raw
        while True:
            stripped = _LEADING_MARKERS.sub("", line, count=1)
            if stripped == line:
                break
            line = stripped
        line = line.replace("**", "").replace("__", "").replace("`", "").replace("*", "")
        line = _ESCAPE.sub(r"\1", line)
        out.append(line)
    return _SPACE.sub(" ", " ".join(out)).strip()


@dataclass(frozen=True)
class QuoteProblem:
    """Why a quote failed: the human-readable reason for the content check."""

    message: str


class NoteFile:
    """One note file, indexed for quote lookup and heading lookup."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.lines = text.splitlines()
        self._markdown = not name.startswith("004")
        self._headings = self._find_headings()
        pieces: list[str] = []
        self._starts: list[int] = []
        offset = 0
        for line in self.lines:
            norm = normalise(line)
            self._starts.append(offset)
            pieces.append(norm)
            offset += len(norm) + 1
        self._text = " ".join(pieces)

    @classmethod
    def load(cls, path: Path) -> NoteFile:
        """Read a note file as UTF-8."""
        return cls(path.name, path.read_text(encoding="utf-8"))

    def _find_headings(self) -> list[tuple[int, str]]:
        headings: list[tuple[int, str]] = []
        in_code = False
        for number, line in enumerate(self.lines):
            if self._markdown:
                # A fence is ``` plus an optional language, maybe inside a list
                # item; a line like ```Context``` is inline code.
                if _FENCE.match(line):
                    in_code = not in_code
                    continue
                if not in_code and line.startswith("#"):
                    headings.append((number, line.lstrip("#").strip()))
            elif line.strip() and not line[0].isspace() and not _BULLET_004.match(line):
                headings.append((number, line.strip()))
        return headings

    def _line_of(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset) - 1

    def quote_lines(self, quote: str) -> list[int]:
        """Return the zero-based line numbers where the normalised quote starts."""
        needle = normalise(quote)
        if not needle:
            return []
        found, start = [], self._text.find(needle)
        while start != -1:
            found.append(self._line_of(start))
            start = self._text.find(needle, start + 1)
        return found

    def headings_above(self, line: int) -> list[str]:
        """Headings the quote at ``line`` sits under, nearest first."""
        index = bisect.bisect_left([n for n, _ in self._headings], line)
        above = [text for n, text in self._headings[:index]]
        above.reverse()
        if self._markdown:
            return above[:1]
        return above[:_PLAIN_LINES_WINDOW_004]

    def check(self, quote: str, section: str) -> QuoteProblem | None:
        """Return a problem if the quote is absent or not under ``section``."""
        lines = self.quote_lines(quote)
        if not lines:
            return QuoteProblem(f"quote not found verbatim in {self.name}")
        wanted = normalise(section)
        nearest = ""
        for line in lines:
            headings = self.headings_above(line)
            if any(normalise(h) == wanted for h in headings):
                return None
            nearest = nearest or (headings[0] if headings else "")
        return QuoteProblem(
            f"quote in {self.name} (line {lines[0] + 1}) is not under section {section!r};"
            f" nearest heading is {nearest!r}"
        )


class NotesLibrary:
    """All note files of a directory, loaded lazily by name."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._files: dict[str, NoteFile] = {}

    def get(self, name: str) -> NoteFile | None:
        """Return the note file called ``name``, or None if it does not exist."""
        if name not in self._files:
            path = self.directory / name
            if "/" in name or not path.is_file():
                return None
            self._files[name] = NoteFile.load(path)
        return self._files[name]

    def check(self, file: str, section: str, quote: str) -> QuoteProblem | None:
        """Check one source reference."""
        note = self.get(file)
        if note is None:
            return QuoteProblem(f"note file {file!r} not found in {self.directory}")
        if len(quote) > 300:
            return QuoteProblem(f"quote is {len(quote)} characters; the limit is 300")
        return note.check(quote, section)
