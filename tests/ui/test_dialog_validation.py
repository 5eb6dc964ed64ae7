"""Every field of every dialog refuses bad input: the field is marked, named, OK is off.

One table per dialog: (what to type, the field that must be marked, how the message
names it). Enter (``accept``) cannot get past the rules either.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog, QWidget

from launcher.core.links import WebBase
from launcher.core.models import Provider
from launcher.ui.account_dialog import AddAccountDialog
from launcher.ui.dialogs import JoinLinkDialog, PasscodeDialog, link_problem
from tests.ui.test_dialogs_create import (
    NOW,
    button,
    is_marked,
    meeting,
    room_dialog,
    schedule,
    set_when,
    visible_errors,
)

pytestmark = pytest.mark.gui

Edit = Callable[[Any], None]


def _refused(dialog: QDialog, widget: QWidget, message: str) -> None:
    assert not button(dialog, "ok").isEnabled(), "OK is enabled"
    assert is_marked(widget), "the field is not marked"
    errors = visible_errors(dialog)
    assert any(text.startswith(message) for text in errors), errors
    dialog.accept()  # Enter
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted


# ---- schedule and edit a join.me meeting -------------------------------------------------

SCHEDULE: list[tuple[str, Edit, str, str]] = [
    ("empty title", lambda d: d._title.setText(""), "title", "Title must not be empty"),
    ("blank title", lambda d: d._title.setText("   "), "title", "Title must not be empty"),
    ("long title", lambda d: d._title.setText("t" * 256), "title", "Title must be at most 255"),
    ("end before start", lambda d: set_when(d._end, NOW + dt.timedelta(minutes=1)), "end",
     "End must be after the start"),
    ("end = start", lambda d: set_when(d._end, d._start.value()), "end",
     "End must be after the start"),
    ("too long", lambda d: set_when(d._end, d._start.value() + dt.timedelta(days=15)), "end",
     "End must be within 14 days"),
    ("bad address", lambda d: d._participants.setPlainText("ann@example.com\nbob@"),
     "participants", "Participant 'bob@' is not a well-formed"),
    ("not an address", lambda d: d._participants.setPlainText("just a name"),
     "participants", "Participant 'just a name' is not a well-formed"),
    ("two at signs", lambda d: d._participants.setPlainText("a@b@example.com"),
     "participants", "Participant 'a@b@example.com' is not a well-formed"),
]


@pytest.mark.parametrize("editing", [False, True], ids=["schedule", "edit"])
@pytest.mark.parametrize(("case", "edit", "field", "message"), SCHEDULE,
                         ids=[c[0] for c in SCHEDULE])
def test_schedule_and_edit_fields(
    qtbot: Any, editing: bool, case: str, edit: Edit, field: str, message: str
) -> None:
    dialog = schedule(qtbot, existing=meeting() if editing else None)
    if not editing:
        dialog._title.setText("Planning")
    edit(dialog)
    assert field in dialog.errors(), (case, dialog.errors())
    widget = {"title": dialog._title, "end": dialog._end,
              "participants": dialog._participants}[field]
    _refused(dialog, widget, message)


def test_schedule_without_an_account(qtbot: Any) -> None:
    dialog = schedule(qtbot, accounts=[])
    dialog._title.setText("Planning")
    _refused(dialog, dialog._account, "Account is missing")


# ---- create a Whereby room ------------------------------------------------------------------

ROOM: list[tuple[str, Edit, str, str]] = [
    ("end in the past", lambda d: set_when(d._end, NOW - dt.timedelta(minutes=5)), "end",
     "End is in the past"),
    ("prefix symbols", lambda d: d._prefix.setText("team_sync!"), "prefix",
     "Prefix may contain only"),
    ("prefix too long", lambda d: d._prefix.setText("a" * 40), "prefix",
     "Prefix must be at most 39"),
]


@pytest.mark.parametrize(("case", "edit", "field", "message"), ROOM, ids=[c[0] for c in ROOM])
def test_create_room_fields(qtbot: Any, case: str, edit: Edit, field: str, message: str) -> None:
    dialog = room_dialog(qtbot)
    assert button(dialog, "ok").isEnabled()
    edit(dialog)
    assert field in dialog.errors(), (case, dialog.errors())
    _refused(dialog, {"end": dialog._end, "prefix": dialog._prefix}[field], message)


def test_create_room_without_an_account(qtbot: Any) -> None:
    dialog = room_dialog(qtbot, accounts=[])
    _refused(dialog, dialog._account, "Account is missing")


def test_start_ad_hoc_without_an_account(qtbot: Any) -> None:
    from launcher.ui.dialogs import StartAdHocDialog

    dialog = StartAdHocDialog(None, [])
    qtbot.addWidget(dialog)
    dialog.show()
    _refused(dialog, dialog._account, "Account is missing")


# ---- add an account ---------------------------------------------------------------------------

SECRET = "typed-secret-value-77"
APP = {"mode": "app"}  # BlueJeans: sign in with an app key and secret
#: (service, what is typed (``mode`` picks the BlueJeans sign-in), the field marked, the
#: message). join.me signs in in the browser: it has no secret field any more.
ACCOUNT: list[tuple[Provider, dict[str, str], str, str]] = [
    (Provider.JOINME, {"name": ""}, "name", "Name: must not be empty"),
    (Provider.JOINME, {"name": "-bad"}, "name", "Name: use up to 64"),
    (Provider.JOINME, {"name": "x" * 65}, "name", "Name: use up to 64"),
    (Provider.JOINME, {"name": "J", "base_url": "ftp://x.example"}, "base_url",
     "API address: is not an absolute"),
    (Provider.JOINME, {"name": "J", "base_url": "https://u:p@x.example"},
     "base_url", "API address: must not contain a user name"),
    (Provider.WHEREBY, {"name": "W"}, "api_key", "API key: a Whereby account needs"),
    (Provider.WHEREBY, {"name": "W", "api_key": "a\u200bb"}, "api_key",
     "API key: must not contain spaces"),
    (Provider.WHEREBY, {"name": "W", "api_key": "has space"}, "api_key",
     "API key: must not contain spaces"),
    (Provider.BLUEJEANS, {"name": "B"}, "username", "User name: give your user name"),
    (Provider.BLUEJEANS, {"name": "B", "username": "u@x.example"}, "password",
     "Password: BlueJeans needs the password"),
    (Provider.BLUEJEANS, {"name": "B", "password": SECRET}, "username",
     "User name: give the user name that goes with the password"),
    (Provider.BLUEJEANS, {"name": "B", "username": "u@x.example", "password": SECRET,
                          "relay_url": "javascript:x"}, "relay_url",
     "Relay address: is not an absolute"),
    (Provider.BLUEJEANS, {"name": "B", "username": "u@x.example", "password": "a\x00b"},
     "password", "Password: must not contain control"),
    (Provider.BLUEJEANS, {**APP, "name": "B", "client_secret": SECRET,
                          "username": "u@x.example"}, "client_id",
     "App key: give the app key"),
    (Provider.BLUEJEANS, {**APP, "name": "B", "client_id": "key",
                          "username": "u@x.example"}, "client_secret",
     "App secret: give the secret"),
    (Provider.BLUEJEANS, {**APP, "name": "B", "client_id": "key", "client_secret": "has space",
                          "username": "u@x.example"}, "client_secret",
     "App secret: must not contain spaces"),
    (Provider.BLUEJEANS, {**APP, "name": "B", "client_id": "key", "client_secret": SECRET,
                          "username": "nobody"}, "username", "User's e-mail: give the user's"),
    (Provider.SKYPE, {"name": "S", "username": "u@c.example", "password": "p"},
     "discovery_url", "Discovery URL: a Skype for Business account needs"),
    (Provider.SKYPE, {"name": "S", "discovery_url": "https://d.example", "username": "nouser",
                      "password": "p"}, "username", "User name: give the sign-in address"),
    (Provider.SKYPE, {"name": "S", "discovery_url": "https://d.example",
                      "username": "u@c.example"}, "password", "Password: a Skype for Business"),
    (Provider.SKYPE, {"name": "S", "discovery_url": "https://d .example",
                      "username": "u@c.example", "password": "p"}, "discovery_url",
     "Discovery URL: must not contain spaces"),
    (Provider.ICS, {"name": "C"}, "base_url", "Calendar address: give the calendar's"),
    (Provider.ICS, {"name": "C", "base_url": "ftp://x.example/c.ics"}, "base_url",
     "Calendar address: "),
    (Provider.ICS, {"name": "C", "base_url": "webcal://u:p@x.example/c.ics"}, "base_url",
     "Calendar address: must not contain a user name"),
    (Provider.ICS, {"name": "C", "base_url": "https://x.example/c.ics", "username": "nobody"},
     "username", "Your e-mail (optional): give your e-mail"),
    (Provider.CALDAV, {"name": "D", "username": "u", "password": SECRET}, "base_url",
     "CalDAV address: give the CalDAV server's address"),
    (Provider.CALDAV, {"name": "D", "base_url": "javascript:x", "username": "u",
                       "password": SECRET}, "base_url", "CalDAV address: is not an absolute"),
    (Provider.CALDAV, {"name": "D", "base_url": "https://dav.example", "username": "u"},
     "password", "Password: a CalDAV account needs"),
]


@pytest.mark.parametrize(("provider", "values", "field", "message"), ACCOUNT,
                         ids=[f"{c[0].value}-{c[2]}-{i}" for i, c in enumerate(ACCOUNT)])
def test_add_account_fields(
    qtbot: Any, provider: Provider, values: dict[str, str], field: str, message: str
) -> None:
    dialog = AddAccountDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.provider.setCurrentIndex(dialog.provider.findData(provider.value))
    values = dict(values)
    if "mode" in values:
        dialog.mode.setCurrentIndex(dialog.mode.findData(values.pop("mode")))
    for key, text in values.items():
        assert dialog.edits[key].isVisible(), key
        dialog.edits[key].setText(text)
    if not values.get(field):
        # A field nobody has typed in yet is not marked red (it says what to type in a
        # quiet colour): type and erase, as a user who left it empty would.
        dialog.edits[field].setText("x")
        dialog.edits[field].setText("")
    assert not dialog.ok.isEnabled()
    marked = {k for k, e in dialog.edits.items() if "border" in e.styleSheet()}
    assert marked == {field}
    assert dialog.error.text().startswith(message), dialog.error.text()
    assert SECRET not in dialog.error.text()
    with qtbot.assertNotEmitted(dialog.submitted):
        dialog._on_ok_clicked()  # Enter / Sign in cannot get past the rules either
    assert dialog.isVisible() and not dialog.busy


# ---- passcode ---------------------------------------------------------------------------------

PASSCODES = [
    ("12 34", "Passcode may contain only letters and digits"),
    ("12-34", "Passcode may contain only letters and digits"),
    ("１２３４", "Passcode may contain only letters and digits"),  # full-width digits
    ("x" * 33, "Passcode must be at most 32 characters"),
]


@pytest.mark.parametrize(("text", "message"), PASSCODES)
def test_passcode_field(qtbot: Any, text: str, message: str) -> None:
    dialog = PasscodeDialog(None, "This meeting needs a passcode.")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._edit.setText(text)
    _refused(dialog, dialog._edit, message)


# ---- join a link ------------------------------------------------------------------------------

BASES = [WebBase("http://127.0.0.1:8765/bluejeans/web", Provider.BLUEJEANS, "BJ")]
LINKS = [
    ("hello", "Link is not a meeting link"),
    ("12345", "Link is not a meeting link"),
    ("ftp://files.example/x", "Link is not a meeting link"),
    ("javascript:alert(1)", "Link is not a meeting link"),
    ("https://user:pw@bluejeans.com/9036439807", "Link is not a meeting link"),
    ("https://blue\u200bjeans.com/9036439807", "Link is not a meeting link"),
    ("https://" + "a" * 5000 + ".com", "Link is not a meeting link"),
]


@pytest.mark.parametrize(("text", "message"), LINKS, ids=[t[:30] for t, _ in LINKS])
def test_join_link_field(qtbot: Any, text: str, message: str) -> None:
    dialog = JoinLinkDialog(None, lambda t: link_problem(t, BASES))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog._edit.setText(text)
    _refused(dialog, dialog._edit, message)
    assert text[:20] not in " ".join(visible_errors(dialog)) or len(text) < 6


@pytest.mark.parametrize(
    "text",
    ["9036439807", "https://bluejeans.com/9036439807/1629", " https://join.me/abc ",
     "http://127.0.0.1:8765/bluejeans/web/9036439807", "https://example.com/any-web-page",
     "zoommtg://zoom.us/join?confno=1"],
)
def test_join_link_accepts_what_can_be_joined_or_opened(qtbot: Any, text: str) -> None:
    dialog = JoinLinkDialog(None, lambda t: link_problem(t, BASES), text=text)
    qtbot.addWidget(dialog)
    dialog.show()
    assert button(dialog, "ok").isEnabled() and visible_errors(dialog) == []
    assert dialog.value() == text.strip()


def test_an_empty_join_link_is_not_an_error_yet(qtbot: Any) -> None:
    dialog = JoinLinkDialog(None, lambda t: link_problem(t, BASES))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not button(dialog, "ok").isEnabled() and visible_errors(dialog) == []
    assert not is_marked(dialog._edit)


async def test_the_window_asks_for_a_link_with_the_checked_dialog(
    qtbot: Any, qloop: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ui.test_controller import demo
    from tests.ui.test_dialogs_join import click, dialog_of

    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        app.window.join_link_requested.emit()
        dialog = await dialog_of(app.window, JoinLinkDialog)
        dialog._edit.setText("https://user:pw@example.com/")
        _refused(dialog, dialog._edit, "Link is not a meeting link")
        dialog._edit.setText(f"{app.base}/bluejeans/web/9036439807/1629")
        click(qtbot, dialog, "ok")
        assert await app.opened_url() == f"{app.base}/bluejeans/web/9036439807/1629"
