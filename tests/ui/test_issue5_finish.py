"""Issue 5, finishing touches on the demo sandbox: Add meeting from the tray, and a
calendar event's BlueJeans link going through the BlueJeans joinflow check (the real
catalogue and pre-join checks, the sandbox relay)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QAction, QGuiApplication

from launcher.core.linkscan import detect_links
from launcher.core.models import Meeting, Provider
from launcher.core.prejoin import check_links
from launcher.ui.dialogs import PasscodeDialog
from launcher.ui.dialogs.links import AddMeetingDialog, PreJoinDialog
from tests.ui.test_controller import answer_passcode, demo
from tests.ui.test_dialogs_join import click, dialog_of, wait_for

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def ics_event(description: str, **kw: Any) -> Meeting:
    start = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    return Meeting(id="bj-ev", account="Demo calendar", provider=Provider.ICS,
                   title="Partner sync", start=start, end=start + dt.timedelta(minutes=30),
                   description=description, **kw)


async def test_add_meeting_from_the_tray_shows_the_window_with_it(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        app.window.hide()
        QGuiApplication.clipboard().setText("https://meet.google.com/abc-defg-hij")
        action = app.controller.tray.menu().findChild(QAction, "addMeeting")
        assert action is not None and action.text() == "Add meeting…"
        action.trigger()
        dialog = await dialog_of(app.window, AddMeetingDialog)
        assert dialog.link.text() == "https://meet.google.com/abc-defg-hij"
        qtbot.keyClicks(dialog.title, "From the tray")
        click(qtbot, dialog, "ok")
        saved = await wait_for(lambda: [m for m in app.window.model.meetings()
                                        if m.provider is Provider.LOCAL])
        assert saved[0].title == "From the tray"
        await wait_for(app.window.isVisible)
        assert app.window.details.meeting == saved[0]


def test_a_bluejeans_link_in_an_event_asks_for_the_joinflow_check() -> None:
    event = ics_event("Join: https://bluejeans.com/9036439807 (BlueJeans)")
    links = detect_links(event)
    assert [link.service for link in links] == ["bluejeans"]
    assert links[0].meeting_id == "9036439807"
    assert "bluejeans_check" in [f.kind for f in check_links(event, links)]


async def test_an_events_bluejeans_link_runs_the_joinflow_and_asks_the_passcode(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        before = app.sandbox.state.requests["bluejeans"]
        event = ics_event("<p>Join the BlueJeans meeting: "
                          "<a href='https://bluejeans.com/9036439807'>here</a></p>")
        app.window.join_requested.emit(event)
        # The relay says GET_PASSCODE: the user is asked, as for a BlueJeans meeting.
        await answer_passcode(qtbot, app.window, "1629")
        url = await app.opened_url()
        assert url.endswith("/9036439807/1629")
        assert not app.window.findChildren(PreJoinDialog)
        assert app.sandbox.state.requests["bluejeans"] > before  # the relay was asked


async def test_an_events_bluejeans_link_with_its_passcode_asks_nothing(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        event = ics_event("https://bluejeans.com/4159908751/2404")
        app.window.join_requested.emit(event)
        url = await app.opened_url()
        assert url.endswith("/4159908751/2404")
        assert not app.window.findChildren(PasscodeDialog)


async def test_a_wrong_passcode_in_the_events_link_is_asked_again(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        # 4159908751 answers GET_GOOD_PASSCODE for 0000: the relay's check catches it.
        event = ics_event("https://bluejeans.com/4159908751/0000")
        app.window.join_requested.emit(event)
        await answer_passcode(qtbot, app.window, "2404")
        url = await app.opened_url()
        assert url.endswith("/4159908751/2404")
