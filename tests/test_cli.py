"""The ``quizbot`` command as a user runs it: a real subprocess, real SQLite, piped stdin."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_BANK, ROOT


def quizbot(*args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("QUIZBOT_", "DISCORD_", "SLACK_"))}
    full_env.update({"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"})
    full_env.update(env or {})
    return subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, env=full_env,
        cwd=cwd, timeout=60, check=False,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"QUIZBOT_DATABASE_PATH": str(tmp_path / "data" / "quiz.db"), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)}


def key_a_bank(directory: Path) -> Path:
    """Three single items whose key is A, so piped answers don't depend on the draw order."""
    directory.mkdir()
    items = "".join(
        f"""  - id: sns-00{n}
    type: single
    difficulty: 1
    prompt: "Which SNS feature is described in statement number {n}?"
    choices: ["Right {n}", "Wrong {n}", "Also wrong {n}", "Still wrong {n}"]
    answer: [0]
    explanation: "Right {n} is right; the others describe different features."
    source: {{file: 002_e9099063964cb65b.txt, section: "S", quote: "a quote long enough"}}
"""
        for n in (1, 2, 3)
    )
    (directory / "sns.yaml").write_text(f'meta: {{topic: sns, domain: 1, title: "SNS"}}\nitems:\n{items}')
    return directory


def test_play_reads_answers_from_stdin_and_prints_verdicts_and_score(tmp_path: Path, env: dict[str, str]) -> None:
    env["QUIZBOT_CONTENT_DIR"] = str(key_a_bank(tmp_path / "content"))
    result = quizbot("play", "--topic", "sns", "--count", "3", stdin="A\nb\nA\n", env=env)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("Question ") == 3
    assert "Score: 2/3" in out
    assert out.count("Correct! +5 points") == 2
    assert "Incorrect. The answer is A." in out
    with sqlite3.connect(env["QUIZBOT_DATABASE_PATH"]) as conn:
        assert conn.execute("SELECT count(*), sum(correct) FROM attempts").fetchone() == (3, 2)


def test_play_explains_wrong_answers_and_reasks_on_bad_input(env: dict[str, str]) -> None:
    result = quizbot("play", "--topic", "s3-encryption", "--count", "2", stdin="Z\nD\nD\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "Z is not a choice here" in result.stdout
    assert result.stdout.count("Incorrect. The answer is") == 2
    assert "SSE-" in result.stdout  # the explanation follows the verdict
    assert "Score: 0/2" in result.stdout


def test_play_stops_cleanly_at_end_of_input(env: dict[str, str]) -> None:
    result = quizbot("play", "--count", "5", stdin="", env=env)
    assert result.returncode == 0 and "Score: 0/0" in result.stdout


def test_unknown_option_prints_usage_and_exits_2(env: dict[str, str]) -> None:
    result = quizbot("play", "--colour", "blue", env=env)
    assert result.returncode == 2
    assert "usage: quizbot" in result.stderr and "unrecognized arguments: --colour" in result.stderr


def test_content_stats_json(env: dict[str, str]) -> None:
    result = quizbot("content", "stats", "--json", env=env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["total"] == 5
    assert report["by_topic"] == {"s3-encryption": 2, "sqs": 3}
    assert report["by_type"] == {"multi": 1, "single": 3, "truefalse": 1}
    assert set(report) == {"total", "by_topic", "by_domain", "by_type", "by_difficulty"}


def test_content_check_fails_listing_problems(tmp_path: Path, env: dict[str, str]) -> None:
    bad = tmp_path / "content"
    bad.mkdir()
    (bad / "sqs.yaml").write_text((FIXTURE_BANK / "sqs.yaml").read_text().replace("answer: [0]", "answer: [4]", 1))
    result = quizbot("content", "check", env={**env, "QUIZBOT_CONTENT_DIR": str(bad)})
    assert result.returncode == 1
    assert "sqs.yaml:3: item sqs-001: answer index 4 is out of range" in result.stdout
    assert "bank has 2 items; at least 500 are required" in result.stdout


def test_invalid_bank_refuses_to_start(tmp_path: Path, env: dict[str, str]) -> None:
    bad = tmp_path / "content"
    bad.mkdir()
    (bad / "sqs.yaml").write_text("meta: [unclosed\n")
    result = quizbot("run", stdin="/quit\n", env={**env, "QUIZBOT_CONTENT_DIR": str(bad)})
    assert result.returncode == 1
    assert "question bank is invalid" in result.stderr and "sqs.yaml:" in result.stderr


def test_foreign_database_file_is_refused_and_left_alone(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "thesis.db"
    db.write_text("chapter one\n")
    result = quizbot("play", stdin="A\n", env={**env, "QUIZBOT_DATABASE_PATH": str(db)})
    assert result.returncode == 1
    assert "not an SQLite database" in result.stderr
    assert db.read_text() == "chapter one\n"


def test_invalid_setting_names_the_variable(env: dict[str, str]) -> None:
    result = quizbot("content", "stats", env={**env, "QUIZBOT_DEFAULT_TIMEZONE": "Mars/Base"})
    assert result.returncode == 1
    assert "QUIZBOT_DEFAULT_TIMEZONE" in result.stderr


def test_run_without_tokens_starts_the_console(env: dict[str, str]) -> None:
    result = quizbot(stdin="/leaderboard all\n/quit\n", env=env)
    assert result.returncode == 0, result.stderr
    assert "Today's question" in result.stdout
    assert "No points yet" in result.stdout


def test_secret_tokens_never_reach_output_on_a_startup_error(env: dict[str, str]) -> None:
    token = "xoxb-very-secret-token-123"  # noqa: S105 - a fake token to look for in the output
    result = quizbot("run", env={**env, "SLACK_BOT_TOKEN": token, "SLACK_SIGNING_SECRET": "s3cr3t",
                                 "DISCORD_TOKEN": "discord-secret", "QUIZBOT_SLACK_PORT": "99999",
                                 "QUIZBOT_LOG_LEVEL": "DEBUG"})
    assert result.returncode == 1 and "QUIZBOT_SLACK_PORT" in result.stderr
    for secret in (token, "s3cr3t", "discord-secret"):
        assert secret not in result.stdout + result.stderr


def test_settings_mask_secrets_in_repr_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    from bot.settings import Settings, log_summary

    settings = Settings.from_env({"DISCORD_TOKEN": "discord-secret", "SLACK_BOT_TOKEN": "xoxb-1",
                                  "SLACK_APP_TOKEN": "xapp-1"}, env_file=None)
    assert settings.platforms == ("discord", "slack")
    assert settings.discord_token is not None and settings.discord_token.reveal() == "discord-secret"
    with caplog.at_level(logging.INFO):
        log_summary(settings, logging.getLogger("test"))
    text = caplog.text + repr(settings) + str(settings.slack_app_token)
    assert "Secret('**********')" in text
    for secret in ("discord-secret", "xoxb-1", "xapp-1"):
        assert secret not in text
