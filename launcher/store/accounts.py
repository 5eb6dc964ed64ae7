"""The list of configured accounts, kept in a JSON file without any secret."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from launcher.core.errors import ConfigError, InvalidInput
from launcher.core.models import Account, Provider
from launcher.store.atomic import write_atomic

FORMAT_VERSION = 1
_NAME = re.compile(r"^[\w][\w .@+-]{0,63}$")


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
    """Load and save accounts; every write replaces the file atomically."""

    def __init__(self, path: Path) -> None:
        self._path = path

    @property
    def path(self) -> Path:
        """Where the accounts are kept."""
        return self._path

    def load(self) -> list[Account]:
        """Return every account; a missing file means none."""
        try:
            raw = self._path.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ConfigError(
                f"Cannot read the accounts file {self._path}: {exc.strerror}"
            ) from exc
        try:
            doc = json.loads(raw.decode("utf-8"))
            items = doc["accounts"]
            if not isinstance(items, list):
                raise TypeError("accounts is not a list")
            return [_from_json(item) for item in items]
        except (UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"The accounts file {self._path} is damaged ({exc}); it was left untouched. "
                "Fix or remove it, then add your accounts again."
            ) from exc

    def save(self, accounts: list[Account]) -> None:
        """Replace the stored accounts with *accounts*."""
        doc = {"version": FORMAT_VERSION, "accounts": [_to_json(a) for a in accounts]}
        write_atomic(self._path, (json.dumps(doc, indent=2) + "\n").encode("utf-8"))

    def get(self, name: str) -> Account:
        """Return the account called *name* or raise ConfigError."""
        for account in self.load():
            if account.name == name:
                return account
        raise ConfigError(
            f"No account is called {name!r}. See `meeting-launcher accounts list`."
        )

    def add(self, account: Account) -> None:
        """Add *account*; its name must be new."""
        accounts = self.load()
        if any(a.name == account.name for a in accounts):
            raise InvalidInput("name", f"an account called {account.name!r} already exists")
        accounts.append(account)
        self.save(accounts)

    def update(self, old_name: str, account: Account) -> None:
        """Replace the account called *old_name* with *account* (a rename, a new URL...).

        ConfigError if *old_name* does not exist; InvalidInput("name") if the new name
        belongs to another account. The account keeps its place in the list.
        """
        accounts = self.load()
        index = next((i for i, a in enumerate(accounts) if a.name == old_name), None)
        if index is None:
            raise ConfigError(
                f"No account is called {old_name!r}. See `meeting-launcher accounts list`."
            )
        if account.name != old_name and any(a.name == account.name for a in accounts):
            raise InvalidInput("name", f"an account called {account.name!r} already exists")
        accounts[index] = account
        self.save(accounts)

    def remove(self, name: str) -> Account:
        """Remove the account called *name* and return it."""
        accounts = self.load()
        for account in accounts:
            if account.name == name:
                self.save([a for a in accounts if a.name != name])
                return account
        raise ConfigError(
            f"No account is called {name!r}. See `meeting-launcher accounts list`."
        )


def _to_json(account: Account) -> dict[str, Any]:
    return {
        "name": account.name,
        "provider": account.provider.value,
        "base_url": account.base_url,
        "relay_url": account.relay_url,
        "web_url": account.web_url,
        "username": account.username,
    }


def _from_json(item: Any) -> Account:
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
    return Account(
        name=name,
        provider=Provider(item["provider"]),
        base_url=base,
        relay_url=opt("relay_url"),
        web_url=opt("web_url"),
        username=opt("username"),
    )
