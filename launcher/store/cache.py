"""The last meetings fetched per account, so the window paints at once and works offline.

Kept in the database (tables ``meetings`` and ``account_fetches``) without secrets: no
passcode and no host (presenter) link is ever written. Each account's meetings are
replaced in one transaction, so a reader (or the next start after a kill) sees either
the previous complete list or the new one, never a mix.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from launcher.core.models import AudioConference, Meeting, Provider, Role
from launcher.store.db import Database, utc_text

if TYPE_CHECKING:
    import concurrent.futures

log = logging.getLogger("launcher.cache")

#: One meeting as stored, without its account: the columns of ``_COLUMNS`` in order.
MeetingRow = tuple[Any, ...]

_COLUMNS = (
    "id", "provider", "title", "start", '"end"', "join_url", "viewer_url", "number",
    "participants", "organizer", "role", "online_meeting_uri", "conference_id",
    "conference_numbers_url", "description", "expires",
    # Calendar fields (schema v2).
    "uid", "location", "all_day", "status", "attendance", "calendar", "conference_url",
    "sources",
)
_SELECT = f"SELECT account, {', '.join(_COLUMNS)} FROM meetings"
_INSERT = (
    f"INSERT INTO meetings (account, {', '.join(_COLUMNS)}) "
    f"VALUES (?{', ?' * len(_COLUMNS)})"
)


@dataclasses.dataclass(frozen=True, slots=True)
class CachedAccount:
    """One account's meetings as last fetched, and when."""

    meetings: tuple[Meeting, ...]
    fetched_at: dt.datetime


class MeetingCache:
    """Read and replace the cached meetings of each account."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def database(self) -> Database:
        """The database the cache lives in."""
        return self._db

    def load(
        self, *, window: tuple[dt.datetime, dt.datetime] | None = None
    ) -> dict[str, CachedAccount]:
        """Return every account that has cached meetings (one consistent snapshot).

        With *window*, only meetings starting in it (and timeless ones) are built: the
        window's first paint needs the next few days, not every cached meeting, and an
        index on the start finds them. The meetings come in storage order; callers sort.
        """
        def read(conn: sqlite3.Connection) -> tuple[list[Any], list[Any]]:
            fetched = conn.execute("SELECT account, fetched_at FROM account_fetches").fetchall()
            if window is None:
                rows = conn.execute(f"{_SELECT} ORDER BY rowid").fetchall()
            else:
                lo, hi = (utc_text(w) for w in window)
                rows = conn.execute(
                    f"{_SELECT} WHERE start IS NULL OR (start >= ? AND start < ?)", (lo, hi)
                ).fetchall()
            return fetched, rows

        fetched, rows = self._db.run(read, write=False)
        out: dict[str, list[Meeting]] = {}
        when: dict[str, dt.datetime] = {}
        for name, text in fetched:
            try:
                when[name] = dt.datetime.fromisoformat(text)
            except (TypeError, ValueError):
                log.warning("cached fetch time of %r is unreadable; ignored", name)
                continue
            out[name] = []
        skipped = 0
        for row in rows:
            meetings = out.get(row[0])
            if meetings is None:
                continue
            try:
                meetings.append(_decode(row))
            except (TypeError, ValueError):
                skipped += 1
        if skipped:
            log.warning("%d cached meeting(s) could not be read and were left out", skipped)
        return {name: CachedAccount(tuple(ms), when[name]) for name, ms in out.items()}

    def save(self, accounts: Mapping[str, CachedAccount]) -> None:
        """Replace the cached meetings of each account in *accounts* (one transaction)."""
        self.write({n: (e.fetched_at, encode_meetings(e.meetings)) for n, e in accounts.items()})

    def save_account_meetings(
        self, name: str, fetched_at: dt.datetime, meetings: Sequence[Meeting]
    ) -> None:
        """Replace one account's cached meetings (one transaction)."""
        self.write({name: (fetched_at, encode_meetings(meetings))})

    def write(
        self, parts: Mapping[str, tuple[dt.datetime, Sequence[MeetingRow] | None]]
    ) -> None:
        """Replace each account's meetings with already encoded rows, in one transaction.

        Rows None: the account's meetings are unchanged, only its fetch time is new.
        Runs on the calling thread; an account that no longer exists is skipped.
        """
        def work(conn: sqlite3.Connection) -> None:
            for name, (fetched_at, rows) in parts.items():
                if not write_account(conn, name, fetched_at, rows):
                    log.info("not caching meetings of %r: the account was removed", name)

        self._db.run(work)

    def submit(
        self, parts: Mapping[str, tuple[dt.datetime, Sequence[MeetingRow] | None]]
    ) -> concurrent.futures.Future[None]:
        """:meth:`write` on the database's writer thread (after earlier writes)."""
        return self._db.submit(self.write, parts)


def write_account(
    conn: sqlite3.Connection,
    name: str,
    fetched_at: dt.datetime,
    rows: Sequence[MeetingRow] | None,
) -> bool:
    """Replace the meetings of account *name* inside the caller's transaction.

    *rows* None keeps the stored meetings and sets only the fetch time (an account that
    answered with the meetings already stored). Returns False (and writes nothing) when
    no such account exists.
    """
    if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone() is None:
        return False
    if rows is not None:
        conn.execute("DELETE FROM meetings WHERE account = ?", (name,))
        conn.executemany(_INSERT, [(name, *row) for row in rows])
    conn.execute(
        "INSERT INTO account_fetches (account, fetched_at) VALUES (?, ?) "
        "ON CONFLICT (account) DO UPDATE SET fetched_at = excluded.fetched_at",
        (name, utc_text(fetched_at)),
    )
    return True


def encode_meetings(meetings: Sequence[Meeting]) -> list[MeetingRow]:
    """Rows for the ``meetings`` table, without passcodes or host links.

    Plain CPU work: callers on an event loop encode a few hundred at a time, so no
    single step is long enough to be felt in the window.
    """
    return [_encode(m) for m in meetings]


def _text(value: dt.datetime | None) -> str | None:
    return utc_text(value) if value is not None else None


def _encode(m: Meeting) -> MeetingRow:
    # Deliberately absent: m.passcode, m.host_url and the conference's organizer code.
    conf = m.conference
    return (
        m.id, m.provider.value, m.title, _text(m.start), _text(m.end), m.join_url,
        m.viewer_url, m.number,
        json.dumps(list(m.participants)) if m.participants else None,
        m.organizer, m.role.value if m.role else None, m.online_meeting_uri,
        conf.conference_id if conf else None, conf.numbers_url if conf else None,
        m.description, _text(m.expires),
        m.uid, m.location, int(m.all_day), m.status, m.attendance, m.calendar,
        m.conference_url, json.dumps(list(m.sources)) if m.sources else None,
    )


def _when(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _decode(row: Sequence[Any]) -> Meeting:
    (account, mid, provider, title, start, end, join_url, viewer_url, number, participants,
     organizer, role, uri, conf_id, conf_url, description, expires,
     uid, location, all_day, status, attendance, calendar, conference_url, sources) = row
    people = json.loads(participants) if participants else ()
    if not isinstance(people, list | tuple):
        raise TypeError("participants is not a list")
    merged = json.loads(sources) if sources else ()
    if not isinstance(merged, list | tuple):
        raise TypeError("sources is not a list")
    return Meeting(
        id=str(mid), account=str(account), provider=Provider(provider), title=str(title),
        start=_when(start), end=_when(end), join_url=join_url, viewer_url=viewer_url,
        number=number, participants=tuple(str(p) for p in people), organizer=organizer,
        role=Role(role) if role else None, online_meeting_uri=uri,
        conference=(
            AudioConference(conf_id, conf_url) if conf_id is not None or conf_url is not None
            else None
        ),
        description=description or "", expires=_when(expires),
        uid=uid, location=location or "", all_day=bool(all_day), status=status,
        attendance=attendance, calendar=calendar, conference_url=conference_url,
        sources=tuple(str(s) for s in merged),
    )
