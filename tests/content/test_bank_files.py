"""The shipped bank: every content/*.yaml validates, and the bank-level figures stay in bounds."""

from __future__ import annotations

import pytest

from bot.content.bank_health import BankPolicy, figures, problems
from bot.content.check import quote_problems
from bot.content.notes import NotesLibrary
from bot.storage.question_bank import load_items
from tests.conftest import NOTES_DIR, ROOT

CONTENT = ROOT / "content"


@pytest.fixture(scope="module")
def items():
    loaded, found = load_items(CONTENT)
    assert found == []
    return loaded


def test_every_shipped_item_is_valid(items) -> None:
    assert len(items) >= 500


def test_bank_figures_meet_the_content_policy(items) -> None:
    policy = BankPolicy()
    assert problems(figures([i.question for i in items], policy), policy) == []


@pytest.mark.skipif(not NOTES_DIR.is_dir(), reason="../shared/notes is not beside the repo")
def test_every_source_quote_is_verbatim_under_its_section(items) -> None:
    assert quote_problems(items, NotesLibrary(NOTES_DIR)) == []
