"""The one SQLite database in the data directory: opened, checked, migrated, kept safe.

Durability: the database runs in WAL mode with ``synchronous=NORMAL``. A commit appends
the transaction to the ``-wal`` file with ``write()`` before it returns, so the data is in
the operating system's hands: a killed process (SIGKILL, a crash) loses nothing that
was committed, and a transaction cut short is rolled back on the next open. Only a power
loss or an OS crash can lose the last few commits (never the file's integrity), which
is the trade SQLite documents for NORMAL in WAL mode; it saves an fsync per commit.

Threads: a sqlite3 connection belongs to one thread. :meth:`Database.connection` gives
each thread its own; writes that must not run on the event loop go to the one writer
thread through :meth:`Database.submit`, which runs them in the order they were sent.

A database that is damaged, or that a newer version of the app wrote, is moved aside
(with its ``-wal`` and ``-shm``), never emptied in place; a fresh one is created and a
message for the user is added to :attr:`Database.notices`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from launcher.core.errors import ConfigError
from launcher.store.paths import Paths

if TYPE_CHECKING:  # the writer thread is started on the first write, after the first paint
    import concurrent.futures

log = logging.getLogger("launcher.db")

T = TypeVar("T")

#: Milliseconds a connection waits for another one's lock before giving up.
BUSY_TIMEOUT_MS = 5000
_SUFFIXES = ("", "-wal", "-shm")
#: Result codes that mean the file itself is damaged (not busy, full or read-only).
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})


# ---------------------------------------------------------------- schema and migrations


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Execute the statements of *script* one by one, inside the caller's transaction.

    (``executescript`` would commit the open transaction first: a migration must be one
    transaction, so that a crash half-way leaves the previous version.)
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        conn.execute(statement)


def _v1_initial(conn: sqlite3.Connection) -> None:
    """Create accounts (no secrets), cached meetings, local meetings and join history."""
    run_script(
        conn,
        """
        CREATE TABLE accounts (
            name      TEXT PRIMARY KEY NOT NULL,
            provider  TEXT NOT NULL,
            base_url  TEXT NOT NULL,
            relay_url TEXT,
            web_url   TEXT,
            username  TEXT,
            position  INTEGER NOT NULL
        );
        -- When each account's cached meetings were fetched; no row: nothing cached.
        CREATE TABLE account_fetches (
            account    TEXT PRIMARY KEY NOT NULL
                       REFERENCES accounts(name) ON DELETE CASCADE ON UPDATE CASCADE,
            fetched_at TEXT NOT NULL
        );
        -- The last meetings fetched per account; never a passcode or a host link.
        CREATE TABLE meetings (
            account     TEXT NOT NULL
                        REFERENCES accounts(name) ON DELETE CASCADE ON UPDATE CASCADE,
            id          TEXT NOT NULL,
            provider    TEXT NOT NULL,
            title       TEXT NOT NULL,
            start       TEXT,
            "end"       TEXT,
            join_url    TEXT,
            viewer_url  TEXT,
            number      TEXT,
            participants TEXT,
            organizer   TEXT,
            role        TEXT,
            online_meeting_uri TEXT,
            conference_id TEXT,
            conference_numbers_url TEXT,
            description TEXT NOT NULL DEFAULT '',
            expires     TEXT
        );
        CREATE INDEX meetings_by_account ON meetings(account);
        CREATE INDEX meetings_by_start ON meetings(start);
        -- A link the user saved with a title and a time.
        CREATE TABLE local_meetings (
            id      INTEGER PRIMARY KEY AUTOINCREMENT,
            title   TEXT NOT NULL,
            start   TEXT NOT NULL,
            "end"   TEXT,
            url     TEXT NOT NULL,
            created TEXT NOT NULL
        );
        CREATE INDEX local_meetings_by_start ON local_meetings(start);
        -- Links joined, for "recent": the public (viewer) link only, never a passcode.
        CREATE TABLE join_history (
            id         INTEGER PRIMARY KEY AUTOINCREMENT,
            joined_at  TEXT NOT NULL,
            url        TEXT NOT NULL,
            title      TEXT,
            provider   TEXT,
            account    TEXT REFERENCES accounts(name) ON DELETE SET NULL ON UPDATE CASCADE,
            meeting_id TEXT
        );
        CREATE INDEX join_history_by_time ON join_history(joined_at);
        CREATE INDEX join_history_by_account ON join_history(account);
        """
    )


def _v2_calendars(conn: sqlite3.Connection) -> None:
    """Calendar fields of cached meetings; what an ICS subscription last sent, and its tags."""
    run_script(
        conn,
        """
        ALTER TABLE meetings ADD COLUMN uid TEXT;
        ALTER TABLE meetings ADD COLUMN location TEXT NOT NULL DEFAULT '';
        ALTER TABLE meetings ADD COLUMN all_day INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE meetings ADD COLUMN status TEXT;
        ALTER TABLE meetings ADD COLUMN attendance TEXT;
        ALTER TABLE meetings ADD COLUMN calendar TEXT;
        ALTER TABLE meetings ADD COLUMN conference_url TEXT;
        ALTER TABLE meetings ADD COLUMN sources TEXT;
        -- The last body an ICS subscription sent and its validators (ETag,
        -- Last-Modified) for conditional requests; a 304 re-reads the body kept here.
        CREATE TABLE calendar_fetch (
            account       TEXT PRIMARY KEY NOT NULL
                          REFERENCES accounts(name) ON DELETE CASCADE ON UPDATE CASCADE,
            url           TEXT NOT NULL,
            etag          TEXT,
            last_modified TEXT,
            fetched_at    TEXT NOT NULL,
            body          BLOB NOT NULL
        );
        """
    )


#: The schema's history, oldest first: migration *i* brings a file to version *i + 1*.
#: A change to the schema is one more function appended here (and a test that migrates
#: a file of the previous version); never edit one that has shipped.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1_initial, _v2_calendars]


def schema_version() -> int:
    """Return the schema version this code writes (``PRAGMA user_version``)."""
    return len(MIGRATIONS)


# ---------------------------------------------------------------- helpers


def is_corruption(exc: BaseException) -> bool:
    """Whether *exc* says the database file is damaged (as opposed to busy or full)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT_CODES
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def utc_text(value: dt.datetime) -> str:
    """Format an instant as stored: UTC ISO 8601 with microseconds (text order = time order)."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _stamp(now: dt.datetime | None = None) -> str:
    return (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")


def move_aside(path: Path, label: str) -> Path:
    """Rename *path* and its ``-wal``/``-shm`` to ``<name>.<label>-<stamp>``; return the new path.

    The WAL keeps the suffix after the new name, so opening the moved file (sqlite3
    command line, ``.recover``) still sees its last transactions.
    """
    base = f"{path.name}.{label}-{_stamp()}"
    target = path.with_name(base)
    n = 1
    while any(target.with_name(target.name + s).exists() for s in _SUFFIXES):
        target = path.with_name(f"{base}-{n}")
        n += 1
    for suffix in _SUFFIXES:
        source = path.with_name(path.name + suffix)
        with contextlib.suppress(FileNotFoundError):
            os.replace(source, target.with_name(target.name + suffix))
    return target


@dataclasses.dataclass(slots=True)
class _Salvage:
    """Rows read from a damaged database before it is moved aside."""

    tables: dict[str, list[tuple[Any, ...]]] = dataclasses.field(default_factory=dict)

    def count(self, table: str) -> int:
        return len(self.tables.get(table, ()))


#: What is worth reading back from a damaged file (cached meetings come back by syncing).
_SALVAGE = {
    "accounts": "SELECT name, provider, base_url, relay_url, web_url, username, position "
    "FROM accounts",
    "local_meetings": 'SELECT id, title, start, "end", url, created FROM local_meetings',
    "join_history": "SELECT id, joined_at, url, title, provider, account, meeting_id "
    "FROM join_history",
}


def _salvage(conn: sqlite3.Connection) -> _Salvage:
    found = _Salvage()
    for table, sql in _SALVAGE.items():
        try:
            found.tables[table] = conn.execute(sql).fetchall()
        except sqlite3.Error as exc:
            log.info("could not salvage %s from the damaged database: %s", table, exc)
    return found


def _restore(conn: sqlite3.Connection, found: _Salvage) -> None:
    for table, rows in found.tables.items():
        if not rows:
            continue
        marks = ",".join("?" * len(rows[0]))
        # One bad row (a damaged page can hold anything) must not cost the others.
        for row in rows:
            with contextlib.suppress(sqlite3.Error):
                conn.execute(f"INSERT OR IGNORE INTO {table} VALUES ({marks})", row)


# ---------------------------------------------------------------- the database


class Database:
    """The app's database: per-thread connections, one writer thread, user notices.

    Create it with :func:`open_database` (or :meth:`open`), which checks and migrates
    the file; close it once at the end (it waits for queued writes).
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        #: Messages for the user about the database (moved aside, not imported, ...).
        self.notices: list[str] = []
        self._local = threading.local()
        self._lock = threading.RLock()
        self._connections: list[sqlite3.Connection] = []
        self._generation = 0
        self._writer: concurrent.futures.ThreadPoolExecutor | None = None
        self._closed = False

    # ------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path) -> Database:
        """Open (creating, checking and migrating) the database file at *path*."""
        db = cls(path)
        try:
            db._prepare()
        except (sqlite3.Error, OSError) as exc:
            db.close()
            raise ConfigError(
                f"The database {path} could not be opened ({exc}). Check that the folder "
                f"{path.parent} can be written and that the disk has space."
            ) from exc
        return db

    @property
    def path(self) -> Path:
        """The database file."""
        return self._path

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path,
            timeout=BUSY_TIMEOUT_MS / 1000,
            isolation_level=None,  # transactions are explicit: see transaction()
            check_same_thread=False,  # one thread uses it; close() may run on another
        )
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            if threading.current_thread().name.startswith("launcher-db"):
                conn.execute("PRAGMA wal_autocheckpoint = 1000")
            else:
                # Checkpoints (with their fsync) happen on the writer thread or at close,
                # never in the middle of a small write on the event loop's thread.
                conn.execute("PRAGMA wal_autocheckpoint = 0")
        except BaseException:
            conn.close()
            raise
        return conn

    def _prepare(self) -> None:
        """Check the file, move it aside if it cannot be used, migrate it."""
        self._path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        found: _Salvage | None = None
        problem = ""
        label = ""
        existed = self._path.exists()
        if existed:
            conn: sqlite3.Connection | None = None
            try:
                conn = self.connection()  # kept for use when the file is fine
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                rows = conn.execute("PRAGMA quick_check").fetchall()
                if rows != [("ok",)]:
                    problem = "; ".join(str(r[0]) for r in rows[:3])
                    label = "corrupt"
                    found = _salvage(conn)
                elif version > schema_version():
                    label = f"newer-v{version}"
            except sqlite3.DatabaseError as exc:
                if not is_corruption(exc):  # busy, no permission, disk full: not damage
                    raise
                problem = str(exc)
                label = "corrupt"
                if conn is not None:
                    with contextlib.suppress(sqlite3.Error):
                        found = _salvage(conn)
            if label:
                self._close_connections()
                self._replace(label, problem, found)
        self._migrate()
        if not existed:
            with contextlib.suppress(OSError):
                os.chmod(self._path, 0o600)

    def _replace(self, label: str, problem: str, found: _Salvage | None) -> None:
        """Move the unusable file aside, start a fresh one, restore what was salvaged."""
        moved = move_aside(self._path, label)
        log.warning("database %s moved aside to %s (%s)", self._path, moved, problem or label)
        if found is not None and found.tables:
            self._migrate()
            with self.transaction() as conn:
                _restore(conn, found)
        if label == "corrupt":
            accounts = found.count("accounts") if found else 0
            kept = (
                f"{accounts} account(s), your saved links and join history were recovered "
                "from it; cached meetings come back with the next refresh."
                if accounts
                else "Add your accounts again (New ▸ Add account…, or `meeting-launcher "
                "accounts add`); their saved passwords and tokens are still in the keyring."
            )
            self.notices.append(
                f"The database {self._path} was damaged ({problem or 'unreadable'}) and "
                f"could not be used. It was moved to {moved} and a new one was created. "
                f"{kept} The damaged copy can be inspected with the sqlite3 tool's "
                "`.recover` command."
            )
        else:
            self.notices.append(
                f"The database {self._path} was written by a newer version of Meeting "
                f"Launcher (schema {label.removeprefix('newer-v')}; this version knows "
                f"{schema_version()}). It was moved to {moved} and a new, empty one was "
                "created: add your accounts again here, or install the newer version and "
                f"move {moved.name} back to {self._path.name}."
            )

    def _migrate(self) -> None:
        """Bring the file to :func:`schema_version`, one transaction per step."""
        conn = self.connection()
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("the database %s could not use WAL (journal mode %s)", self._path, mode)
        target = schema_version()
        while True:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current >= target:
                return
            conn.execute("BEGIN IMMEDIATE")  # another process may be migrating too
            try:
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                if current < target:
                    MIGRATIONS[current](conn)
                    conn.execute(f"PRAGMA user_version = {current + 1}")
                    log.info("database %s migrated to version %d", self._path, current + 1)
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise

    # ------------------------------------------------------------ connections

    def connection(self) -> sqlite3.Connection:
        """Return the calling thread's connection (made on first use)."""
        local = self._local
        conn: sqlite3.Connection | None = getattr(local, "conn", None)
        if conn is not None and local.generation == self._generation:
            return conn
        with self._lock:  # not while recover() swaps the file
            if self._closed:
                raise ConfigError("The database is already closed; restart Meeting Launcher.")
            if conn is not None:  # the file was replaced since: let go of the old one
                self._forget(conn)
            conn = self._connect()
            self._connections.append(conn)
            local.conn = conn
            local.generation = self._generation
        return conn

    def _close_connections(self) -> None:
        """Close every thread's connection; each makes a new one on its next use."""
        with self._lock:
            self._generation += 1
            connections, self._connections = self._connections, []
            for conn in connections:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._local.conn = None

    def _forget(self, conn: sqlite3.Connection) -> None:
        with self._lock:
            if conn in self._connections:
                self._connections.remove(conn)
        with contextlib.suppress(sqlite3.Error):
            conn.close()
        self._local.conn = None

    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[sqlite3.Connection]:
        """Run a transaction on this thread's connection: committed, or rolled back on error.

        Writes take the write lock at once (``BEGIN IMMEDIATE``), so they never fail
        half-way for a lock; reads see one consistent snapshot.
        """
        conn = self.connection()
        conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield conn
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def run(self, work: Callable[[sqlite3.Connection], T], *, write: bool = True) -> T:
        """Run *work* in a transaction; a damaged file is moved aside and *work* retried.

        Other database failures (disk full, read-only, locked for too long) become a
        ConfigError with the file's name.
        """
        for attempt in (1, 2):
            try:
                with self.transaction(write=write) as conn:
                    return work(conn)
            except sqlite3.DatabaseError as exc:
                if attempt == 1 and is_corruption(exc):
                    self.recover(exc)
                    continue
                raise ConfigError(
                    f"The database {self._path} could not be "
                    f"{'written' if write else 'read'} ({exc}). Check that the disk has "
                    "space and the file can be written, then try again."
                ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def recover(self, exc: BaseException) -> None:
        """Handle a file found damaged while in use: move it aside and start afresh.

        Every connection to the damaged file is closed first, each thread's included
        (an operation running on another thread at that moment fails and is reported):
        a connection closed after the rename would delete the new file's WAL by name.
        """
        with self._lock:
            log.warning("the database %s is damaged: %s", self._path, exc)
            found: _Salvage | None = None
            conn = getattr(self._local, "conn", None)
            if conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                with contextlib.suppress(sqlite3.Error):
                    found = _salvage(conn)
            self._close_connections()
            self._replace("corrupt", str(exc), found)
            self._migrate()

    # ------------------------------------------------------------ the writer thread

    def submit(self, work: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run ``work(*args)`` on the writer thread, after every write sent before it."""
        with self._lock:
            if self._closed:
                raise ConfigError("The database is already closed; restart Meeting Launcher.")
            if self._writer is None:
                import concurrent.futures

                self._writer = concurrent.futures.ThreadPoolExecutor(
                    max_workers=1, thread_name_prefix="launcher-db"
                )
            return self._writer.submit(work, *args)

    # ------------------------------------------------------------ closing

    def close(self) -> None:
        """Wait for queued writes, then close every connection (the last one checkpoints)."""
        with self._lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        for conn in connections:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        self._local = threading.local()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_database(paths: Paths) -> Database:
    """Open the profile's database and take over the files of versions before it."""
    db = Database.open(paths.database)
    legacy = (paths.accounts_file, paths.legacy_cache_file)
    if any(p.exists() for p in legacy):
        from launcher.store.legacy import import_json

        try:
            import_json(db, paths)
        except BaseException:
            db.close()
            raise
    return db
