"""``quizbot migrate-to-postgres``: a database the real service filled on SQLite, copied into a real PostgreSQL,
compared row for row, and then played on; and every refusal leaves the target as it was."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from slack_sdk.oauth.installation_store.models.installation import Installation

from bot.adapters.slack_adapter.oauth_store import SqlInstallationStore, SqlStateStore
from bot.engine.model import Period, ServerKey
from bot.engine.outcomes import ExamReport, ExamStep
from bot.engine.service import QuizService
from bot.ops.migrate_cli import format_report
from bot.srs.fsrs_scheduler import FsrsCardScheduler
from bot.storage.copy_to_postgres import CopyError, CopyReport, TableCheck, copy_to_postgres
from bot.storage.daily_store import SqlDailyStore
from bot.storage.database import Database, DatabaseError
from bot.storage.lease_store import SqlLeaseStore
from bot.storage.migrations import MIGRATIONS_DIR, discover
from bot.storage.postgres import PostgresDatabase
from bot.storage.question_bank import YamlQuestionBank
from bot.storage.quiz_store import SqlQuizStore
from tests.fakes import FakeClock, right, wrong
from tests.pg_cluster import free_port
from tests.test_cli import quizbot

GUILD = ServerKey("discord", "g1")
WORKSPACE = ServerKey("slack", "T1")
HEAD = discover(MIGRATIONS_DIR)[-1].version
UNICODE = "naïve — 日本語 'quoted' \"double\" ?"


@pytest.fixture
def backend() -> str:
    """The source of every copy is the embedded SQLite file the ``db`` fixture makes (tmp_path / quiz.db)."""
    return "sqlite"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    return tmp_path / "quiz.db"


async def play_days(service: QuizService, db: Database, clock: FakeClock, server: ServerKey, days: int) -> None:
    """Daily rounds as the scheduler runs them: claim, post, answers, reveal; one a day."""
    posts = SqlDailyStore(db)
    for day in range(days):
        today = clock.now().date()  # noon UTC: the same date in Berlin and New York
        assert await posts.claim(server, today, clock.now())
        opened = await service.open_daily(server)
        await posts.attach_round(server, today, opened.round.id)
        await posts.mark_posted(server, today, clock.now(), clock.now() + timedelta(hours=8))
        for n, user in enumerate(("ana", "ben", "cy", "dee", "eli")):
            mark = right if (n + day) % 3 else wrong
            await service.submit_answer(opened.round.id, server.player(user), mark(opened.question))
        await service.reveal(opened.round.id)
        await posts.mark_revealed(server, today)
        clock.advance(days=1)


async def populate(service: QuizService, db: Database, store: SqlQuizStore, clock: FakeClock) -> None:
    """Every table of the schema gets rows through the code that writes them in production."""
    for setting, value in (("channel", "c1"), ("timezone", "Europe/Berlin"), ("practice_on_board", "on"),
                           ("enabled", "on")):
        await service.update_config(GUILD, setting, value)
    await service.update_config(WORKSPACE, "timezone", "America/New_York")
    await service.teams.create(GUILD, "Lambda Lions")
    await service.teams.create(GUILD, "S3 Sharks")
    for user, team in (("ana", "Lambda Lions"), ("ben", "Lambda Lions"), ("cy", "S3 Sharks"), ("dee", "S3 Sharks")):
        await service.teams.join(GUILD.player(user), team)
    await play_days(service, db, clock, GUILD, 3)
    await service.teams.join(GUILD.player("ben"), "S3 Sharks")  # a closed stint stays behind
    await play_days(service, db, clock, GUILD, 2)
    await play_days(service, db, clock, WORKSPACE, 2)
    for n in range(4):  # practice, on the board in g1; misses become review cards
        opened = await service.open_practice(GUILD.player("ana"))
        await service.submit_answer(opened.round.id, GUILD.player("ana"), (wrong if n % 2 else right)(opened.question))
    clock.advance(days=2)
    review = await service.open_review(GUILD.player("ana"))
    await service.submit_answer(review.round.id, GUILD.player("ana"), right(review.question))
    finished = await service.exams.start(GUILD.player("ben"), 2)
    while isinstance(finished, ExamStep):
        finished = await service.exams.answer(GUILD.player("ben"), right(finished.question))
    assert isinstance(finished, ExamReport)
    step = await service.exams.start(GUILD.player("cy"), 3)  # still running when the copy is made
    assert isinstance(step, ExamStep)
    await service.exams.answer(GUILD.player("cy"), right(step.question))
    first = await service.admin.report_question(GUILD.player("dee"), review.question.id, "wrong key", UNICODE,
                                                round_id=review.round.id)
    await service.admin.report_question(GUILD.player("eli"), review.question.id, "unclear", "two keys?")
    await service.admin.resolve_report(GUILD, first.id, "admin", "fixed in bank")
    await store.set_meta("heartbeat", clock.now().isoformat())
    await store.set_meta("discord_tree", "abc123")
    installation = Installation(app_id="A1", team_id="T1", bot_token="xoxb-1-2", bot_id="B1", bot_user_id="U1",  # noqa: S106
                                user_id="U0", installed_at=1764000000.25)
    await SqlInstallationStore(db).async_save(installation)
    await SqlStateStore(db, now=lambda: 1764000000.5).async_issue()
    assert await SqlLeaseStore(db).acquire_or_renew("scheduler", "host-a:1", clock.now(), timedelta(minutes=2))


async def sqlite_tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return sorted(r[0] for r in rows)


def _key(row: tuple[object, ...]) -> tuple[tuple[bool, str], ...]:
    return tuple((v is None, repr(v)) for v in row)


async def rows_of(db: Database, table: str, columns: list[str]) -> list[tuple[object, ...]]:
    names = ", ".join(columns)
    return sorted((tuple(r) for r in await db.fetch_all(f"SELECT {names} FROM {table}")), key=_key)  # noqa: S608


async def pg_row_count(dsn: str) -> dict[str, int]:
    """Rows per table of the target (the version table aside); {} when it has no tables."""
    conn = await asyncpg.connect(dsn)
    try:
        names = [r[0] for r in await conn.fetch(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")]
        return {n: await conn.fetchval(f'SELECT count(*) FROM "{n}"') for n in names if n != "quizbot_schema"}  # noqa: S608
    finally:
        await conn.close()


@pytest.fixture
async def filled(service: QuizService, db: Database, store: SqlQuizStore, clock: FakeClock) -> Database:
    """The bot's SQLite database, still open (the bot keeps running while it is copied)."""
    await populate(service, db, store, clock)
    return db


async def test_every_table_is_copied_row_for_row(filled: Database, source: Path, pg_dsn: str) -> None:
    tables = await sqlite_tables(source)
    empty = [t for t in tables if not (await filled.fetch_one(f"SELECT count(*) FROM {t}"))[0]]  # noqa: S608
    assert empty == [], "populate() must give every table rows, or the copy of that table is untested"

    report = await copy_to_postgres(source, pg_dsn)

    assert report.ok
    order = [t.table for t in report.tables]
    assert order.index("rounds") < min(order.index(t) for t in ("attempts", "daily_posts", "reports"))
    assert order.index("teams") < order.index("team_members")
    assert sorted(order) == tables
    async with PostgresDatabase.open(pg_dsn) as pg:
        for table in tables:
            columns = [r["name"] for r in await filled.fetch_all(f"PRAGMA table_info({table})")]
            expected = await rows_of(filled, table, columns)
            assert await rows_of(pg, table, columns) == expected, table
            check = next(t for t in report.tables if t.table == table)
            assert check.source_rows == check.target_rows == len(expected)
        triggers = await pg.fetch_all(
            "SELECT tgname, tgenabled::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1")
        assert [tuple(r) for r in triggers] == [
            ("attempts_board", "O"), ("attempts_streak", "O"), ("attempts_team", "O"), ("team_members_count", "O")]


async def test_the_copied_database_plays_on(filled: Database, source: Path, pg_database: str, clock: FakeClock,
                                            bank: YamlQuestionBank) -> None:
    """An empty (never migrated) target: migrated, filled, and the service continues on it where SQLite stopped."""
    last = await filled.fetch_one("SELECT max(id), max(daily_seq) FROM rounds WHERE server_id = 'g1'")
    max_ids = {t: (await filled.fetch_one(f"SELECT max(id) FROM {t}"))[0] for t in ("rounds", "reports", "teams")}  # noqa: S608
    await copy_to_postgres(source, pg_database, batch_rows=7)  # small batches: many COPYs per table

    async with PostgresDatabase.open(pg_database) as pg:
        store = SqlQuizStore(pg)
        service = QuizService(store, bank, clock, random.Random(3), default_timezone="UTC",
                              cards=FsrsCardScheduler())
        before = {e.user_id: e.points for e in (await service.leaderboard(GUILD, Period.ALL)).entries}
        streaks_before = await pg.fetch_one("SELECT current FROM streaks WHERE server_id = 'g1' AND user_id = 'ben'")
        opened = await service.open_daily(GUILD)
        assert opened.round.id == max_ids["rounds"] + 1  # the identity moved past the copied ids
        assert opened.round.daily_seq == last[1] + 1
        await service.submit_answer(opened.round.id, GUILD.player("ben"), right(opened.question))
        after = {e.user_id: e.points for e in (await service.leaderboard(GUILD, Period.ALL)).entries}
        assert after["ben"] - before["ben"] == 10 and {u: p for u, p in after.items() if u != "ben"} == {
            u: p for u, p in before.items() if u != "ben"}
        streak = await pg.fetch_one("SELECT current FROM streaks WHERE server_id = 'g1' AND user_id = 'ben'")
        assert streak[0] == streaks_before[0] + 1
        report = await service.admin.report_question(GUILD.player("ana"), opened.question.id, "unclear", "new")
        team = await service.teams.create(GUILD, "Kinesis Koalas")
        assert report.id == max_ids["reports"] + 1 and team.id == max_ids["teams"] + 1
        resumed = await service.exams.current(GUILD.player("cy"))  # the exam started on SQLite resumes
        assert isinstance(resumed, ExamStep) and resumed.position == 2
    # The bot on SQLite was never disturbed: it still writes.
    opened = await SqlQuizStore(filled).get_round(last[0])
    assert opened is not None and await filled.execute("UPDATE meta SET value = 'x' WHERE key = 'discord_tree'") == 1


async def test_answers_during_the_copy_neither_wait_nor_break_it(filled: Database, source: Path, pg_dsn: str,
                                                                 service: QuizService) -> None:
    """The bot keeps answering while the copy reads; the copy is one consistent instant of the file."""
    before = (await filled.fetch_one("SELECT count(*) FROM attempts"))[0]

    copy = asyncio.ensure_future(copy_to_postgres(source, pg_dsn, batch_rows=3))
    written = 0
    while not copy.done() and written < 2000:  # answer until the copy has finished (bounded)
        player = GUILD.player(f"late{written}")
        opened = await service.open_practice(player)
        await service.submit_answer(opened.round.id, player, right(opened.question))
        written += 1
    report = await copy
    after = (await filled.fetch_one("SELECT count(*) FROM attempts"))[0]
    attempts = next(t for t in report.tables if t.table == "attempts")
    assert report.ok and after == before + written
    assert before <= attempts.target_rows < after  # answers after the snapshot are left out, consistently


async def test_a_target_with_quizbot_rows_is_refused_untouched(filled: Database, source: Path, pg_dsn: str) -> None:
    async with PostgresDatabase.open(pg_dsn) as pg:
        await pg.execute("INSERT INTO meta (key, value) VALUES ('mine', 'keep')")
    with pytest.raises(CopyError, match=r"already holds QuizBot data \(rows in meta\)"):
        await copy_to_postgres(source, pg_dsn)
    counts = await pg_row_count(pg_dsn)
    assert counts["meta"] == 1 and sum(counts.values()) == 1


async def test_a_target_with_foreign_tables_is_refused_untouched(filled: Database, source: Path,
                                                                 pg_database: str, pg_dsn: str) -> None:
    async with PostgresDatabase.open(pg_database) as pg:
        await pg.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(CopyError, match=r"holds tables QuizBot did not create \(invoices\)"):
        await copy_to_postgres(source, pg_database)
    assert await pg_row_count(pg_database) == {"invoices": 0}
    async with PostgresDatabase.open(pg_dsn) as pg:  # a migrated QuizBot database with one extra table
        await pg.execute("CREATE TABLE notes (id INTEGER)")
    with pytest.raises(CopyError, match=r"did not create \(notes\)"):
        await copy_to_postgres(source, pg_dsn)
    assert sum((await pg_row_count(pg_dsn)).values()) == 0


@pytest.mark.parametrize(("version", "message"), [
    (HEAD - 1, "start the bot on it once"), (HEAD + 1, "newer than this code"),
])
async def test_a_source_at_another_schema_version_is_refused(filled: Database, source: Path, pg_database: str,
                                                             version: int, message: str) -> None:
    await filled.execute(f"PRAGMA user_version = {version:d}")
    with pytest.raises(CopyError, match=message):
        await copy_to_postgres(source, pg_database)
    assert await pg_row_count(pg_database) == {}  # not even migrated


async def test_missing_or_foreign_source_is_refused(tmp_path: Path, pg_database: str) -> None:
    with pytest.raises(CopyError, match="does not exist; pass --from"):
        await copy_to_postgres(tmp_path / "nope.db", pg_database)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.close()
    with pytest.raises(DatabaseError, match="not a QuizBot database"):
        await copy_to_postgres(other, pg_database)
    assert await pg_row_count(pg_database) == {}


@pytest.mark.parametrize(("url", "message"), [
    ("mysql://quiz:hunter2@127.0.0.1/quizbot", "must be a postgresql://"),
    ("postgresql://quiz:hunter2@127.0.0.1:notaport/quizbot", "not a valid PostgreSQL URL"),
    ("postgresql://quiz:hunter2@127.0.0.1:5432", "names no database"),
    ("postgresql://quiz:hunter2@127.0.0.1:{port}/quizbot", r"cannot connect to PostgreSQL at postgresql://quiz:\*\*\*@"),
])
async def test_bad_urls_are_refused_without_showing_the_password(filled: Database, source: Path, url: str,
                                                                 message: str) -> None:
    with pytest.raises(CopyError, match=message) as refused:
        await copy_to_postgres(source, url.format(port=free_port()))  # nothing listens on that port
    assert "hunter2" not in str(refused.value)


async def test_a_failure_mid_copy_rolls_everything_back(filled: Database, source: Path, pg_dsn: str) -> None:
    """PostgreSQL text cannot hold NUL: the meta row fails after other tables went in, and all of it is undone."""
    await filled.execute("INSERT INTO meta (key, value) VALUES ('bad', 'a' || char(0) || 'b')")
    with pytest.raises(CopyError, match="copying meta failed"):
        await copy_to_postgres(source, pg_dsn)
    assert sum((await pg_row_count(pg_dsn)).values()) == 0
    async with PostgresDatabase.open(pg_dsn) as pg:
        enabled = await pg.fetch_all("SELECT tgenabled::text FROM pg_trigger WHERE NOT tgisinternal")
        assert {r[0] for r in enabled} == {"O"}


async def test_a_table_missing_on_one_side_stops_the_copy(filled: Database, source: Path, pg_dsn: str) -> None:
    """A future migration applied to SQLite only must not be skipped silently."""
    await filled.execute("CREATE TABLE badges (id INTEGER PRIMARY KEY, name TEXT)")
    with pytest.raises(CopyError, match="only in SQLite: badges; only in PostgreSQL: -"):
        await copy_to_postgres(source, pg_dsn)
    await filled.execute("DROP TABLE badges")
    await filled.execute('CREATE TABLE "Odd One" ("x""y" INTEGER)')
    with pytest.raises(CopyError, match="'Odd One' is not a name QuizBot uses"):
        await copy_to_postgres(source, pg_dsn)
    await filled.execute('DROP TABLE "Odd One"')
    await filled.execute("ALTER TABLE meta ADD COLUMN note TEXT")
    with pytest.raises(CopyError, match="the columns of meta differ"):
        await copy_to_postgres(source, pg_dsn)
    assert sum((await pg_row_count(pg_dsn)).values()) == 0


async def test_two_copies_at_once_fill_the_target_once(filled: Database, source: Path, pg_dsn: str) -> None:
    results = await asyncio.gather(copy_to_postgres(source, pg_dsn), copy_to_postgres(source, pg_dsn),
                                   return_exceptions=True)
    assert sorted(type(r).__name__ for r in results) == ["CopyError", "CopyReport"]
    copied = next(r for r in results if isinstance(r, CopyReport))
    attempts = next(t for t in copied.tables if t.table == "attempts")
    assert (await pg_row_count(pg_dsn))["attempts"] == attempts.source_rows > 0


def test_the_report_names_what_differs() -> None:
    report = CopyReport((TableCheck("rounds", 3, 3, (6.0,), (6.0,)), TableCheck("attempts", 5, 4, (), ()),
                         TableCheck("board_totals", 2, 2, (30.0, 2.0), (40.0, 2.0))))
    assert not report.ok
    assert format_report(report).splitlines() == [
        "table            sqlite   postgres  check",
        "rounds                3          3  ok",
        "attempts              5          4  ROWS DIFFER",
        "board_totals          2          2  CHECKSUM DIFFERS",
    ]


async def test_the_command_copies_and_never_prints_the_password(filled: Database, source: Path, pg_dsn: str,
                                                                pg_database: str) -> None:
    with_password = pg_dsn.replace("postgres@", "postgres:hunter2@")  # the test cluster trusts loopback
    done = await asyncio.to_thread(quizbot, "migrate-to-postgres", "--from", str(source), "--to", with_password)
    assert done.returncode == 0, done.stderr
    assert "postgres:***@" in done.stdout and "hunter2" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["table", "sqlite", "postgres", "check"]
    rounds = next(line.split() for line in lines if line.startswith("rounds "))
    assert rounds[1] == rounds[2] and rounds[3] == "ok" and int(rounds[1]) > 0
    assert "every table matches" in done.stdout

    again = await asyncio.to_thread(quizbot, "migrate-to-postgres", "--from", str(source), "--to", with_password)
    assert again.returncode == 1 and "already holds QuizBot data" in again.stderr and "hunter2" not in again.stderr

    env = {"QUIZBOT_DATABASE_PATH": str(source), "QUIZBOT_DATABASE_URL": pg_database.replace("@", ":pw9@")}
    from_env = await asyncio.to_thread(quizbot, "migrate-to-postgres", env=env)
    assert from_env.returncode == 0, from_env.stderr
    assert "pw9" not in from_env.stdout + from_env.stderr
    assert (await pg_row_count(pg_database)) == await pg_row_count(pg_dsn)
