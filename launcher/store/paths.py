"""The one place that decides where files go (platformdirs, or ``MEETING_LAUNCHER_HOME``)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from pathlib import Path

import platformdirs

HOME_ENV = "MEETING_LAUNCHER_HOME"
_APP = "meeting-launcher"


@dataclasses.dataclass(frozen=True, slots=True)
class Paths:
    """Directories for configuration, data, cache and logs."""

    config: Path
    data: Path
    cache: Path
    logs: Path

    def ensure(self) -> Paths:
        """Create the directories (owner-only where the OS supports it) and return self."""
        for path in (self.config, self.data, self.cache, self.logs):
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self

    @property
    def accounts_file(self) -> Path:
        """The accounts list (no secrets)."""
        return self.config / "accounts.json"

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
        return Paths(root / "config", root / "data", root / "cache", root / "logs")
    return Paths(
        Path(platformdirs.user_config_dir(_APP, appauthor=False)),
        Path(platformdirs.user_data_dir(_APP, appauthor=False)),
        Path(platformdirs.user_cache_dir(_APP, appauthor=False)),
        Path(platformdirs.user_log_dir(_APP, appauthor=False)),
    )
