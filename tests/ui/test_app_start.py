"""The window's start path: painted from the database, with the database's notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from launcher import app as app_module
from launcher.core.models import Account, Meeting, Provider
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache
from launcher.store.db import open_database
from launcher.store.paths import resolve_paths
from launcher.ui.main_window import MainWindow


@pytest.fixture
def started(
    qapp: Any, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[MainWindow]]:
    windows: list[MainWindow] = []
    messages: list[tuple[str, bool]] = []

    class Recorder(MainWindow):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.messages = messages
            self.built_at_first_paint: tuple[bool, bool] | None = None
            windows.append(self)

        def paintEvent(self, event: Any) -> None:
            if self.built_at_first_paint is None:  # (month calendar, details) built?
                self.built_at_first_paint = (self._month is not None,
                                             not self._holding_details)
            super().paintEvent(event)

        def show_message(self, text: str, *, error: bool = False) -> None:
            messages.append((text, error))
            super().show_message(text, error=error)

    monkeypatch.setattr(app_module, "MainWindow", Recorder)
    monkeypatch.setenv(app_module.PROBE_ENV, "1")  # paint, report and return
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    yield windows
    for window in windows:
        window.deleteLater()


def cache_rooms(meetings: list[Meeting], fetched: dt.datetime) -> None:
    """A Whereby account "Rooms" with *meetings* in the profile's cache."""
    with open_database(resolve_paths().ensure()) as db:
        AccountStore(db).add(Account("Rooms", Provider.WHEREBY, "https://api.whereby.dev/v1"))
        MeetingCache(db).save_account_meetings("Rooms", fetched, meetings)


def test_start_paints_the_coming_days_from_the_database(
    started: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    now = dt.datetime.now(dt.UTC)
    cache_rooms([Meeting(str(d), "Rooms", Provider.WHEREBY, f"Day {d}",
                         now + dt.timedelta(days=d), None) for d in range(30)], now)
    assert app_module.main([]) == 0
    line = capsys.readouterr().out
    # The window's first query: from a day ago to 8 days ahead (d = 0..8, as the test's
    # "now" is a moment earlier than the app's); the rest of the cache follows the paint.
    assert " rows 9 " in line
    assert started[0].messages == []


def test_the_first_paint_waits_for_neither_the_month_nor_the_details(
    started: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    now = dt.datetime.now(dt.UTC)
    cache_rooms([Meeting("1", "Rooms", Provider.WHEREBY, "Standup", now + dt.timedelta(hours=1),
                         None, join_url="https://whereby.com/standup")], now)
    assert app_module.main([]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["first-paint", "complete"]
    window = started[0]
    assert window.built_at_first_paint == (False, False)
    # Right after the paint: the calendar is first in the sidebar, the details are shown.
    assert window._month is not None and window._side.itemAt(0).widget() is window.month
    assert window.details.meeting is not None
    assert window.details.meeting == window.agenda.current_meeting()


def test_start_shows_that_the_database_was_moved_aside(
    started: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    paths = resolve_paths().ensure()
    paths.database.write_bytes(b"garbage" * 1000)
    assert app_module.main([]) == 0
    [(text, error)] = started[0].messages
    assert error and "was damaged" in text and ".corrupt-" in text
    assert started[0].banner.text() == text
