"""One-time import of the JSON files of versions before the database.

``config/accounts.json`` and ``cache/meetings.json`` are read, written to the database in
one transaction, and renamed to ``*.imported`` only after that transaction committed.
A crash before the commit leaves the files to be imported on the next start; a crash
between the commit and the rename imports them again, which changes nothing: accounts
already in the database win, and cached meetings are taken only when newer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from launcher.core.models import Account, AudioConference, Meeting, Provider, Role
from launcher.store.cache import CachedAccount, encode_meetings, write_account
from launcher.store.db import Database, utc_text
from launcher.store.paths import Paths

log = logging.getLogger("launcher.db")


def import_json(db: Database, paths: Paths) -> None:
    """Take over the old accounts and meeting cache files, if any; add notices on trouble."""
    accounts_file, cache_file = paths.accounts_file, paths.legacy_cache_file
    accounts: list[Account] = []
    if accounts_file.exists():
        try:
            accounts = parse_accounts(accounts_file.read_bytes())
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
                RecursionError) as exc:  # RecursionError: JSON nested too deeply
            db.notices.append(
                f"The accounts file {accounts_file} of an earlier version could not be "
                f"imported ({exc}); it was left where it is. Fix it (or remove it) and "
                "start Meeting Launcher again, or add your accounts again."
            )
            return  # the cache is kept for when the accounts can be read
    cache: dict[str, CachedAccount] | None = None
    if cache_file.exists():
        try:
            cache = parse_cache(cache_file.read_bytes())
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError,
                AttributeError, RecursionError) as exc:
            log.warning("the old meeting cache %s is unreadable (%s); not imported",
                        cache_file, exc)

    def work(conn: sqlite3.Connection) -> None:
        for account in accounts:
            conn.execute(
                "INSERT INTO accounts (name, provider, base_url, relay_url, web_url, username, "
                "position) VALUES (?, ?, ?, ?, ?, ?, "
                "(SELECT COALESCE(MAX(position), -1) + 1 FROM accounts)) "
                "ON CONFLICT (name) DO NOTHING",
                (account.name, account.provider.value, account.base_url, account.relay_url,
                 account.web_url, account.username),
            )
        for name, entry in (cache or {}).items():
            row = conn.execute(
                "SELECT fetched_at FROM account_fetches WHERE account = ?", (name,)
            ).fetchone()
            if row is not None and row[0] >= utc_text(entry.fetched_at):
                continue
            write_account(conn, name, entry.fetched_at, encode_meetings(entry.meetings))

    db.run(work)
    if accounts_file.exists():
        _rename(accounts_file, ".imported")
        log.info("imported %d account(s) from %s", len(accounts), accounts_file)
    if cache_file.exists():
        _rename(cache_file, ".imported" if cache is not None else ".unreadable")


def _rename(path: Path, suffix: str) -> None:
    target = path.with_name(path.name + suffix)
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}{suffix}-{n}")
        n += 1
    try:
        os.replace(path, target)
    except OSError as exc:  # imported anyway; the next start imports it again (a no-op)
        log.warning("could not rename %s after importing it: %s", path, exc)


def parse_accounts(raw: bytes) -> list[Account]:
    """Read the accounts of an old ``accounts.json`` (ValueError etc. if damaged)."""
    doc = json.loads(raw.decode("utf-8"))
    items = doc["accounts"]
    if not isinstance(items, list):
        raise TypeError("accounts is not a list")
    return [_account(item) for item in items]


def _account(item: Any) -> Account:
    if not isinstance(item, dict):
        raise TypeError("an account entry is not an object")

    def opt(key: str) -> str | None:
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{key} is not a string")
        return value

    name, base = item["name"], item["base_url"]
    if not isinstance(name, str) or not isinstance(base, str):
        raise TypeError("name and base_url must be strings")
    return Account(name=name, provider=Provider(item["provider"]), base_url=base,
                   relay_url=opt("relay_url"), web_url=opt("web_url"),
                   username=opt("username"))


def parse_cache(raw: bytes) -> dict[str, CachedAccount]:
    """Read an old ``meetings.json`` (an unknown format version gives nothing)."""
    doc = json.loads(raw.decode("utf-8"))
    if doc.get("version") != 1:
        return {}
    out: dict[str, CachedAccount] = {}
    for name, entry in doc["accounts"].items():
        meetings = tuple(_meeting(m) for m in entry["meetings"])
        out[str(name)] = CachedAccount(meetings, dt.datetime.fromisoformat(entry["fetched_at"]))
    return out


def _dt(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _meeting(d: dict[str, Any]) -> Meeting:
    conf = d.get("conference")
    return Meeting(
        id=str(d["id"]), account=str(d["account"]), provider=Provider(d["provider"]),
        title=str(d["title"]), start=_dt(d.get("start")), end=_dt(d.get("end")),
        join_url=d.get("join_url"), viewer_url=d.get("viewer_url"), number=d.get("number"),
        participants=tuple(d.get("participants") or ()), organizer=d.get("organizer"),
        role=Role(d["role"]) if d.get("role") else None, online_meeting_uri=d.get("uri"),
        conference=(
            AudioConference(conf.get("id"), conf.get("numbers_url")) if conf else None
        ),
        description=d.get("description") or "", expires=_dt(d.get("expires")),
    )
