"""The throwaway PostgreSQL cluster: it starts on loopback, and hands out real, separate databases that are dropped."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.pg_cluster import (
    NOT_FOUND,
    REQUIRE_ENV,
    PgBinaries,
    PgCluster,
    PgClusterError,
    find_binaries,
    unavailable,
)


async def _connect(dsn: str) -> asyncpg.Connection:
    return await asyncpg.connect(dsn, timeout=10)


async def _databases(cluster: PgCluster) -> set[str]:
    conn = await _connect(cluster.dsn("postgres"))
    try:
        return {row[0] for row in await conn.fetch("SELECT datname FROM pg_database")}
    finally:
        await conn.close()


async def test_cluster_is_postgres_15_on_loopback_with_durability_off(pg_cluster: PgCluster) -> None:
    conn = await _connect(pg_cluster.dsn("postgres"))
    try:
        version = await conn.fetchval("SELECT current_setting('server_version_num')::int")
        address = await conn.fetchval("SELECT host(inet_server_addr()) || ':' || inet_server_port()")
        names = ["listen_addresses", "fsync", "synchronous_commit", "full_page_writes", "max_connections",
                 "unix_socket_directories", "server_encoding"]
        rows = await conn.fetch("SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])", names)
    finally:
        await conn.close()
    assert version >= 150000
    assert pg_cluster.host == "127.0.0.1"
    assert address == f"127.0.0.1:{pg_cluster.port}"
    assert dict(rows) == {
        "listen_addresses": "127.0.0.1", "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
        "max_connections": "200", "unix_socket_directories": str(pg_cluster.base), "server_encoding": "UTF8",
    }


async def test_a_database_is_created_used_and_dropped(pg_cluster: PgCluster) -> None:
    dsn = pg_cluster.create_database("quizbot_probe")
    assert dsn == f"postgresql://postgres@127.0.0.1:{pg_cluster.port}/quizbot_probe"
    conn = await _connect(dsn)
    try:
        await conn.execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        await conn.execute("INSERT INTO t VALUES (1, $1)", "Übung ✓ 日本")
        assert await conn.fetchval("SELECT v FROM t WHERE id = 1") == "Übung ✓ 日本"
    finally:
        await conn.close()
    pg_cluster.drop_database("quizbot_probe")
    assert "quizbot_probe" not in await _databases(pg_cluster)
    with pytest.raises(asyncpg.InvalidCatalogNameError):
        await _connect(dsn)


async def test_drop_ends_connections_a_test_left_open(pg_cluster: PgCluster) -> None:
    dsn = pg_cluster.create_database("quizbot_leaky")
    leaked = await _connect(dsn)
    pg_cluster.drop_database("quizbot_leaky")
    assert "quizbot_leaky" not in await _databases(pg_cluster)
    with pytest.raises((asyncpg.PostgresError, asyncpg.InterfaceError, ConnectionError)):
        await leaked.fetchval("SELECT 1")
    leaked.terminate()


async def test_a_database_can_be_copied_from_a_template(pg_cluster: PgCluster) -> None:
    conn = await _connect(pg_cluster.create_database("quizbot_tpl"))
    try:
        await conn.execute("CREATE TABLE seeded (n int); INSERT INTO seeded VALUES (42)")
    finally:
        await conn.close()
    try:
        copy = await _connect(pg_cluster.create_database("quizbot_copy", template="quizbot_tpl"))
        try:
            assert await copy.fetchval("SELECT n FROM seeded") == 42
        finally:
            await copy.close()
    finally:
        pg_cluster.drop_database("quizbot_copy")
        pg_cluster.drop_database("quizbot_tpl")


@pytest.mark.parametrize("name", ['x"; DROP DATABASE postgres; --', "Upper", "", "a" * 64, "1abc"])
def test_only_plain_names_reach_sql(pg_cluster: PgCluster, name: str) -> None:
    with pytest.raises(ValueError, match="not a plain database name"):
        pg_cluster.create_database(name)


_seen: list[str] = []


@pytest.mark.parametrize("turn", [1, 2])
async def test_each_test_gets_its_own_empty_database(pg_cluster: PgCluster, pg_database: str, turn: int) -> None:
    conn = await _connect(pg_database)
    try:
        name = await conn.fetchval("SELECT current_database()")
        tables = await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        await conn.execute("CREATE TABLE marker (turn int)")
        await conn.execute("INSERT INTO marker VALUES ($1)", turn)
    finally:
        await conn.close()
    live = await _databases(pg_cluster)
    assert tables == 0
    assert name in live
    assert name not in _seen
    assert live.isdisjoint(_seen)  # the earlier turn's database was dropped when it ended
    _seen.append(name)


async def test_two_databases_do_not_share_tables(pg_cluster: PgCluster) -> None:
    first, second = pg_cluster.create_database("quizbot_one"), pg_cluster.create_database("quizbot_two")
    try:
        one, two = await _connect(first), await _connect(second)
        try:
            await one.execute("CREATE TABLE only_here (n int)")
            assert await one.fetchval("SELECT to_regclass('only_here') IS NOT NULL")
            assert await two.fetchval("SELECT to_regclass('only_here') IS NULL")
        finally:
            await one.close()
            await two.close()
    finally:
        pg_cluster.drop_database("quizbot_one")
        pg_cluster.drop_database("quizbot_two")


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A temporary directory the ``postgres`` user can traverse when we are root (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="quizbot-pg-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_a_failed_start_shows_the_server_log_and_leaves_nothing(pg_cluster: PgCluster, open_dir: Path) -> None:
    with pytest.raises(PgClusterError) as failure:
        PgCluster.start(pg_cluster.binaries, port=pg_cluster.port, parent=open_dir)  # the port is taken
    assert f"127.0.0.1:{pg_cluster.port} failed" in str(failure.value)
    assert "could not bind" in str(failure.value)  # from the server log's tail
    assert list(open_dir.iterdir()) == []


def test_a_cluster_whose_test_process_died_is_stopped_and_removed(pg_cluster: PgCluster, open_dir: Path) -> None:
    cluster = PgCluster.start(pg_cluster.binaries, parent=open_dir)
    try:
        assert cluster.data.is_dir()
        assert cluster.watchdog.stdin is not None
        cluster.watchdog.stdin.close()  # what the kernel does to the pipe when the test process dies
        assert cluster.watchdog.wait(timeout=60) == 0
        assert list(open_dir.iterdir()) == []
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((cluster.host, cluster.port), timeout=5).close()
    finally:
        cluster.stop()


def test_stop_ends_the_server_and_removes_its_directory(pg_cluster: PgCluster, open_dir: Path) -> None:
    cluster = PgCluster.start(pg_cluster.binaries, parent=open_dir)
    socket.create_connection((cluster.host, cluster.port), timeout=5).close()  # it serves
    cluster.stop()
    assert list(open_dir.iterdir()) == []
    with pytest.raises(ConnectionRefusedError):  # and no server is left behind
        socket.create_connection((cluster.host, cluster.port), timeout=5).close()


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the cluster directory to the postgres user")
def test_as_root_a_private_parent_directory_is_named_as_the_cause(pg_cluster: PgCluster, tmp_path: Path) -> None:
    with pytest.raises(PgClusterError, match=r"cannot write .* point TMPDIR at a directory others can traverse"):
        PgCluster.start(pg_cluster.binaries, parent=tmp_path)
    assert list(tmp_path.iterdir()) == []


def _fake_install(bin_dir: Path, version: str, *, pg_ctl: bool = True) -> Path:
    """Stand-ins for PostgreSQL's programs that only answer ``--version``, as the real ones print it."""
    bin_dir.mkdir(parents=True)
    for tool in ["initdb", "pg_ctl", "psql"] if pg_ctl else ["initdb", "psql"]:
        script = bin_dir / tool
        script.write_text(f"#!/bin/sh\necho '{tool} (PostgreSQL) {version}'\n")
        script.chmod(0o755)
    return bin_dir


def test_binaries_come_from_path_first_then_the_newest_debian_version(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    _fake_install(lib / "15" / "bin", "15.18")
    newest = _fake_install(lib / "16" / "bin", "16.4")
    _fake_install(lib / "17" / "bin", "17.1", pg_ctl=False)  # half an install is not usable
    old_on_path = _fake_install(tmp_path / "old", "14.12")
    new_on_path = _fake_install(tmp_path / "new", "15.2 (Debian 15.2-1)")

    assert find_binaries(path=str(new_on_path), lib_root=lib) == PgBinaries(new_on_path, 15)
    assert find_binaries(path=str(old_on_path), lib_root=lib) == PgBinaries(newest, 16)
    assert find_binaries(path=str(tmp_path / "empty"), lib_root=tmp_path / "missing") is None
    assert find_binaries(path=str(old_on_path), lib_root=tmp_path / "missing") is None


def test_missing_binaries_skip_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="install postgresql-15 to run the PostgreSQL store tests"):
        unavailable(NOT_FOUND)


def test_missing_binaries_fail_when_ci_requires_postgres(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=r"not found; install postgresql-15.*QUIZBOT_REQUIRE_POSTGRES=1"):
        unavailable(NOT_FOUND)
