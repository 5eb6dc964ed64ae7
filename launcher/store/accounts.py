"""The list of configured accounts, kept in the database without any secret."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

from launcher.core.errors import ConfigError, InvalidInput
from launcher.core.models import Account, Provider
from launcher.store.db import Database

_NAME = re.compile(r"^[\w][\w .@+-]{0,63}$")
_SELECT = (
    "SELECT name, provider, base_url, relay_url, web_url, username FROM accounts "
    "ORDER BY position, rowid"
)


def validate_name(name: str) -> str:
    """Return a usable account name or raise InvalidInput naming the field."""
    text = (name or "").strip()
    if not text:
        raise InvalidInput("name", "must not be empty")
    if not _NAME.match(text):
        raise InvalidInput(
            "name",
            "use up to 64 letters, digits, spaces and . @ + - _ (starting with a letter or digit)",
        )
    return text


class AccountStore:
    """Load and change accounts; each change is one transaction.

    Removing or renaming an account takes its cached meetings along (the schema's
    foreign keys cascade); its join history stays, renamed or without the account.
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def database(self) -> Database:
        """The database the accounts live in."""
        return self._db

    def load(self) -> list[Account]:
        """Return every account in the order they were added."""
        rows = self._db.run(lambda conn: conn.execute(_SELECT).fetchall(), write=False)
        accounts = []
        for row in rows:
            try:
                accounts.append(_from_row(row))
            except (TypeError, ValueError) as exc:
                raise ConfigError(
                    f"The account {row[0]!r} in {self._db.path} is damaged ({exc}). "
                    f"Remove it with `meeting-launcher accounts remove {row[0]!r}` and add "
                    "it again."
                ) from exc
        return accounts

    def save(self, accounts: list[Account]) -> None:
        """Make the stored accounts exactly *accounts*, in this order.

        Accounts that stay keep their cached meetings; the others lose theirs.
        """
        names = [a.name for a in accounts]
        if len(set(names)) != len(names):
            raise InvalidInput("name", "two accounts have the same name")

        def work(conn: sqlite3.Connection) -> None:
            marks = ",".join("?" * len(names))
            conn.execute(f"DELETE FROM accounts WHERE name NOT IN ({marks})", names)
            for position, account in enumerate(accounts):
                # An upsert, not INSERT OR REPLACE: a replace deletes the row first,
                # and the delete would cascade to the account's cached meetings.
                conn.execute(
                    "INSERT INTO accounts (name, provider, base_url, relay_url, web_url, "
                    "username, position) VALUES (?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET provider = excluded.provider, "
                    "base_url = excluded.base_url, relay_url = excluded.relay_url, "
                    "web_url = excluded.web_url, username = excluded.username, "
                    "position = excluded.position",
                    (*_to_row(account), position),
                )

        self._db.run(work)

    def get(self, name: str) -> Account:
        """Return the account called *name* or raise ConfigError."""
        row = self._db.run(
            lambda conn: conn.execute(
                "SELECT name, provider, base_url, relay_url, web_url, username FROM accounts "
                "WHERE name = ?",
                (name,),
            ).fetchone(),
            write=False,
        )
        if row is None:
            raise _missing(name)
        return _from_row(row)

    def add(self, account: Account) -> None:
        """Add *account* after the others; its name must be new."""
        def work(conn: sqlite3.Connection) -> None:
            if _exists(conn, account.name):
                raise InvalidInput("name", f"an account called {account.name!r} already exists")
            conn.execute(
                "INSERT INTO accounts (name, provider, base_url, relay_url, web_url, username, "
                "position) VALUES (?, ?, ?, ?, ?, ?, "
                "(SELECT COALESCE(MAX(position), -1) + 1 FROM accounts))",
                _to_row(account),
            )

        self._db.run(work)

    def update(self, old_name: str, account: Account) -> None:
        """Replace the account called *old_name* with *account* (a rename, a new URL, ...).

        Raises ConfigError if *old_name* does not exist and InvalidInput("name", ...) if
        the new name belongs to another account. Cached meetings and join history move
        to the new name; when the provider or the API address changes, the cached
        meetings (which came from the old server) are dropped until the next refresh.
        """
        if account.name != old_name:
            validate_name(account.name)

        def work(conn: sqlite3.Connection) -> None:
            old = conn.execute(
                "SELECT provider, base_url FROM accounts WHERE name = ?", (old_name,)
            ).fetchone()
            if old is None:
                raise _missing(old_name)
            if account.name != old_name and _exists(conn, account.name):
                raise InvalidInput("name", f"an account called {account.name!r} already exists")
            # ON UPDATE CASCADE carries the cached meetings and the history along.
            conn.execute(
                "UPDATE accounts SET name = ?, provider = ?, base_url = ?, relay_url = ?, "
                "web_url = ?, username = ? WHERE name = ?",
                (*_to_row(account), old_name),
            )
            if (old[0], old[1]) != (account.provider.value, account.base_url):
                conn.execute("DELETE FROM meetings WHERE account = ?", (account.name,))
                conn.execute("DELETE FROM account_fetches WHERE account = ?", (account.name,))

        self._db.run(work)

    def remove(self, name: str) -> Account:
        """Remove the account called *name* (and its cached meetings) and return it."""
        def work(conn: sqlite3.Connection) -> Account:
            row = conn.execute(
                "SELECT name, provider, base_url, relay_url, web_url, username FROM accounts "
                "WHERE name = ?",
                (name,),
            ).fetchone()
            if row is None:
                raise _missing(name)
            conn.execute("DELETE FROM accounts WHERE name = ?", (name,))
            return _from_row(row)

        return self._db.run(work)


def _missing(name: str) -> ConfigError:
    return ConfigError(f"No account is called {name!r}. See `meeting-launcher accounts list`.")


def _exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM accounts WHERE name = ?", (name,)).fetchone() is not None


def _to_row(account: Account) -> tuple[str, str, str, str | None, str | None, str | None]:
    return (account.name, account.provider.value, account.base_url, account.relay_url,
            account.web_url, account.username)


def _from_row(row: tuple[Any, ...]) -> Account:
    name, provider, base_url, relay_url, web_url, username = row
    if not isinstance(name, str) or not isinstance(base_url, str):
        raise TypeError("name and base_url must be text")
    for value in (relay_url, web_url, username):
        if value is not None and not isinstance(value, str):
            raise TypeError("relay_url, web_url and username must be text")
    return Account(name=name, provider=Provider(provider), base_url=base_url,
                   relay_url=relay_url, web_url=web_url, username=username)
