"""A throwaway PostgreSQL cluster for the test suite: one per session, a fresh database per test.

The PostgreSQL store must be tested against a real server (the same contract tests as SQLite), but a
developer's machine or CI runner has no server we may touch. So the session runs its own: ``initdb`` into
a temporary directory, ``pg_ctl start`` on a free loopback port with durability switched off (the data is
thrown away, so fsync only costs time), and ``pg_ctl -m immediate stop`` plus removal at the end.

Without PostgreSQL 15+ binaries the tests that need it skip with the reason, except when
``QUIZBOT_REQUIRE_POSTGRES=1`` (``.ci/run`` sets it): there a missing server is an error, so CI can never
pass by silently skipping the PostgreSQL half of the suite.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

MIN_MAJOR = 15
REQUIRE_ENV = "QUIZBOT_REQUIRE_POSTGRES"
NOT_FOUND = "PostgreSQL 15 binaries (initdb, pg_ctl) not found; install postgresql-15 to run the PostgreSQL store tests"
LIB_ROOT = Path("/usr/lib/postgresql")
HOST = "127.0.0.1"
START_TIMEOUT = 30  # seconds pg_ctl waits for the server to accept connections
PORT_ATTEMPTS = 3  # a port picked free can be taken before the server binds it; then pick another
_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


class PgClusterError(RuntimeError):
    """The binaries exist but the cluster could not be made or started; the message carries the log's tail."""


@dataclass(frozen=True)
class PgBinaries:
    """Where initdb, pg_ctl and psql live (every packaging ships them side by side), and their major version."""

    bin_dir: Path
    major: int

    def tool(self, name: str) -> Path:
        return self.bin_dir / name


def _major(initdb: Path) -> int | None:
    """The major version ``initdb --version`` reports, or None when it does not run or says something else."""
    try:
        out = subprocess.run(  # noqa: S603 - a PostgreSQL program we located, fixed arguments
            [initdb, "--version"], capture_output=True, text=True, timeout=10, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(out)
    return int(match.group(1)) if match else None


def _candidates(path: str | None, lib_root: Path) -> Iterator[Path]:
    """Bin directories in the order we trust them: $PATH's initdb first, then Debian's layout, newest first."""
    found = shutil.which("initdb", path=path)
    if found:
        yield Path(found).resolve().parent
    versions = [d for d in lib_root.glob("*") if d.name.isdigit()] if lib_root.is_dir() else []
    for version_dir in sorted(versions, key=lambda d: int(d.name), reverse=True):
        yield version_dir / "bin"


def find_binaries(path: str | None = None, lib_root: Path = LIB_ROOT) -> PgBinaries | None:
    """The first usable PostgreSQL >= 15 (initdb, pg_ctl and psql side by side), or None."""
    for bin_dir in _candidates(path, lib_root):
        if not all(os.access(bin_dir / tool, os.X_OK) for tool in ("initdb", "pg_ctl", "psql")):
            continue
        major = _major(bin_dir / "initdb")
        if major is not None and major >= MIN_MAJOR:
            return PgBinaries(bin_dir, major)
    return None


def unavailable(reason: str) -> NoReturn:
    """Skip with the reason; in CI (``QUIZBOT_REQUIRE_POSTGRES=1``) fail instead, so nothing passes by skipping."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1, so this is an error, not a skip)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A loopback port nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _clean_env() -> dict[str, str]:
    """Our environment without PG* variables: a developer's PGHOST or PGDATA must not redirect the tools."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", PGCONNECT_TIMEOUT="10")
    return env


def _owner() -> tuple[list[str], pwd.struct_passwd | None]:
    """How to run initdb/postgres: directly, or as ``postgres`` when we are root (both refuse to run as root)."""
    if os.geteuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise PgClusterError(
            "running as root and there is no 'postgres' user to run PostgreSQL as (initdb and postgres refuse "
            "root); install postgresql-15, which creates it, or run the tests as a non-root user"
        ) from None
    if shutil.which("runuser"):
        return ["runuser", "-u", user.pw_name, "--"], user
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups", "--"], user


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(no server log: {exc})"


# Cleans up after a test process that died without its finalizers (SIGKILL, or SIGTERM from `timeout`, which
# Python does not turn into an exception): it blocks reading the pipe from the test process, and end of file
# without "done" means nobody else will stop the server or delete the directory. Its own session keeps it
# out of the signal sent to the test run's process group.
_WATCHDOG = """
import shutil, subprocess, sys
if sys.stdin.buffer.read() != b"done":
    subprocess.run(sys.argv[2:], capture_output=True, timeout=30, cwd="/")
    shutil.rmtree(sys.argv[1], ignore_errors=True)
"""


class PgCluster:
    """A running throwaway cluster; ``start`` makes one, ``stop`` ends it and deletes every file."""

    host = HOST

    def __init__(self, binaries: PgBinaries, base: Path, port: int, prefix: list[str]) -> None:
        self.binaries = binaries
        self.base = base
        self.port = port
        self._prefix = prefix
        self.data = base / "data"
        self.log = base / "postgres.log"
        self._stop_args = [*prefix, str(binaries.tool("pg_ctl")), "-D", str(self.data), "-m", "immediate", "stop"]
        self.watchdog = subprocess.Popen(  # noqa: S603 - this interpreter, our own script
            [sys.executable, "-c", _WATCHDOG, str(base), *self._stop_args], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_clean_env(), cwd="/", start_new_session=True,
        )

    @classmethod
    def start(cls, binaries: PgBinaries, port: int | None = None, parent: Path | None = None) -> PgCluster:
        """initdb and start, retrying on another port if a picked one was taken; cleans up when it fails.

        ``port`` pins the port (no retry); ``parent`` is where the temporary directory goes (default: $TMPDIR).
        """
        prefix, user = _owner()
        base = Path(tempfile.mkdtemp(prefix="quizbot-pg-", dir=parent))
        cluster = cls(binaries, base, port or 0, prefix)
        try:
            if user is not None:
                cluster._hand_over(user)
            cluster._initdb()
            for attempt in range(1 if port else PORT_ATTEMPTS):
                cluster.port = port or free_port()
                if cluster._pg_ctl_start(last=bool(port) or attempt == PORT_ATTEMPTS - 1):
                    return cluster
        except BaseException:
            cluster.stop()
            raise
        raise AssertionError("unreachable: the last attempt raises")  # pragma: no cover

    def _run(self, args: list[str | Path], timeout: float) -> subprocess.CompletedProcess[str]:
        """One of PostgreSQL's own programs, as the cluster's owner, from its directory, bounded in time."""
        return subprocess.run(  # noqa: S603 - PostgreSQL's programs, arguments built here
            [*self._prefix, *args], cwd=self.base, env=_clean_env(), capture_output=True, text=True, timeout=timeout
        )

    def _hand_over(self, user: pwd.struct_passwd) -> None:
        """Give the directory to ``postgres``, and say plainly when a private parent (0700) hides it."""
        os.chown(self.base, user.pw_uid, user.pw_gid)
        if self._run(["test", "-w", self.base], timeout=10).returncode != 0:
            raise PgClusterError(
                f"the '{user.pw_name}' user cannot write {self.base}: a parent directory is private to root; "
                "point TMPDIR at a directory others can traverse (e.g. /tmp)"
            )

    def _initdb(self) -> None:
        args = ["-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"]
        done = self._run([self.binaries.tool("initdb"), *args], timeout=120)
        if done.returncode != 0:
            raise PgClusterError(f"initdb failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        settings = {**SETTINGS, "unix_socket_directories": "'" + str(self.base).replace("'", "''") + "'"}
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# quizbot test cluster\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))

    def _pg_ctl_start(self, *, last: bool) -> bool:
        """Start on ``self.port``; False (to retry) when another process took the port first."""
        ctl = self.binaries.tool("pg_ctl")
        args = [ctl, "-D", self.data, "-l", self.log, "-w", "-t", str(START_TIMEOUT), "-o", f"-p {self.port}", "start"]
        done = self._run(args, timeout=START_TIMEOUT + 15)
        if done.returncode == 0:
            return True
        tail = _tail(self.log)
        self._run([ctl, "-D", self.data, "-m", "immediate", "stop"], timeout=30)
        if not last and "could not bind" in tail:
            return False
        raise PgClusterError(
            f"pg_ctl start on {HOST}:{self.port} failed ({done.returncode}): {done.stderr.strip()}\n"
            f"last lines of {self.log}:\n{tail}"
        )

    def stop(self) -> None:
        """Stop at once (nothing here is worth a clean shutdown), delete the directory, dismiss the watchdog."""
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(subprocess.TimeoutExpired):
                # _stop_args already carries the runuser prefix (the watchdog runs it as is): not through _run.
                subprocess.run(  # noqa: S603 - pg_ctl beside initdb, arguments built in __init__
                    self._stop_args, cwd=self.base, env=_clean_env(), capture_output=True, text=True, timeout=30)
        shutil.rmtree(self.base, ignore_errors=True)
        if self.watchdog.stdin is not None and not self.watchdog.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.watchdog.stdin.write(b"done")
            self.watchdog.stdin.close()
        self.watchdog.wait(timeout=30)

    def dsn(self, dbname: str) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/{dbname}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """``CREATE DATABASE`` (from ``template``, else template1) and return its dsn.

        FILE_COPY copies the template's files instead of WAL-logging every block (PostgreSQL 15's default):
        about half the time for a small database, and its checkpoint is cheap with fsync off.
        """
        clause = f' TEMPLATE "{_checked(template)}"' if template else ""
        self.execute(f'CREATE DATABASE "{_checked(name)}"{clause} STRATEGY FILE_COPY')
        return self.dsn(name)

    def drop_database(self, name: str) -> None:
        """Drop even if a test left a connection open (FORCE), so one leak cannot break the next test."""
        self.execute(f'DROP DATABASE IF EXISTS "{_checked(name)}" WITH (FORCE)')

    def execute(self, sql: str) -> None:
        """Run one statement in the ``postgres`` database with psql: a subprocess, so sync fixtures and async
        tests (whose loop is already running) can both call it.
        """
        psql = [self.binaries.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", HOST, "-p", str(self.port)]
        done = subprocess.run(  # noqa: S603 - psql beside initdb; the SQL's names are checked identifiers
            [*psql, "-U", "postgres", "-d", "postgres", "-c", sql],
            env=_clean_env(), capture_output=True, text=True, timeout=60,
        )
        if done.returncode != 0:
            raise PgClusterError(f"{sql!r} failed: {done.stderr.strip()}")


def _checked(name: str) -> str:
    """Database names come from tests, but they still go into SQL: allow plain identifiers only."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """One cluster for the whole session (startup costs about a second; a database costs milliseconds)."""
    binaries = find_binaries()
    if binaries is None:
        unavailable(NOT_FOUND)
    cluster = PgCluster.start(binaries)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_database(pg_cluster: PgCluster) -> Iterator[str]:
    """A fresh, empty, uniquely named database for one test (copied from template0); its dsn. Dropped after."""
    name = f"quizbot_test_{uuid.uuid4().hex[:12]}"
    dsn = pg_cluster.create_database(name, template="template0")
    try:
        yield dsn
    finally:
        pg_cluster.drop_database(name)
