"""The composition root builds exactly the adapters whose credentials are set."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_platforms, open_core
from bot.settings import Settings
from tests.conftest import FIXTURE_BANK


async def test_build_platforms_from_settings(tmp_path: Path) -> None:
    env = {"QUIZBOT_DATABASE_PATH": str(tmp_path / "q.db"), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK)}
    async with open_core(Settings.from_env(env, env_file=None)) as core:
        assert build_platforms(core, Settings.from_env(env, env_file=None)) == {}
        both = Settings.from_env({**env, "DISCORD_TOKEN": "d", "SLACK_BOT_TOKEN": "xoxb-1",
                                  "SLACK_SIGNING_SECRET": "s"}, env_file=None)
        runtimes = build_platforms(core, both)
        try:
            assert set(runtimes) == {"discord", "slack"}
            assert runtimes["discord"].notifier.sends_per_second > 0
            assert runtimes["slack"].notifier.sends_per_second > 0
        finally:
            for runtime in runtimes.values():
                await runtime.close()
