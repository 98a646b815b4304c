"""One line per event (key=value or JSON), extra fields kept, and tokens never in the output."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import log as logsetup
from bot.settings import Settings
from tests.conftest import FIXTURE_BANK
from tests.test_cli import quizbot

# Fake credentials with real shapes, to look for in the output.
TOKENS = {
    "DISCORD_TOKEN": "MTA5ODc2NTQzMjE.GhAbCd.discord-secret-part_xyz",
    "SLACK_BOT_TOKEN": "xoxb-1111-2222-slackbotsecret",
    "SLACK_APP_TOKEN": "xapp-1-A111-2222-slackappsecret",
    "SLACK_SIGNING_SECRET": "0123456789abcdef0123456789abcdef",
}


@pytest.fixture
def root_logging() -> Iterator[None]:
    """``configure`` replaces the root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    noisy = {name: logging.getLogger(name).level for name in logsetup.NOISY}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, value in noisy.items():
        logging.getLogger(name).setLevel(value)


def configured(fmt: str, secrets: tuple[str, ...] = ()) -> io.StringIO:
    stream = io.StringIO()
    logsetup.configure("DEBUG", fmt, secrets, stream=stream)
    return stream


def test_text_lines_are_key_value_with_the_traceback_on_the_same_line(root_logging: None) -> None:
    stream = configured("text")
    log = logging.getLogger("bot.test")
    log.info("answer recorded for round %d", 42, extra={"interaction_id": "1234"})
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        log.exception("answer failed")
    first, second = stream.getvalue().splitlines()
    assert first.startswith("ts=") and " level=INFO logger=bot.test " in first
    assert 'msg="answer recorded for round 42" interaction_id=1234' in first
    assert ' level=ERROR ' in second and 'msg="answer failed" exc="Traceback' in second
    assert "ValueError: boom\\nsecond line" in second


def test_json_lines_parse_and_keep_extra_fields(root_logging: None) -> None:
    stream = configured("json")
    log = logging.getLogger("bot.test")
    log.warning("slow ack: %.0f ms", 812.4, extra={"interaction_id": "99", "platform": "slack"})
    try:
        raise KeyError("missing")
    except KeyError:
        log.error("lookup failed", exc_info=True)
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert len(events) == 2
    assert {k: events[0][k] for k in ("level", "logger", "msg", "interaction_id", "platform")} == {
        "level": "WARNING", "logger": "bot.test", "msg": "slow ack: 812 ms", "interaction_id": "99",
        "platform": "slack"}
    assert events[1]["exc"].startswith("Traceback") and "KeyError: 'missing'" in events[1]["exc"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_configured_secrets_are_masked_at_debug_wherever_they_appear(root_logging: None, fmt: str) -> None:
    settings = Settings.from_env(TOKENS, env_file=None)
    stream = configured(fmt, settings.secret_values())
    bot_token = TOKENS["SLACK_BOT_TOKEN"]
    logging.getLogger("bot.test").debug("settings %r, raw %s", settings, TOKENS["DISCORD_TOKEN"])
    logging.getLogger("slack_sdk.web").warning("POST with Authorization: Bearer %s", bot_token)
    logging.getLogger("bot.test").info("signed", extra={"secret": TOKENS["SLACK_SIGNING_SECRET"]})
    try:
        raise RuntimeError(f"login failed for {TOKENS['SLACK_APP_TOKEN']}")
    except RuntimeError:
        logging.getLogger("bot.test").exception("connect failed")
    output = stream.getvalue()
    assert len(output.splitlines()) == 4
    for value in TOKENS.values():
        assert value not in output
    assert output.count(logsetup.MASK) >= 4


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_tokens_in_the_env_never_reach_the_output_of_a_failed_start(tmp_path: Path, fmt: str) -> None:
    foreign = tmp_path / "thesis.db"
    foreign.write_text("chapter one\n")
    env = {"QUIZBOT_DATABASE_PATH": str(foreign), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK),
           "QUIZBOT_LOG_LEVEL": "DEBUG", "QUIZBOT_LOG_FORMAT": fmt, **TOKENS}
    result = quizbot("run", env=env)
    assert result.returncode == 1 and "not an SQLite database" in result.stderr
    log_lines = [line for line in result.stderr.splitlines() if "loaded 5 questions" in line]
    assert len(log_lines) == 1, result.stderr  # logging ran, at DEBUG, before the refusal
    if fmt == "json":
        assert json.loads(log_lines[0])["logger"] == "bot.storage.question_bank"
    for value in TOKENS.values():
        assert value not in result.stdout + result.stderr
