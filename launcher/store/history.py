"""Links the user saved with a title and a time, and the links they joined ("recent").

Both live in the database. Join history keeps the public (viewer) link only: whatever
the caller passes, the query, the fragment and a BlueJeans passcode in the path are cut
off before it is written, so no passcode, host key or one-time token reaches the file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sqlite3
import urllib.parse
from collections.abc import Callable
from typing import Any

from launcher.core.errors import ConfigError, InvalidInput
from launcher.core.links import check_openable
from launcher.core.models import Provider
from launcher.core.validate import require_text
from launcher.store.db import Database, utc_text

#: How many joins are kept; older ones are forgotten as new ones are recorded.
HISTORY_LIMIT = 500
_TITLE_MAX = 200
#: ``.../<meeting id>/<passcode>`` or ``.../<id>.<passcode>`` (under any web base path).
_BJN_PASSCODE_PATH = re.compile(
    r"^(?P<base>.*/)(?P<id>\d{6,13})[./][A-Za-z0-9]{1,32}(?P<tail>/webrtc)?/?$"
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(field: str, value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, "needs a time zone")
    return value.astimezone(dt.UTC)


def _when(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


# ---------------------------------------------------------------- local meetings


@dataclasses.dataclass(frozen=True, slots=True)
class LocalMeeting:
    """A link the user saved with a title and a time (no provider account needed)."""

    id: int
    title: str
    url: str
    start: dt.datetime
    end: dt.datetime | None
    created: dt.datetime


class LocalMeetings:
    """Add, list and remove the user's saved meeting links."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime] = _now) -> None:
        self._db = db
        self._clock = clock

    def add(
        self, title: str, url: str, start: dt.datetime, end: dt.datetime | None = None
    ) -> LocalMeeting:
        """Save a link; InvalidInput names the field that is wrong.

        The link must be one the app may open (http(s) without a user name or password,
        or a known meeting app's scheme).
        """
        title = require_text("title", title, max_len=_TITLE_MAX)
        url = check_openable(require_text("url", url, max_len=4096))
        start = _aware("start", start)
        if end is not None:
            end = _aware("end", end)
            if end <= start:
                raise InvalidInput("end", "must be after the start")
        created = self._clock().astimezone(dt.UTC)

        def work(conn: sqlite3.Connection) -> int:
            cur = conn.execute(
                'INSERT INTO local_meetings (title, start, "end", url, created) '
                "VALUES (?, ?, ?, ?, ?)",
                (title, utc_text(start), utc_text(end) if end else None, url, utc_text(created)),
            )
            assert cur.lastrowid is not None
            return cur.lastrowid

        new_id = self._db.run(work)
        return LocalMeeting(new_id, title, url, start, end, created)

    def list(
        self, *, window: tuple[dt.datetime, dt.datetime] | None = None
    ) -> tuple[LocalMeeting, ...]:
        """Return the saved links by start time; with *window*, only those starting in it."""
        sql = 'SELECT id, title, url, start, "end", created FROM local_meetings'
        params: tuple[str, ...] = ()
        if window is not None:
            sql += " WHERE start >= ? AND start < ?"
            params = (utc_text(window[0]), utc_text(window[1]))
        sql += " ORDER BY start, id"
        rows = self._db.run(lambda conn: conn.execute(sql, params).fetchall(), write=False)
        return tuple(_local(row) for row in rows)

    def remove(self, meeting_id: int) -> LocalMeeting:
        """Forget the saved link *meeting_id* and return it (ConfigError if unknown)."""
        def work(conn: sqlite3.Connection) -> tuple[Any, ...]:
            row = conn.execute(
                'SELECT id, title, url, start, "end", created FROM local_meetings WHERE id = ?',
                (meeting_id,),
            ).fetchone()
            if row is None:
                raise ConfigError(f"No saved meeting link has the id {meeting_id}.")
            conn.execute("DELETE FROM local_meetings WHERE id = ?", (meeting_id,))
            return tuple(row)

        return _local(self._db.run(work))


def _local(row: tuple[Any, ...]) -> LocalMeeting:
    mid, title, url, start, end, created = row
    begin = _when(start)
    made = _when(created)
    assert begin is not None
    assert made is not None
    return LocalMeeting(int(mid), str(title), str(url), begin, _when(end), made)


# ---------------------------------------------------------------- join history


@dataclasses.dataclass(frozen=True, slots=True)
class JoinRecord:
    """One join: when, the public link, and what it was, as far as known."""

    joined_at: dt.datetime
    url: str
    title: str | None = None
    provider: Provider | None = None
    account: str | None = None
    meeting_id: str | None = None


def public_link(url: str, provider: Provider | None = None) -> str:
    """Return the part of *url* safe to keep: no query, fragment or BlueJeans passcode.

    Raises InvalidInput("url", ...) for a link the app would not open. Host and
    presenter links carry their key in the query (Whereby ``roomKey``, join.me tokens),
    passcodes in the query (``pwd=``) or, for BlueJeans, in the path: all are dropped.
    """
    text = check_openable(url)
    parts = urllib.parse.urlsplit(text)
    path = parts.path
    host = (parts.hostname or "").lower()
    if provider is Provider.BLUEJEANS or host == "bluejeans.com" or host.endswith(
        ".bluejeans.com"
    ):
        m = _BJN_PASSCODE_PATH.match(path)
        if m:
            path = f"{m['base']}{m['id']}{m['tail'] or ''}"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urllib.parse.urlunsplit((parts.scheme, netloc, path, "", ""))


class JoinHistory:
    """Record joins and list the recent ones."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime] = _now) -> None:
        self._db = db
        self._clock = clock

    def record(
        self,
        url: str,
        *,
        title: str | None = None,
        provider: Provider | None = None,
        account: str | None = None,
        meeting_id: str | None = None,
        when: dt.datetime | None = None,
    ) -> JoinRecord:
        """Remember that *url* was joined; only its public part is kept (see public_link).

        Pass the viewer link, never a presenter or host link. An *account* that does
        not exist (any more) is recorded as none.
        """
        link = public_link(url, provider)
        joined_at = _aware("when", when) if when is not None else self._clock()
        title = title.strip()[:_TITLE_MAX] if title and title.strip() else None

        def work(conn: sqlite3.Connection) -> str | None:
            known = account is not None and conn.execute(
                "SELECT 1 FROM accounts WHERE name = ?", (account,)
            ).fetchone() is not None
            conn.execute(
                "INSERT INTO join_history (joined_at, url, title, provider, account, "
                "meeting_id) VALUES (?, ?, ?, ?, ?, ?)",
                (utc_text(joined_at), link, title, provider.value if provider else None,
                 account if known else None, meeting_id),
            )
            conn.execute(
                "DELETE FROM join_history WHERE id NOT IN "
                "(SELECT id FROM join_history ORDER BY joined_at DESC, id DESC LIMIT ?)",
                (HISTORY_LIMIT,),
            )
            return account if known else None

        kept_account = self._db.run(work)
        return JoinRecord(joined_at.astimezone(dt.UTC), link, title, provider, kept_account,
                          meeting_id)

    def recent(self, limit: int = 10) -> tuple[JoinRecord, ...]:
        """Return the last *limit* links joined, newest first, each link once."""
        if limit <= 0:
            return ()
        rows = self._db.run(
            lambda conn: conn.execute(
                "SELECT joined_at, url, title, provider, account, meeting_id FROM ("
                "SELECT *, ROW_NUMBER() OVER (PARTITION BY url ORDER BY joined_at DESC, "
                "id DESC) AS nth FROM join_history) WHERE nth = 1 "
                "ORDER BY joined_at DESC, id DESC LIMIT ?",
                (limit,),
            ).fetchall(),
            write=False,
        )
        out = []
        for joined_at, url, title, provider, account, meeting_id in rows:
            when = _when(joined_at)
            assert when is not None
            out.append(JoinRecord(when, url, title, Provider(provider) if provider else None,
                                  account, meeting_id))
        return tuple(out)

    def clear(self) -> None:
        """Forget every join."""
        self._db.run(lambda conn: conn.execute("DELETE FROM join_history"))
