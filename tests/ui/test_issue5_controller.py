"""Issue 5 in the running app (demo sandbox): pre-join check → the URL that reaches the
opener, Join with, Add meeting saved in the database and shown at once, delete.

Link detection/checks: the STAND-IN of tests/ui/linkstub.py (part A's contract).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from launcher.core.models import Meeting, Provider
from launcher.store.history import LocalMeetings
from launcher.ui.dialogs import ConfirmDeleteDialog
from launcher.ui.dialogs.links import AddMeetingDialog, PreJoinDialog
from launcher.ui.linkinfo import LinkInfo
from tests.ui import linkstub
from tests.ui.test_controller import Demo, demo
from tests.ui.test_dialogs_join import click, dialog_of, wait_for

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def stub_links(app: Demo) -> None:
    info = LinkInfo(linkscan=linkstub.linkscan, prejoin=linkstub.prejoin)

    def opener(fallback: Any) -> Any:  # never the real native-app opener in tests
        async def open_link(link: Any) -> None:
            await fallback(link.url)
        return open_link

    info.opener = opener  # type: ignore[method-assign]
    app.window.links = info
    app.window.details._links = info


def calendar_event(**kw: Any) -> Meeting:
    start = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)
    return Meeting(id="ev1", account="Work", provider=Provider.ICS, title="Roadmap",
                   start=start, end=start + dt.timedelta(minutes=30), **kw)


ZOOM_NO_PWD = dict(conference_url="https://acme.zoom.us/j/85012345678",
                   description="Passcode: 314159 — backup https://meet.google.com/abc-defg-hij")


async def test_prejoin_fix_reaches_the_opener(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        stub_links(app)
        app.window.join_requested.emit(calendar_event(**ZOOM_NO_PWD))
        dialog = await dialog_of(app.window, PreJoinDialog)
        click(qtbot, dialog, "fix")
        assert await app.opened_url() == "https://acme.zoom.us/j/85012345678?pwd=314159"


async def test_prejoin_cancel_opens_nothing(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        stub_links(app)
        app.controller.spawn(app.controller.join_meeting(calendar_event(**ZOOM_NO_PWD)))
        dialog = await dialog_of(app.window, PreJoinDialog)
        click(qtbot, dialog, "cancel")
        await wait_for(lambda: app.window.banner.text() == "Join cancelled.")
        assert app.opened == []


async def test_join_with_other_link_and_no_findings_opens_directly(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        stub_links(app)
        meeting = calendar_event(**ZOOM_NO_PWD)
        meet = app.window.links.links(meeting)[1]
        app.window.join_with_requested.emit(meeting, meet)
        assert await app.opened_url() == "https://meet.google.com/abc-defg-hij"
        assert "PreJoinDialog" not in app.dialogs.seen


async def test_add_meeting_saves_and_shows_it_then_delete(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        QGuiApplication.clipboard().setText("https://meet.google.com/abc-defg-hij")
        app.window.add_meeting_action.trigger()
        dialog = await dialog_of(app.window, AddMeetingDialog)
        assert dialog.link.text() == "https://meet.google.com/abc-defg-hij"
        qtbot.keyClicks(dialog.title, "Pasted sync")
        click(qtbot, dialog, "ok")
        saved = await wait_for(
            lambda: [m for m in app.window.model.meetings() if m.provider is Provider.LOCAL])
        assert saved[0].title == "Pasted sync"
        db = app.controller.ctx.accounts.database
        assert [x.title for x in LocalMeetings(db).list()] == ["Pasted sync"]
        assert app.window.details.meeting == saved[0]
        # The sync holds saved links itself: a refresh keeps it, once.
        await app.controller.refresh_now()
        assert [m.title for m in app.controller.sync.meetings
                if m.provider is Provider.LOCAL] == ["Pasted sync"]
        await wait_for(lambda: app.window.model.rowCount() == len(app.controller.sync.meetings))
        assert any(m.provider is Provider.LOCAL for m in app.window.model.meetings())
        app.window.details.delete_button.click()
        confirm = await dialog_of(app.window, ConfirmDeleteDialog)
        confirm.accept()
        await wait_for(lambda: not any(m.provider is Provider.LOCAL
                                       for m in app.window.model.meetings()))
        assert LocalMeetings(db).list() == ()
