from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from launcher.core.errors import ConfigError
from launcher.core.models import Account, Meeting, Provider
from launcher.store import db as db_module
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache
from launcher.store.db import Database, is_corruption, move_aside, open_database, schema_version
from launcher.store.history import JoinHistory, LocalMeetings
from launcher.store.paths import Paths

NOW = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return Paths.under(tmp_path).ensure()


def fill(db: Database, meetings: int = 2000) -> None:
    """Two accounts, cached meetings, a saved link and a join."""
    accounts = AccountStore(db)
    accounts.add(Account("Work", Provider.WHEREBY, "https://api.whereby.dev/v1"))
    accounts.add(Account("Home", Provider.JOINME, "https://api.join.me/v1"))
    MeetingCache(db).save_account_meetings(
        "Work", NOW, [Meeting(str(i), "Work", Provider.WHEREBY, f"Meeting {i}",
                              NOW + dt.timedelta(hours=i), None) for i in range(meetings)]
    )
    LocalMeetings(db).add("Stand-up", "https://example.com/standup", NOW)
    JoinHistory(db).record("https://whereby.com/room", provider=Provider.WHEREBY, account="Work")


def files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def aside(directory: Path, label: str) -> Path:
    found = [p for p in directory.iterdir()
             if p.name.startswith(f"meeting-launcher.sqlite3.{label}-")
             and not p.name.endswith(("-wal", "-shm"))]
    assert len(found) == 1, files(directory)
    return found[0]


def test_a_new_database_is_configured_and_private(paths: Paths) -> None:
    with open_database(paths) as db:
        conn = db.connection()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == db_module.BUSY_TIMEOUT_MS
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version() == 2
        assert db.notices == []
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
        assert {"accounts", "account_fetches", "meetings", "local_meetings",
                "join_history"} <= tables
    assert paths.database == paths.data / "meeting-launcher.sqlite3"
    assert stat.S_IMODE(paths.database.stat().st_mode) == 0o600
    assert files(paths.data) == ["meeting-launcher.sqlite3"]  # the WAL is folded in at close


def test_the_window_query_uses_the_start_index(paths: Paths) -> None:
    with open_database(paths) as db:
        plan = db.connection().execute(
            "EXPLAIN QUERY PLAN SELECT * FROM meetings "
            "WHERE start IS NULL OR (start >= ? AND start < ?)", ("a", "b")
        ).fetchall()
    assert any("meetings_by_start" in str(row) for row in plan), plan


def test_a_file_is_migrated_to_a_newer_schema(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_database(paths) as db:
        fill(db, meetings=10)

    def v_next(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE local_meetings ADD COLUMN notes TEXT NOT NULL DEFAULT ''")
        conn.execute("UPDATE local_meetings SET notes = 'migrated'")

    monkeypatch.setattr(db_module, "MIGRATIONS", [*db_module.MIGRATIONS, v_next])
    with open_database(paths) as db:
        conn = db.connection()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 3
        assert conn.execute("SELECT title, notes FROM local_meetings").fetchall() == [
            ("Stand-up", "migrated")
        ]
        assert [a.name for a in AccountStore(db).load()] == ["Work", "Home"]
        assert len(MeetingCache(db).load()["Work"].meetings) == 10
        assert db.notices == []


def test_a_failing_migration_leaves_the_previous_version(
    paths: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_database(paths) as db:
        fill(db, meetings=3)

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(db_module, "MIGRATIONS", [*db_module.MIGRATIONS, broken])
    with pytest.raises(ConfigError, match="could not be opened"):
        open_database(paths)
    monkeypatch.undo()
    with open_database(paths) as db:
        conn = db.connection()
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        assert conn.execute("SELECT name FROM sqlite_schema WHERE name = 'half'").fetchall() == []
        assert len(AccountStore(db).load()) == 2


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda raw: raw[: len(raw) // 2], id="truncated"),
        pytest.param(lambda raw: raw[:100], id="truncated-header"),
        pytest.param(lambda raw: b"this is not a database at all\n" * 300, id="garbage"),
        pytest.param(lambda raw: raw[:8192] + os.urandom(len(raw) - 8192), id="garbage-pages"),
    ],
)
def test_a_damaged_database_is_moved_aside_with_a_message(paths: Paths, damage: object) -> None:
    with open_database(paths) as db:
        fill(db)
    damaged = damage(paths.database.read_bytes())  # type: ignore[operator]
    paths.database.write_bytes(damaged)
    with open_database(paths) as db:
        assert len(db.notices) == 1
        notice = db.notices[0]
        moved = aside(paths.data, "corrupt")
        assert moved.read_bytes() == damaged  # kept as it was, never emptied
        assert str(moved) in notice and "damaged" in notice
        assert "account" in notice  # says what became of them, or what to do
        conn = db.connection()
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert MeetingCache(db).load() == {}
        # The new file works.
        AccountStore(db).add(Account("New", Provider.WHEREBY, "https://api.whereby.dev/v1"))
    with open_database(paths) as db:
        assert db.notices == []
        assert "New" in [a.name for a in AccountStore(db).load()]


def test_accounts_links_and_history_are_salvaged_from_a_damaged_file(paths: Paths) -> None:
    with open_database(paths) as db:
        fill(db)
        page = db.connection().execute("PRAGMA page_size").fetchone()[0]
        roots = dict(db.connection().execute(
            "SELECT name, rootpage FROM sqlite_schema WHERE type = 'table'"
        ).fetchall())
        pages = db.connection().execute("PRAGMA page_count").fetchone()[0]
    kept = {roots["accounts"], roots["local_meetings"], roots["join_history"], 1}
    raw = bytearray(paths.database.read_bytes())
    for number in range(2, pages + 1):  # smash every other page (the meetings)
        if number not in kept:
            raw[(number - 1) * page : number * page] = os.urandom(page)
    paths.database.write_bytes(bytes(raw))
    with open_database(paths) as db:
        assert len(db.notices) == 1 and "2 account(s)" in db.notices[0]
        assert [a.name for a in AccountStore(db).load()] == ["Work", "Home"]
        assert [m.title for m in LocalMeetings(db).list()] == ["Stand-up"]
        assert [r.account for r in JoinHistory(db).recent()] == ["Work"]
        assert MeetingCache(db).load() == {}
        aside(paths.data, "corrupt")


def test_a_database_of_a_newer_version_is_moved_aside(paths: Paths) -> None:
    with open_database(paths) as db:
        fill(db, meetings=5)
        db.connection().execute("PRAGMA user_version = 9")
    original = paths.database.read_bytes()
    with open_database(paths) as db:
        moved = aside(paths.data, "newer-v9")
        assert moved.read_bytes() == original
        [notice] = db.notices
        assert "newer version" in notice and str(moved) in notice
        assert AccountStore(db).load() == []
        assert db.connection().execute("PRAGMA user_version").fetchone()[0] == schema_version()
    with sqlite3.connect(moved) as old:  # the newer file is whole, with its data
        assert old.execute("SELECT COUNT(*) FROM accounts").fetchone()[0] == 2
        assert old.execute("PRAGMA user_version").fetchone()[0] == 9
    old.close()


def test_garbage_in_the_wal_does_not_lose_committed_data(paths: Paths) -> None:
    with open_database(paths) as db:
        fill(db)
    for suffix, size in (("-wal", 100_000), ("-shm", 32_768)):
        paths.data.joinpath(paths.database.name + suffix).write_bytes(os.urandom(size))
    with open_database(paths) as db:
        assert db.notices == []
        assert db.connection().execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert [a.name for a in AccountStore(db).load()] == ["Work", "Home"]
        assert len(MeetingCache(db).load()["Work"].meetings) == 2000


def test_a_wal_with_committed_transactions_is_replayed(paths: Paths) -> None:
    """What a kill leaves: a WAL never checkpointed. Copied mid-flight, it must replay."""
    db = open_database(paths)
    fill(db, meetings=50)
    snapshot = {s: paths.data.joinpath(paths.database.name + s).read_bytes()
                for s in ("", "-wal")}
    db.close()
    for suffix, data in snapshot.items():
        paths.data.joinpath(paths.database.name + suffix).write_bytes(data)
    assert len(snapshot["-wal"]) > 0
    with open_database(paths) as again:
        assert again.notices == []
        assert len(MeetingCache(again).load()["Work"].meetings) == 50


def test_damage_found_while_in_use_moves_the_file_aside(paths: Paths) -> None:
    with open_database(paths) as db:
        fill(db)
    with open_database(paths) as db:
        assert db.notices == []
        accounts = AccountStore(db)
        page = db.connection().execute("PRAGMA page_size").fetchone()[0]
        with open(paths.database, "r+b") as handle:  # damage under the running app
            handle.seek(page * 4)
            handle.write(os.urandom(page * 30))
        db.connection().execute("PRAGMA shrink_memory")  # forget the pages read before
        assert MeetingCache(db).load() == {}  # read again from a fresh file
        assert len(db.notices) == 1 and "damaged" in db.notices[0]
        aside(paths.data, "corrupt")
        assert [a.name for a in accounts.load()] == ["Work", "Home"]  # salvaged
        MeetingCache(db).save_account_meetings("Work", NOW, [])
        assert MeetingCache(db).load()["Work"].meetings == ()


def test_other_errors_become_a_config_error_naming_the_file(paths: Paths) -> None:
    with open_database(paths) as db:

        def fail(conn: sqlite3.Connection) -> None:
            raise sqlite3.OperationalError("database or disk is full")

        with pytest.raises(ConfigError, match="disk has space") as info:
            db.run(fail)
        assert str(paths.database) in str(info.value)
    directory = paths.data / "a-folder.sqlite3"
    directory.mkdir()
    with pytest.raises(ConfigError, match="could not be opened"):
        Database.open(directory)


def test_is_corruption() -> None:
    assert not is_corruption(ValueError("malformed"))
    assert not is_corruption(sqlite3.OperationalError("database is locked"))
    assert is_corruption(sqlite3.DatabaseError("database disk image is malformed"))


def test_move_aside_keeps_the_wal_with_the_file_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "x.sqlite3"
    for n in (1, 2):
        path.write_bytes(b"db%d" % n)
        path.with_name("x.sqlite3-wal").write_bytes(b"wal%d" % n)
        moved = move_aside(path, "corrupt")
        assert moved.read_bytes() == b"db%d" % n
        assert moved.with_name(moved.name + "-wal").read_bytes() == b"wal%d" % n
    assert not path.exists()
    assert len(list(tmp_path.iterdir())) == 4


def test_writes_run_in_order_on_one_writer_thread(paths: Paths) -> None:
    with open_database(paths) as db:
        fill(db, meetings=0)
        cache = MeetingCache(db)
        seen: list[str] = []

        def note(value: str) -> None:
            seen.append(threading.current_thread().name)

        futures = [cache.submit({"Work": (NOW + dt.timedelta(minutes=i), [])})
                   for i in range(20)]
        db.submit(note, "x").result(timeout=10)
        for future in futures:
            assert future.done()
        assert cache.load()["Work"].fetched_at == NOW + dt.timedelta(minutes=19)
        assert seen[0].startswith("launcher-db")
    with pytest.raises(ConfigError, match="closed"):
        db.connection()
    with pytest.raises(ConfigError, match="closed"):
        db.submit(note, "y")


def test_each_thread_gets_its_own_connection(paths: Paths) -> None:
    with open_database(paths) as db:
        fill(db, meetings=1)
        names: list[list[str]] = []
        thread = threading.Thread(
            target=lambda: names.append([a.name for a in AccountStore(db).load()])
        )
        thread.start()
        thread.join()
        assert names == [["Work", "Home"]]
        main = db.connection()
        assert main is db.connection()
        other: list[sqlite3.Connection] = []
        thread = threading.Thread(target=lambda: other.append(db.connection()))
        thread.start()
        thread.join()
        assert other[0] is not main
    with pytest.raises(sqlite3.ProgrammingError):  # closed with the database
        other[0].execute("SELECT 1")


def test_concurrent_opens_migrate_once(paths: Paths) -> None:
    errors: list[BaseException] = []
    opened: list[Database] = []

    def go() -> None:
        try:
            opened.append(open_database(paths))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in opened:
        db.close()
    assert errors == []
    assert len(opened) == 4
    with open_database(paths) as db:
        assert db.connection().execute("PRAGMA user_version").fetchone()[0] == schema_version()

