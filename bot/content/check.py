"""``quizbot content check`` and ``quizbot content stats``: the bank as authors see it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bot.content.bank_health import BankPolicy, figures, problems
from bot.content.notes import NotesLibrary
from bot.storage.question_bank import LoadedItem, load_items


def quote_problems(items: list[LoadedItem], notes: NotesLibrary) -> list[str]:
    """Every item whose source quote is not verbatim under its section in the notes."""
    found = []
    for item in items:
        source = item.question.source
        if source is None:
            continue
        problem = notes.check(source.file, source.section, source.quote)
        if problem is not None:
            found.append(f"{item.path}:{item.line}: item {item.question.id}: {problem.message}")
    return found


def check(content_dir: Path, notes_dir: Path | None, out: Console, policy: BankPolicy | None = None) -> int:
    """Validate items, quotes (with ``notes_dir``) and bank-level figures; return the exit code."""
    policy = policy or BankPolicy()
    items, found = load_items(content_dir)
    if notes_dir is not None:
        if not notes_dir.is_dir():
            out.print(f"[red]notes directory {notes_dir} does not exist[/red]")
            return 1
        found.extend(quote_problems(items, NotesLibrary(notes_dir)))
    fig = figures([i.question for i in items], policy)
    found.extend(f"bank: {p}" for p in problems(fig, policy))
    summary = (
        f"{fig.total} items · domains {fig.by_domain_pct} · types {fig.by_type_pct} · difficulty "
        f"{fig.by_difficulty_pct} · scenario {fig.scenario_pct}% · key position {fig.key_position_pct} · "
        f"key longest {fig.longest_key_pct}%"
    )
    out.print(summary, soft_wrap=True)
    for problem in found:
        out.print(problem, soft_wrap=True, markup=False, highlight=False)
    if found:
        out.print(f"[red]content check failed: {len(found)} problem(s)[/red]")
        return 1
    checked = "items, source quotes and bank figures" if notes_dir else "items and bank figures"
    out.print(f"[green]content check passed: {checked} OK[/green]")
    return 0


def stats(content_dir: Path, as_json: bool, out: Console) -> int:
    """Print counts per topic, domain, type and difficulty."""
    items, found = load_items(content_dir)
    questions = [i.question for i in items]
    report = {
        "total": len(questions),
        "by_topic": dict(sorted(Counter(q.topic for q in questions).items())),
        "by_domain": {str(k): v for k, v in sorted(Counter(q.domain for q in questions).items())},
        "by_type": dict(sorted(Counter(q.type.value for q in questions).items())),
        "by_difficulty": {str(k): v for k, v in sorted(Counter(q.difficulty for q in questions).items())},
    }
    if as_json:
        out.print_json(json.dumps(report))
    else:
        for name in ("by_domain", "by_type", "by_difficulty", "by_topic"):
            table = Table(title=name.replace("_", " "))
            table.add_column(name[3:])
            table.add_column("items", justify="right")
            for key, value in report[name].items():  # type: ignore[union-attr]
                table.add_row(str(key), str(value))
            out.print(table)
        out.print(f"total: {report['total']}")
    if found:
        out.print(f"[yellow]{len(found)} invalid item(s) were left out; run `quizbot content check`[/yellow]")
    return 1 if found else 0
