"""Quote verification under TOPICS.md's normalisation, on synthetic text and on the real notes."""

from __future__ import annotations

import pytest

from bot.content.notes import NoteFile, NotesLibrary, normalise
from tests.conftest import NOTES_DIR

needs_notes = pytest.mark.skipif(not NOTES_DIR.is_dir(), reason="../shared/notes is not beside the repo")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  \u2022 Recommended: set it to 6x", "Recommended: set it to 6x"),
        ("### S3 \u2013 Security", "S3 - Security"),
        ("\u201cwait\u201d for \u2018messages\u2019", "\"wait\" for 'messages'"),
        ("| Max   |\t**1 MB**  |", "| Max | 1 MB |"),
        ("1. use `get-login-password` \\# now", "use get-login-password # now"),
        ("> - nested __bold__ *em*", "nested bold em"),
        ("keep_snake_case and Case", "keep_snake_case and Case"),
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_quote_must_sit_under_its_markdown_heading() -> None:
    text = ("# Top\n\n## SQS \u2013 Delay\n* waits \u201cup to\u201d 15 minutes\n"
            "```\n# not a heading\n```\n## Next\ntext\n")
    note = NoteFile("002_x.txt", text)
    assert note.check('waits "up to" 15 minutes', "SQS - Delay") is None
    problem = note.check('waits "up to" 15 minutes', "Next")
    assert problem is not None and "nearest heading is 'SQS \u2013 Delay'" in problem.message
    assert note.check("waits up to 16 minutes", "SQS - Delay") is not None


def test_code_fence_lines_are_not_headings() -> None:
    note = NoteFile("000_x.txt", "## Real\n```bash\n# comment\n```\nafter the code\n")
    assert note.check("after the code", "Real") is None


def test_004_heading_is_a_plain_line_shortly_above() -> None:
    text = "Lambda VPCs\n\nBy default it runs outside\n\n  \u2022 deploy in VPC for private access\n"
    note = NoteFile("004_x.txt", text)
    assert note.check("deploy in VPC for private access", "Lambda VPCs") is None


@needs_notes
@pytest.mark.parametrize(
    ("file", "section", "quote"),
    [
        ("004_cd514cc41f3280db.txt", "Lambda - Events Source Mapping SQS & SQS FIFO",
         "Recommended: Set the queue visibility timeout to 6x the timeout of your Lambda function"),
        ("002_e9099063964cb65b.txt", "Amazon S3 Encryption \u2013 SSE-C",
         "Amazon S3 does NOT store the encryption key you provide"),
        ("000_ea303f8cd109cff9.txt", "Annotations:",
         "These are key / value pairs used to index traces and use with filters."),
        ("001_16e3e8b32748f9ca.txt", "DynamoDB",
         "One Strongly-consistent read or two Eventually-consistent read per second, up to 4KB in size."),
    ],
)
def test_topics_md_examples_verify_against_the_real_notes(file: str, section: str, quote: str) -> None:
    library = NotesLibrary(NOTES_DIR)
    assert library.check(file, section, quote) is None
    assert library.check(file, section, quote.replace("e", "a", 1)) is not None


@needs_notes
def test_unknown_file_and_overlong_quote_are_reported() -> None:
    library = NotesLibrary(NOTES_DIR)
    assert "not found" in library.check("999_missing.txt", "x", "some quote").message
    assert "limit is 300" in library.check("002_e9099063964cb65b.txt", "x", "y" * 301).message
