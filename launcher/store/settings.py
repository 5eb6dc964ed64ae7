"""User settings in a human-readable JSON file: typed, validated on load, written atomically."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path
from typing import Any

from launcher.store.atomic import write_atomic

log = logging.getLogger("launcher.settings")


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """Every setting with its default."""

    #: Minutes before a meeting to remind; None turns reminders off.
    reminder_minutes: int | None = 1
    #: A meeting that started less than this many minutes ago is still "next".
    next_meeting_grace_minutes: int = 10
    #: Whether the "still running in the tray" notice was shown once.
    tray_notice_shown: bool = False
    #: The view the window opens on: "agenda", "month" or "week".
    view: str = "agenda"


_VALIDATORS: dict[str, Any] = {
    "reminder_minutes": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)
                                                and 0 <= v <= 120),
    "next_meeting_grace_minutes": lambda v: isinstance(v, int) and not isinstance(v, bool)
    and 0 <= v <= 240,
    "tray_notice_shown": lambda v: isinstance(v, bool),
    "view": lambda v: isinstance(v, str) and v in {"agenda", "month", "week"},
}


class SettingsStore:
    """Load and save :class:`Settings`, keeping keys this version does not know."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._unknown: dict[str, Any] = {}
        self.problems: list[str] = []

    def load(self) -> Settings:
        """Read the file; an invalid value falls back to its default with a message."""
        self.problems = []
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Settings()
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            self.problems.append(f"The settings file {self._path} could not be read ({exc}); "
                                 "defaults are used and the file is left as it is.")
            return Settings()
        if not isinstance(raw, dict):
            self.problems.append(f"The settings file {self._path} is not an object; "
                                 "defaults are used.")
            return Settings()
        known = {f.name for f in dataclasses.fields(Settings)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                self._unknown[key] = value
            elif _VALIDATORS[key](value):
                values[key] = value
            else:
                default = getattr(Settings(), key)
                self.problems.append(
                    f"Setting {key!r} has an invalid value {value!r}; using {default!r}."
                )
        for problem in self.problems:
            log.warning("%s", problem)
        return Settings(**values)

    def save(self, settings: Settings) -> None:
        """Write *settings* (and any unknown keys read earlier) atomically."""
        data = dict(self._unknown)
        data.update(dataclasses.asdict(settings))
        write_atomic(self._path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
