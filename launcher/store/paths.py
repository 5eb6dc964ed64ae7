"""The one place that decides where files go (platformdirs, or ``MEETING_LAUNCHER_HOME``).

The window imports this before its first paint, so what only some paths need
(platformdirs, tempfile) is imported where it is used.
"""

from __future__ import annotations

import dataclasses
import os
import zlib
from collections.abc import Mapping
from pathlib import Path

HOME_ENV = "MEETING_LAUNCHER_HOME"
_APP = "meeting-launcher"


@dataclasses.dataclass(frozen=True, slots=True)
class Paths:
    """Directories for configuration, data, cache and logs."""

    config: Path
    data: Path
    cache: Path
    logs: Path

    @classmethod
    def under(cls, root: Path) -> Paths:
        """All four directories below one root (``MEETING_LAUNCHER_HOME``, the demo)."""
        return cls(root / "config", root / "data", root / "cache", root / "logs")

    def ensure(self) -> Paths:
        """Create the directories (owner-only where the OS supports it) and return self."""
        for path in (self.config, self.data, self.cache, self.logs):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self

    @property
    def accounts_file(self) -> Path:
        """The accounts list of versions before the database (imported once, then renamed)."""
        return self.config / "accounts.json"

    @property
    def legacy_cache_file(self) -> Path:
        """The meeting cache of versions before the database (imported once, then renamed)."""
        return self.cache / "meetings.json"

    @property
    def database(self) -> Path:
        """The SQLite database: accounts, cached meetings, local meetings, join history."""
        return self.data / "meeting-launcher.sqlite3"

    @property
    def secrets_file(self) -> Path:
        """The owner-only secrets file used only when no OS keyring exists."""
        return self.config / "secrets.json"


def resolve_paths(env: Mapping[str, str] | None = None) -> Paths:
    """Return the directories to use: everything under ``MEETING_LAUNCHER_HOME`` if set."""
    env = os.environ if env is None else env
    home = env.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser().absolute()
        return Paths.under(root)
    import platformdirs

    return Paths(
        Path(platformdirs.user_config_dir(_APP, appauthor=False)),
        Path(platformdirs.user_data_dir(_APP, appauthor=False)),
        Path(platformdirs.user_cache_dir(_APP, appauthor=False)),
        Path(platformdirs.user_log_dir(_APP, appauthor=False)),
    )


def instance_address(
    paths: Paths | None, env: Mapping[str, str] | None = None, *, demo: bool = False
) -> str:
    """Where the running window listens for a second launch (one per profile and user).

    The demo's profile is new on every run, so it has one fixed address per user
    (*paths* is ignored with ``demo=True``). On POSIX an absolute socket path, short
    enough for the socket-path limit, in the runtime directory; on Windows a pipe name.
    """
    env = os.environ if env is None else env
    key = "demo" if demo or paths is None else str(paths.config)
    # A name, not a secret: CRC-32 tells a user's profiles apart (hashlib would load
    # OpenSSL before the first paint).
    digest = f"{zlib.crc32(key.encode('utf-8')):08x}"
    if os.name == "nt":
        return f"meeting-launcher-{digest}"
    runtime = env.get("XDG_RUNTIME_DIR") or _temp_dir()
    uid = os.getuid() if hasattr(os, "getuid") else 0
    path = os.path.join(runtime, f"meeting-launcher-{uid}-{digest}.sock")
    if len(path) > 100:  # sun_path is 104-108 bytes
        path = os.path.join(_temp_dir(), f"ml-{uid}-{digest}.sock")
    return path


def _temp_dir() -> str:
    import tempfile

    return tempfile.gettempdir()
