"""What each ICS subscription last sent: the body and its validators (ETag, Last-Modified).

A conditional request (``If-None-Match`` / ``If-Modified-Since``) answered 304 re-reads
the body kept here, so recurring events are expanded for the current window without
downloading the calendar again. No secret is kept: ICS URLs with a secret token in
them are the user's choice, and they already live in the accounts table.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3

from launcher.core.fetch import CalendarFetch
from launcher.store.db import Database, utc_text

log = logging.getLogger("launcher.calendar_fetch")


__all__ = ["CalendarFetch", "CalendarFetchStore"]


class CalendarFetchStore:
    """Read and replace the last fetch of each ICS account (table ``calendar_fetch``)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, account: str) -> CalendarFetch | None:
        """Return the last fetch of *account*, if any."""
        row = self._db.run(
            lambda conn: conn.execute(
                "SELECT url, body, fetched_at, etag, last_modified FROM calendar_fetch "
                "WHERE account = ?",
                (account,),
            ).fetchone(),
            write=False,
        )
        if row is None:
            return None
        url, body, fetched_at, etag, last_modified = row
        try:
            when = dt.datetime.fromisoformat(fetched_at)
        except (TypeError, ValueError):
            log.warning("the saved fetch of %r is unreadable; fetching it again", account)
            return None
        return CalendarFetch(str(url), bytes(body), when, etag, last_modified)

    def put(self, account: str, fetch: CalendarFetch) -> bool:
        """Keep *fetch* as the last one of *account*; False if the account is gone."""
        def work(conn: sqlite3.Connection) -> bool:
            if conn.execute("SELECT 1 FROM accounts WHERE name = ?", (account,)).fetchone() is None:
                return False
            conn.execute(
                "INSERT INTO calendar_fetch (account, url, etag, last_modified, fetched_at, body) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account) DO UPDATE SET "
                "url = excluded.url, etag = excluded.etag, "
                "last_modified = excluded.last_modified, fetched_at = excluded.fetched_at, "
                "body = excluded.body",
                (account, fetch.url, fetch.etag, fetch.last_modified,
                 utc_text(fetch.fetched_at), fetch.body),
            )
            return True

        return self._db.run(work)

    def touch(self, account: str, when: dt.datetime) -> None:
        """Record that *account* was asked at *when* and had not changed (a 304)."""
        self._db.run(
            lambda conn: conn.execute(
                "UPDATE calendar_fetch SET fetched_at = ? WHERE account = ?",
                (utc_text(when), account),
            )
        )
