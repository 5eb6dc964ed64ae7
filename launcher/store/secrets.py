"""Secrets (tokens, API keys, passwords) in the OS keyring, or an owner-only file.

Where no keyring backend exists (a headless Linux box), secrets go to
``<config>/secrets.json`` with mode 0600 and :attr:`SecretStore.warning` says so, for the
CLI and the window to show. Secrets never go to the accounts file, logs or caches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal, Protocol

from launcher.core.errors import ConfigError
from launcher.core.models import Credentials
from launcher.store.atomic import write_atomic

log = logging.getLogger("launcher.secrets")

SERVICE = "meeting-launcher"
#: The secret kinds an account may have, as stored. ``token_expires`` (ISO 8601 UTC) is
#: not a secret itself but belongs with its token, so it lives beside it.
KINDS = (
    "token",
    "refresh_token",
    "token_expires",
    "api_key",
    "password",
    "client_id",
    "client_secret",
    "relay_token",
)
Backend = Literal["auto", "keyring", "file"]
PASSCODE_PREFIX = "passcode:"
#: The file backend keeps remembered passcodes under this reserved key.
_PASSCODES = "\x00passcodes"
#: A remembered passcode is kept per meeting occurrence, under the key of
#: ``core.agenda.reminder_key``: the account's name, this separator, the rest.
_KEY_SEPARATOR = "\x1f"
#: With a keyring, the meeting keys of an account's remembered passcodes (not secrets)
#: are listed under ``<account>:<this>``: a keyring cannot be searched, and removing or
#: renaming the account must find them.
_PASSCODE_INDEX = "passcode_keys"


def _account_of(meeting_key: str) -> str | None:
    account, sep, _ = meeting_key.partition(_KEY_SEPARATOR)
    return account if sep else None


def _renamed(meeting_key: str, old: str, new: str) -> str:
    """Return *meeting_key* of account *old* as the same meeting's key under *new*."""
    return new + meeting_key[len(old):]


class SecretStore:
    """Read and write an account's secrets."""

    def __init__(self, file_path: Path, *, backend: Backend = "auto") -> None:
        self._file = file_path
        self._keyring = _system_keyring() if backend in ("auto", "keyring") else None
        if backend == "keyring" and self._keyring is None:
            raise ConfigError("No system keyring is available on this machine.")

    @property
    def uses_file(self) -> bool:
        """True when secrets go to the owner-only file instead of a keyring."""
        return self._keyring is None

    @property
    def warning(self) -> str | None:
        """What to tell the user about where secrets are kept, if anything."""
        if self._keyring is None:
            return (
                f"No system keyring was found, so secrets are kept in {self._file} "
                "(readable only by you). Install a keyring (e.g. GNOME Keyring or KWallet) "
                "for better protection."
            )
        return None

    def set(self, account: str, kind: str, value: str) -> None:
        """Store one secret of *account*."""
        if kind not in KINDS:
            raise ValueError(f"unknown secret kind {kind}")
        if self._keyring is not None:
            self._keyring.set_password(SERVICE, f"{account}:{kind}", value)
            return
        data = self._read_file()
        data.setdefault(account, {})[kind] = value
        self._write_file(data)

    def get(self, account: str, kind: str) -> str | None:
        """Return one secret of *account*, or None."""
        if self._keyring is not None:
            value = self._keyring.get_password(SERVICE, f"{account}:{kind}")
            return value if isinstance(value, str) else None
        value = self._read_file().get(account, {}).get(kind)
        return value if isinstance(value, str) else None

    def credentials(self, account: str, username: str | None = None) -> Credentials:
        """Return every secret of *account* as Credentials."""
        if self._keyring is not None:
            values = {kind: self.get(account, kind) for kind in KINDS}
        else:  # one read of the file, not one per kind
            stored = self._read_file().get(account, {})
            values = {kind: v if isinstance(v := stored.get(kind), str) else None
                      for kind in KINDS}
        return Credentials(
            token=values["token"],
            api_key=values["api_key"],
            username=username,
            password=values["password"],
            client_id=values["client_id"],
            client_secret=values["client_secret"],
            refresh_token=values["refresh_token"],
            token_expires=_parse_expiry(values["token_expires"]),
            relay_token=values["relay_token"],
        )

    def replace_account(self, account: str, values: Mapping[str, str]) -> None:
        """Make *values* the only secrets of *account* (kinds not given are deleted).

        With the file backend this is one atomic write: a failure changes nothing.
        With a keyring the new values are written first and the old ones deleted
        after, so a failure part way never leaves the account with fewer secrets.
        """
        for kind in values:
            if kind not in KINDS:
                raise ValueError(f"unknown secret kind {kind}")
        if self._keyring is not None:
            for kind, value in values.items():
                self._keyring.set_password(SERVICE, f"{account}:{kind}", value)
            for kind in KINDS:
                if kind not in values:
                    with contextlib.suppress(Exception):
                        self._keyring.delete_password(SERVICE, f"{account}:{kind}")
            return
        data = self._read_file()
        if values:
            data[account] = dict(values)
        else:
            data.pop(account, None)
        self._write_file(data)

    def all_secrets(self, account: str) -> dict[str, str]:
        """Return every stored secret of *account*, by kind."""
        if self._keyring is not None:
            found = {kind: self.get(account, kind) for kind in KINDS}
            return {kind: value for kind, value in found.items() if value is not None}
        stored = self._read_file().get(account, {})
        return {k: v for k, v in stored.items() if k in KINDS and isinstance(v, str)}

    def rename_account(self, old: str, new: str) -> None:
        """Move every secret of account *old* to account *new* (which loses any of its own).

        The passcodes remembered for *old*'s meetings follow them to their new keys.
        """
        if old == new:
            return
        if self._keyring is not None:
            values = self.all_secrets(old)
            self.replace_account(new, values)
            for kind in KINDS:
                with contextlib.suppress(Exception):
                    self._keyring.delete_password(SERVICE, f"{old}:{kind}")
            for key in self._passcode_index(old):
                value = self.get_passcode(key)
                if value is not None:
                    self.set_passcode(_renamed(key, old, new), value)
                self.delete_passcode(key)
            return
        data = self._read_file()
        moved = data.pop(old, None)
        data.pop(new, None)
        if moved:
            data[new] = moved
        passcodes = data.get(_PASSCODES, {})
        for key in [k for k in passcodes if _account_of(k) == old]:
            passcodes[_renamed(key, old, new)] = passcodes.pop(key)
        self._write_file(data)

    def set_passcode(self, meeting_key: str, value: str) -> None:
        """Remember the passcode of one meeting (the user ticked "remember")."""
        if self._keyring is not None:
            account = _account_of(meeting_key)
            if account is not None:  # listed first: a listed key without a value is harmless
                keys = self._passcode_index(account)
                if meeting_key not in keys:
                    self._set_passcode_index(account, [*keys, meeting_key])
            self._keyring.set_password(SERVICE, f"{PASSCODE_PREFIX}{meeting_key}", value)
            return
        data = self._read_file()
        data.setdefault(_PASSCODES, {})[meeting_key] = value
        self._write_file(data)

    def get_passcode(self, meeting_key: str) -> str | None:
        """Return the remembered passcode of one meeting, if any."""
        if self._keyring is not None:
            value = self._keyring.get_password(SERVICE, f"{PASSCODE_PREFIX}{meeting_key}")
            return value if isinstance(value, str) else None
        value = self._read_file().get(_PASSCODES, {}).get(meeting_key)
        return value if isinstance(value, str) else None

    def delete_passcode(self, meeting_key: str) -> None:
        """Forget the remembered passcode of one meeting (no error if there is none)."""
        if self._keyring is not None:
            with contextlib.suppress(Exception):
                self._keyring.delete_password(SERVICE, f"{PASSCODE_PREFIX}{meeting_key}")
            account = _account_of(meeting_key)
            if account is not None:
                keys = self._passcode_index(account)
                if meeting_key in keys:
                    self._set_passcode_index(account, [k for k in keys if k != meeting_key])
            return
        data = self._read_file()
        if data.get(_PASSCODES, {}).pop(meeting_key, None) is not None:
            self._write_file(data)

    def delete_account(self, account: str) -> None:
        """Remove every secret of *account*, and the passcodes remembered for its meetings."""
        if self._keyring is not None:
            for kind in KINDS:
                with contextlib.suppress(Exception):
                    self._keyring.delete_password(SERVICE, f"{account}:{kind}")
            for key in self._passcode_index(account):
                self.delete_passcode(key)
            return
        data = self._read_file()
        passcodes = data.get(_PASSCODES, {})
        mine = [k for k in passcodes if _account_of(k) == account]
        for key in mine:
            del passcodes[key]
        if data.pop(account, None) is not None or mine:
            self._write_file(data)

    def _passcode_index(self, account: str) -> list[str]:
        """Return the meeting keys of *account*'s remembered passcodes (keyring backend)."""
        assert self._keyring is not None
        try:
            raw = self._keyring.get_password(SERVICE, f"{account}:{_PASSCODE_INDEX}")
            keys = json.loads(raw) if raw else []
        except Exception:  # unreadable: nothing to find (the passcodes stay as they were)
            log.warning("the list of remembered passcodes of %r could not be read", account)
            return []
        return [k for k in keys if isinstance(k, str)] if isinstance(keys, list) else []

    def _set_passcode_index(self, account: str, keys: list[str]) -> None:
        assert self._keyring is not None
        name = f"{account}:{_PASSCODE_INDEX}"
        if keys:
            self._keyring.set_password(SERVICE, name, json.dumps(keys))
        else:
            with contextlib.suppress(Exception):
                self._keyring.delete_password(SERVICE, name)

    def _read_file(self) -> dict[str, dict[str, str]]:
        try:
            raw = self._file.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ConfigError(
                f"The secrets file {self._file} is damaged; it was left untouched. "
                "Remove it and sign in to your accounts again."
            ) from exc
        if not isinstance(data, dict):
            raise ConfigError(f"The secrets file {self._file} is damaged; it was left untouched.")
        return {k: v for k, v in data.items() if isinstance(v, dict)}

    def _write_file(self, data: dict[str, dict[str, str]]) -> None:
        write_atomic(self._file, json.dumps(data, indent=1).encode("utf-8"), mode=0o600)
        with contextlib.suppress(OSError):
            os.chmod(self._file, 0o600)


def _parse_expiry(value: str | None) -> dt.datetime | None:
    """Read a stored ``token_expires``; anything unreadable counts as unknown."""
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed.astimezone(dt.UTC)


def format_expiry(value: dt.datetime) -> str:
    """Write an expiry time the way :meth:`SecretStore.credentials` reads it back."""
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _system_keyring() -> _KeyringLike | None:
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # keyring missing or broken: fall back to the file
        log.warning("keyring could not be imported; using the owner-only secrets file")
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 1) <= 0:
        return None
    return backend


class _KeyringLike(Protocol):
    """What we use of a keyring backend."""

    def set_password(self, service: str, username: str, password: str) -> None:
        """Store a password."""

    def get_password(self, service: str, username: str) -> str | None:
        """Return a password or None."""

    def delete_password(self, service: str, username: str) -> None:
        """Delete a password."""
