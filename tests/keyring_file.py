"""A stand-in for the OS keyring in tests: a JSON file OUTSIDE ``MEETING_LAUNCHER_HOME``.

Select it in a subprocess with::

    PYTHON_KEYRING_BACKEND=tests.keyring_file.FileKeyring
    MEETING_LAUNCHER_TEST_KEYRING=/some/dir/keyring.json

(the repository root must be on ``PYTHONPATH``). It behaves like a real keyring for the
app (priority above zero, so it is not taken for "no keyring"), which keeps the secrets
out of the profile: the owner-only fallback file, which holds secrets by design, is then
never written, and a scan of the profile must find no secret at all.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from jaraco.classes import properties
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

PATH_ENV = "MEETING_LAUNCHER_TEST_KEYRING"


class FileKeyring(KeyringBackend):
    """Secrets in one JSON file whose path comes from ``$MEETING_LAUNCHER_TEST_KEYRING``."""

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 (a class property)
        # Viable only where a test asked for it: never picked up by keyring's detection.
        if not os.environ.get(PATH_ENV):
            raise RuntimeError(f"{PATH_ENV} is not set")
        return 1.0

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path if path is not None else Path(os.environ[PATH_ENV])

    def _load(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict[str, dict[str, str]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(service, {}).get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data.setdefault(service, {})[username] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.get(service, {}).pop(username, None) is None:
            raise PasswordDeleteError(username)
        self._save(data)

    def values(self) -> list[str]:
        """Every secret stored (for the scan's list of values to look for)."""
        return [v for entries in self._load().values() for v in entries.values()]
