"""The engine imports only the standard library and itself (DESIGN.md dependency rule)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1] / "bot" / "engine"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_engine_imports_only_stdlib_and_itself() -> None:
    offenders = []
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) >= 8
    for path in files:
        for module in imported_modules(path):
            top = module.split(".")[0]
            if module.startswith("bot.engine") or top in sys.stdlib_module_names or top == "__future__":
                continue
            offenders.append(f"{path.name}: {module}")
    assert offenders == []


def test_walker_catches_a_platform_import(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("import discord\nfrom aiosqlite import connect\nfrom bot.storage import database\n")
    assert imported_modules(sample) == {"discord", "aiosqlite", "bot.storage"}
