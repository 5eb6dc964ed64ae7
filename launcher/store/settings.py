"""User settings in a human-readable JSON file: typed, validated on load, written atomically."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any

from launcher.core.filters import EventFilter, compile_blocklist
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
    #: Minutes between downloads of an ICS subscription (CalDAV follows the window's
    #: refresh); a refresh within this time re-reads the last download.
    ics_refresh_minutes: int = 30
    #: Filters: hide all-day, declined, tentative events, and events without a link.
    hide_all_day: bool = False
    hide_declined: bool = False
    hide_tentative: bool = False
    hide_without_link: bool = False
    #: Regular expressions (one per entry, case-insensitive): matching titles are hidden.
    title_blocklist: tuple[str, ...] = ()
    #: Calendars (calendar name, or the account for sources without calendars) hidden.
    excluded_calendars: tuple[str, ...] = ()
    #: Meeting services (catalogue keys) in the order the user prefers their links when
    #: an event holds several (after conference fields); empty: the catalogue's order.
    service_priority: tuple[str, ...] = ()
    #: Services (catalogue keys) whose links always open in the browser, never the app.
    browser_only_services: tuple[str, ...] = ()

    def event_filter(self) -> EventFilter:
        """Return the filter these settings describe (invalid patterns are left out)."""
        patterns, _errors = compile_blocklist(self.title_blocklist)
        return EventFilter(
            hide_all_day=self.hide_all_day,
            hide_declined=self.hide_declined,
            hide_tentative=self.hide_tentative,
            hide_without_link=self.hide_without_link,
            blocklist=patterns,
            excluded_calendars=frozenset(self.excluded_calendars),
        )


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


def _valid_blocklist(value: Any) -> bool:
    if not isinstance(value, list | tuple) or len(value) > 200:
        return False
    if not all(isinstance(v, str) for v in value):
        return False
    return not compile_blocklist(value)[1]


def _valid_names(value: Any) -> bool:
    return isinstance(value, list | tuple) and len(value) <= 1000 and all(
        isinstance(v, str) and v for v in value
    )


_VALIDATORS: dict[str, Any] = {
    "reminder_minutes": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)
                                                and 0 <= v <= 120),
    "next_meeting_grace_minutes": lambda v: isinstance(v, int) and not isinstance(v, bool)
    and 0 <= v <= 240,
    "tray_notice_shown": lambda v: isinstance(v, bool),
    "view": lambda v: isinstance(v, str) and v in {"agenda", "month", "week"},
    "ics_refresh_minutes": lambda v: isinstance(v, int) and not isinstance(v, bool)
    and 0 <= v <= 1440,
    "hide_all_day": _is_bool,
    "hide_declined": _is_bool,
    "hide_tentative": _is_bool,
    "hide_without_link": _is_bool,
    "title_blocklist": _valid_blocklist,
    "excluded_calendars": _valid_names,
    "service_priority": _valid_names,
    "browser_only_services": _valid_names,
}
#: Settings held as tuples in Settings and as JSON lists in the file.
_SEQUENCES = frozenset({"title_blocklist", "excluded_calendars", "service_priority",
                        "browser_only_services"})
#: Settings that name services of the link catalogue.
_SERVICE_KEYS = frozenset({"service_priority", "browser_only_services"})


def known_services(key: str, names: tuple[str, ...]) -> tuple[tuple[str, ...], list[str]]:
    """Keep the catalogue's service keys in *names* (once each); say what was dropped.

    The catalogue is imported only here, when the settings name services at all, so a
    start without such settings does not load it before the window paints.
    """
    from launcher.core.catalogue import service_by_key

    kept: list[str] = []
    problems = []
    for name in names:
        if service_by_key(name) is None:
            problems.append(f"Setting {key!r}: unknown meeting service {name!r} was dropped.")
        elif name not in kept:
            kept.append(name)
    return tuple(kept), problems


class SettingsStore:
    """Load and save :class:`Settings`, keeping keys this version does not know."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._unknown: dict[str, Any] = {}
        self.problems: list[str] = []

    def load(self) -> Settings:
        """Read the file; an invalid value falls back to its default with a message.

        A file that cannot be read at all is renamed aside (so the next save does not
        overwrite it) and the defaults are used, with a message saying where it went.
        """
        self.problems = []
        self._unknown = {}
        try:
            raw = json.loads(self._path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return Settings()
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            self._set_aside(f"could not be read ({exc})")
            return Settings()
        except OSError as exc:
            self.problems.append(f"The settings file {self._path} could not be read "
                                 f"({exc.strerror}); defaults are used. Check its permissions.")
            return Settings()
        if not isinstance(raw, dict):
            self._set_aside("does not hold an object")
            return Settings()
        known = {f.name for f in dataclasses.fields(Settings)}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                self._unknown[key] = value
            elif _VALIDATORS[key](value):
                values[key] = tuple(value) if key in _SEQUENCES else value
                if key in _SERVICE_KEYS:
                    values[key], dropped = known_services(key, values[key])
                    self.problems.extend(dropped)
            else:
                default = getattr(Settings(), key)
                self.problems.append(
                    f"Setting {key!r} has an invalid value {value!r}; using {default!r}."
                )
        for problem in self.problems:
            log.warning("%s", problem)
        return Settings(**values)

    def _set_aside(self, why: str) -> None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self._path.with_name(f"{self._path.name}.damaged-{stamp}")
        try:
            os.replace(self._path, aside)
        except OSError as exc:
            kept = f"it could not be renamed ({exc.strerror}) and will be replaced on the next save"
        else:
            kept = f"it was kept as {aside}"
        self.problems.append(
            f"The settings file {self._path} {why}; the default settings are used and {kept}. "
            "Change the settings again (New ▸ Settings…)."
        )
        log.warning("%s", self.problems[-1])

    def save(self, settings: Settings) -> None:
        """Write *settings* (and any unknown keys read earlier) atomically."""
        data = dict(self._unknown)
        data.update(dataclasses.asdict(settings))
        write_atomic(self._path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())
