"""``quizbot doctor`` finds what is missing or malformed and says how to fix it, without printing a token."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from rich.console import Console

from bot.ops.doctor import doctor_checks, token_checks
from bot.ops.health import print_checks
from tests.conftest import FIXTURE_BANK
from tests.test_cli import quizbot

GOOD_DISCORD = "MTA5ODc2NTQzMjE.GhAbCd.abc_DEF-123"


def base_env(tmp_path: Path) -> dict[str, str]:
    return {"QUIZBOT_DATABASE_PATH": str(tmp_path / "data" / "q.db"), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)}


def verdicts(checks: list) -> dict[str, bool]:
    return {c.name: c.ok for c in checks}


def test_token_shapes() -> None:
    checks = token_checks({"DISCORD_TOKEN": "123456789012345678", "SLACK_BOT_TOKEN": "xoxp-user-token",
                           "SLACK_APP_TOKEN": "xapp-1-A1-2"})
    assert verdicts(checks) == {"DISCORD_TOKEN": False, "SLACK_BOT_TOKEN": False, "SLACK_APP_TOKEN": True}
    assert "Bot > Reset Token" in checks[0].fix and "Bot User OAuth Token" in checks[1].fix
    assert verdicts(token_checks({"DISCORD_TOKEN": GOOD_DISCORD, "SLACK_BOT_TOKEN": "xoxb-1"})) == {
        "DISCORD_TOKEN": True, "SLACK_BOT_TOKEN": True}
    assert verdicts(token_checks({"DISCORD_TOKEN": "a..c"})) == {"DISCORD_TOKEN": False}
    (none,) = token_checks({})
    assert none.ok and "terminal" in none.detail


def test_a_good_setup_passes_every_check(tmp_path: Path) -> None:
    env = {**base_env(tmp_path), "DISCORD_TOKEN": GOOD_DISCORD, "QUIZBOT_BACKUP_DIR": str(tmp_path / "backups"),
           "QUIZBOT_METRICS_PORT": "9100"}
    checks = doctor_checks(env, env_file=None)
    assert verdicts(checks) == {"settings": True, "DISCORD_TOKEN": True, "database": True, "question bank": True,
                                "timezone data": True, "backups": True, "metrics": True}
    details = {c.name: c.detail for c in checks}
    assert details["database"].endswith("will be created on first start")
    assert details["question bank"] == "5 valid items in 2 topics"
    assert details["settings"] == "valid; platforms: discord"


def test_invalid_settings_are_reported_with_the_fix_and_token_checks_still_run(tmp_path: Path) -> None:
    env = {**base_env(tmp_path), "QUIZBOT_DEFAULT_TIMEZONE": "Mars/Base", "DISCORD_TOKEN": "not-a-token"}
    console = Console(record=True, width=300)
    assert print_checks(doctor_checks(env, env_file=None), console) == 1
    text = console.export_text()
    assert "FAIL settings: QUIZBOT_DEFAULT_TIMEZONE 'Mars/Base' is not an IANA timezone" in text
    assert "fix: set it in .env or the environment; .env.example lists every setting" in text
    assert "FAIL DISCORD_TOKEN: is not three dot-separated parts" in text
    assert "not-a-token" not in text


def test_foreign_database_and_broken_bank_are_failures_with_fixes(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (x)")
    conn.close()
    bank = tmp_path / "content"
    bank.mkdir()
    (bank / "sqs.yaml").write_text("meta: [unclosed\n")
    checks = {c.name: c for c in doctor_checks({"QUIZBOT_DATABASE_PATH": str(db),
                                                "QUIZBOT_CONTENT_DIR": str(bank)}, env_file=None)}
    assert not checks["database"].ok and "not a QuizBot database" in checks["database"].detail
    assert "left untouched" in checks["database"].fix
    assert not checks["question bank"].ok and "sqs.yaml" in checks["question bank"].detail
    assert "quizbot content check" in checks["question bank"].fix


def test_doctor_command_reads_dotenv_and_exits_by_verdict(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxe-wrong-kind-secret\nSLACK_APP_TOKEN=xapp-1\n")
    result = quizbot("doctor", env=base_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert "FAIL SLACK_BOT_TOKEN: does not start with xoxb-" in result.stdout
    assert "xoxe-wrong-kind-secret" not in result.stdout + result.stderr
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-1\nSLACK_APP_TOKEN=xapp-1\n")
    good = quizbot("doctor", env=base_env(tmp_path), cwd=tmp_path)
    assert good.returncode == 0, good.stdout
    assert "ok   settings: valid; platforms: slack" in good.stdout
