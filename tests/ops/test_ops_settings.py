"""The operations settings: defaults off, bad values named, and every setting documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from tests.conftest import ROOT


def test_defaults_leave_backups_and_metrics_off() -> None:
    settings = Settings.from_env({}, env_file=None)
    assert (settings.log_format, settings.backup_dir, settings.backup_keep) == ("text", None, 7)
    assert (settings.metrics_port, settings.metrics_addr) == (None, "127.0.0.1")


def test_values_are_read() -> None:
    settings = Settings.from_env({"QUIZBOT_LOG_FORMAT": "JSON", "QUIZBOT_BACKUP_DIR": "/data/backups",
                                  "QUIZBOT_BACKUP_KEEP": "3", "QUIZBOT_METRICS_PORT": "9100",
                                  "QUIZBOT_METRICS_ADDR": "0.0.0.0"}, env_file=None)  # noqa: S104 - a container bind
    assert settings.log_format == "json" and settings.backup_dir == Path("/data/backups")
    assert (settings.backup_keep, settings.metrics_port, settings.metrics_addr) == (3, 9100, "0.0.0.0")  # noqa: S104


@pytest.mark.parametrize(("name", "value"), [
    ("QUIZBOT_LOG_FORMAT", "xml"), ("QUIZBOT_BACKUP_KEEP", "0"), ("QUIZBOT_BACKUP_KEEP", "many"),
    ("QUIZBOT_METRICS_PORT", "70000"), ("QUIZBOT_METRICS_PORT", "http"),
])
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: value}, env_file=None)


def test_every_setting_is_in_env_example_and_readme() -> None:
    names = set(re.findall(r'get\("([A-Z_]+)"\)|secret\("([A-Z_]+)"\)', (ROOT / "bot" / "settings.py").read_text()))
    variables = {a or b for a, b in names}
    assert {"QUIZBOT_LOG_FORMAT", "QUIZBOT_BACKUP_DIR", "QUIZBOT_METRICS_PORT"} <= variables
    example = (ROOT / ".env.example").read_text()
    readme = (ROOT / "README.md").read_text()
    assert sorted(v for v in variables if f"\n{v}=" not in example) == []
    assert sorted(v for v in variables if f"`{v}`" not in readme) == []
