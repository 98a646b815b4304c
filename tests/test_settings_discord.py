"""Discord shard settings: parsed into typed values, bad input named, and passed through the composition root."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest

from bot.adapters.discord_adapter.sharding import ShardedQuizClient
from bot.app import build_platforms, open_core
from bot.settings import Settings, SettingsError
from tests.conftest import FIXTURE_BANK


def settings(**env: str) -> Settings:
    return Settings.from_env(env, env_file=None)


def test_unset_means_one_connection() -> None:
    assert (settings().discord_shards, settings().discord_shard_ids) == (None, None)


@pytest.mark.parametrize(("shards", "ids", "want"), [
    ("auto", None, ("auto", None)),
    ("AUTO", None, ("auto", None)),
    ("4", None, (4, None)),
    ("4", "0-3", (4, (0, 1, 2, 3))),
    ("8", "0,2,5-7", (8, (0, 2, 5, 6, 7))),
    ("8", " 5-7 , 0 ", (8, (0, 5, 6, 7))),
    ("1", "0", (1, (0,))),
])
def test_values_are_read(shards: str, ids: str | None, want: tuple[object, object]) -> None:
    env = {"QUIZBOT_DISCORD_SHARDS": shards} | ({"QUIZBOT_DISCORD_SHARD_IDS": ids} if ids is not None else {})
    got = settings(**env)
    assert (got.discord_shards, got.discord_shard_ids) == want


@pytest.mark.parametrize("shards", ["0", "-2", "two", "2.5", "auto4"])
def test_a_bad_count_names_the_variable(shards: str) -> None:
    with pytest.raises(SettingsError, match="QUIZBOT_DISCORD_SHARDS must be auto or a whole number"):
        settings(QUIZBOT_DISCORD_SHARDS=shards)


@pytest.mark.parametrize(("shards", "ids", "message"), [
    ("4", "a", "must be ids and ranges like 0-3"),
    ("4", "0,,2", "must be ids and ranges like 0-3"),
    ("4", "-1", "must be ids and ranges like 0-3"),
    ("4", "1-", "must be ids and ranges like 0-3"),
    ("4", "0-1-2", "must be ids and ranges like 0-3"),
    ("4", "3-1", "backwards range '3-1'"),
    ("4", "4", "lists shard 4, but QUIZBOT_DISCORD_SHARDS=4 has ids 0-3"),
    ("4", "2-9", "lists shard 9, but QUIZBOT_DISCORD_SHARDS=4 has ids 0-3"),
    ("4", "0-999999999999", "lists shard 999999999999"),  # refused before building a huge range
    ("4", "0-2,1", "more than once"),
])
def test_bad_shard_ids_name_the_variable(shards: str, ids: str, message: str) -> None:
    with pytest.raises(SettingsError, match="QUIZBOT_DISCORD_SHARD_IDS") as caught:
        settings(QUIZBOT_DISCORD_SHARDS=shards, QUIZBOT_DISCORD_SHARD_IDS=ids)
    assert message in str(caught.value)


@pytest.mark.parametrize("env", [{}, {"QUIZBOT_DISCORD_SHARDS": "auto"}])
def test_shard_ids_need_a_numeric_count(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="QUIZBOT_DISCORD_SHARD_IDS needs QUIZBOT_DISCORD_SHARDS"):
        settings(**env, QUIZBOT_DISCORD_SHARD_IDS="0-1")


async def test_the_composition_root_passes_shards_to_the_client(tmp_path: Path) -> None:
    env = {"QUIZBOT_DATABASE_PATH": str(tmp_path / "q.db"), "QUIZBOT_CONTENT_DIR": str(FIXTURE_BANK),
           "DISCORD_TOKEN": "d"}
    async with open_core(settings(**env)) as core:
        plain = build_platforms(core, settings(**env))["discord"]
        split = build_platforms(core, settings(**env, QUIZBOT_DISCORD_SHARDS="4",
                                               QUIZBOT_DISCORD_SHARD_IDS="2-3"))["discord"]
        auto = build_platforms(core, settings(**env, QUIZBOT_DISCORD_SHARDS="auto"))["discord"]
        try:
            clients = [runtime.client for runtime in (plain, split, auto)]  # type: ignore[attr-defined]
            assert not isinstance(clients[0], discord.AutoShardedClient)
            assert isinstance(clients[1], ShardedQuizClient)
            assert (clients[1].shard_count, clients[1].shard_ids) == (4, [2, 3])
            assert isinstance(clients[2], ShardedQuizClient)
            assert clients[2].shard_count is None and clients[2].shard_ids is None  # asked at connect
        finally:
            for runtime in (plain, split, auto):
                await runtime.close()
