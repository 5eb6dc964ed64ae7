"""DetailsPane: what it shows per provider, what it never shows, its buttons and the clipboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFormLayout, QLabel, QPushButton, QWidget

from launcher.core.models import AudioConference, Meeting, Provider, Role
from launcher.ui.details import DetailsPane

pytestmark = pytest.mark.gui

UTC = dt.UTC
NOW = dt.datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
PASSCODE = "482913"
HOST_URL = "https://whereby.test/team-room?roomKey=HOSTSECRETKEY77"
ORGANIZER_CODE = "ORG55501"

BLUEJEANS = Meeting(
    "1002", "Work BlueJeans", Provider.BLUEJEANS, "Weekly planning",
    NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=2),
    join_url="https://bluejeans.test/9036439807", number="9036439807", passcode=PASSCODE,
    participants=("ann@example.test", "bob@example.test"), organizer="dana@example.test",
    role=Role.VIEWER,
    conference=AudioConference("9036439807", "https://bluejeans.test/numbers"),
)
JOINME = Meeting(
    "5001", "Home join.me", Provider.JOINME, "Weekly update with the boss",
    NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=1, hours=1),
    join_url="https://join.me/512345670", role=Role.PRESENTER,
    participants=("boss@joinme.test",),
    conference=AudioConference("987654320", "https://join.me/intphone", ORGANIZER_CODE),
)
WHEREBY = Meeting(
    "52755922", "Whereby", Provider.WHEREBY, "Whereby room team-room",
    NOW - dt.timedelta(hours=1), NOW + dt.timedelta(days=7),
    join_url="https://whereby.test/team-room", host_url=HOST_URL,
    viewer_url="https://whereby.test/team-room?roomKey=viewer", role=Role.PRESENTER,
)
SKYPE = Meeting(
    "LOBBY001", "Lync", Provider.SKYPE, "Customer review", None, None,
    join_url="https://meet.contoso.test/demo/LOBBY001", role=Role.VIEWER,
    organizer="sip:demo@contoso.test",
    conference=AudioConference("12983481", None),
)


@pytest.fixture
def pane(qtbot: Any) -> DetailsPane:
    widget = DetailsPane(clock=lambda: NOW, tz=UTC)
    qtbot.addWidget(widget)
    widget.resize(380, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def rows(pane: DetailsPane) -> dict[str, str]:
    """The visible form rows: label text -> value text."""
    form = pane.findChild(QFormLayout)
    assert form is not None
    shown: dict[str, str] = {}
    for row in range(form.rowCount()):
        label_item = form.itemAt(row, QFormLayout.ItemRole.LabelRole)
        field_item = form.itemAt(row, QFormLayout.ItemRole.FieldRole)
        if label_item is None or field_item is None:
            continue
        label, field = label_item.widget(), field_item.widget()
        assert isinstance(label, QLabel) and isinstance(field, QLabel)
        if field.isVisible():
            assert label.isVisible()
            shown[label.text()] = field.text()
    return shown


def all_texts(widget: QWidget) -> list[str]:
    """Every text a person (or a screen reader) can get out of *widget*."""
    found: list[str] = []
    for child in [widget, *widget.findChildren(QWidget)]:
        found += [child.toolTip(), child.accessibleName(), child.accessibleDescription(),
                  child.statusTip(), child.whatsThis(), child.windowTitle()]
        if isinstance(child, QLabel | QPushButton):
            found.append(child.text())
    return [t for t in found if t]


def label_with(pane: DetailsPane, text: str) -> QLabel:
    for label in pane.findChildren(QLabel):
        if label.text() == text:
            return label
    raise AssertionError(f"no label {text!r}")


def visible_buttons(pane: DetailsPane) -> set[str]:
    return {b.text() for b in pane.findChildren(QPushButton) if b.isVisible()}


# ---- what is shown ---------------------------------------------------------------------------


def test_empty_pane_shows_a_placeholder(pane: DetailsPane) -> None:
    assert pane.meeting is None
    assert label_with(pane, "Select a meeting to see its details.").isVisible()
    assert not pane.join_button.isVisible()


def test_bluejeans_meeting_with_number_and_passcode(pane: DetailsPane) -> None:
    pane.set_meeting(BLUEJEANS)
    assert pane.meeting is BLUEJEANS
    assert not label_with(pane, "Select a meeting to see its details.").isVisible()
    assert label_with(pane, "Weekly planning").isVisible()
    assert label_with(pane, "Monday 04 March 2030, 10:00 – 11:00").isVisible()
    assert label_with(pane, "In 1 h").isVisible()
    shown = rows(pane)
    assert shown["Provider"] == "BlueJeans"
    assert shown["Account"] == "Work BlueJeans"
    assert shown["Your role"] == "Viewer"
    assert shown["Organiser"] == "dana@example.test"
    assert shown["Participants"] == "ann@example.test, bob@example.test"
    assert shown["Meeting ID"] == "9036439807"
    assert shown["Passcode"].startswith("••••") and PASSCODE not in shown["Passcode"]
    assert shown["Dial-in"] == "https://bluejeans.test/numbers"
    assert shown["Join link"] == "https://bluejeans.test/9036439807"
    assert "Host link" not in shown and "Viewer link" not in shown
    assert visible_buttons(pane) == {"Join", "Copy link", "Copy meeting ID + passcode"}
    assert pane.join_button.isEnabled() and pane.copy_id_button.isEnabled()


def test_own_joinme_meeting_can_be_started_edited_and_deleted(pane: DetailsPane) -> None:
    pane.set_meeting(JOINME)
    shown = rows(pane)
    assert shown["Provider"] == "join.me"
    assert shown["Your role"] == "Presenter"
    assert shown["Meeting ID"] == "987654320"  # the conference ID when there is no number
    assert "Passcode" not in shown
    assert visible_buttons(pane) == {
        "Join", "Start as presenter", "Copy link", "Copy meeting ID + passcode", "Edit…", "Delete…"
    }
    assert ORGANIZER_CODE not in " ".join(all_texts(pane))


def test_joinme_meeting_as_viewer_cannot_be_changed(pane: DetailsPane) -> None:
    pane.set_meeting(Meeting("9", "Home join.me", Provider.JOINME, "Someone else's",
                             NOW, NOW + dt.timedelta(hours=1),
                             join_url="https://join.me/777", role=Role.VIEWER))
    assert visible_buttons(pane) == {"Join", "Copy link", "Copy meeting ID + passcode"}
    # The catalogue reads the meeting code from the link itself.
    assert pane.copy_id_button.isEnabled()
    assert "777" in (pane.id_and_passcode_text() or "")


def test_whereby_room_with_host_link_offers_start_and_delete(pane: DetailsPane) -> None:
    pane.set_meeting(WHEREBY)
    shown = rows(pane)
    assert shown["Provider"] == "Whereby"
    assert shown["Join link"] == "https://whereby.test/team-room"
    assert shown["Viewer link"] == "https://whereby.test/team-room?roomKey=viewer"
    assert "Host link" in shown and HOST_URL not in shown["Host link"]
    assert "Start as presenter" in shown["Host link"]
    assert visible_buttons(pane) == {"Join", "Start as presenter", "Copy link",
                                     "Copy meeting ID + passcode", "Delete…"}
    assert label_with(pane, "Started 1 h 00 min ago").isVisible()


def test_whereby_room_without_host_link_cannot_be_started(pane: DetailsPane) -> None:
    pane.set_meeting(Meeting("8", "Whereby", Provider.WHEREBY, "Guest room", NOW,
                             NOW + dt.timedelta(days=1), join_url="https://whereby.test/guest"))
    assert "Start as presenter" not in visible_buttons(pane)
    assert "Delete…" in visible_buttons(pane)


def test_skype_meeting_without_a_fixed_time(pane: DetailsPane) -> None:
    pane.set_meeting(SKYPE)
    assert label_with(pane, "No fixed time").isVisible()
    assert not any(label.isVisible() and label.objectName() == "countdown"
                   for label in pane.findChildren(QLabel))
    shown = rows(pane)
    assert shown["Provider"] == "Skype for Business"
    assert shown["Meeting ID"] == "12983481"
    assert "Dial-in" not in shown
    assert visible_buttons(pane) == {"Join", "Copy link", "Copy meeting ID + passcode"}
    # Expiring meeting spaces say until when they can be used.
    pane.set_meeting(Meeting("X", "Lync", Provider.SKYPE, "Space", None, None,
                             join_url="https://meet.contoso.test/demo/X",
                             expires=dt.datetime(2030, 4, 1, 12, tzinfo=UTC)))
    assert label_with(pane, "No fixed time (usable until Mon 01 Apr 2030)").isVisible()


def test_ended_meeting_says_so(pane: DetailsPane) -> None:
    pane.set_meeting(Meeting("7", "Work", Provider.BLUEJEANS, "Yesterday",
                             NOW - dt.timedelta(days=1), NOW - dt.timedelta(hours=23),
                             join_url="https://bluejeans.test/1"))
    assert label_with(pane, "Ended").isVisible()


def test_switching_meetings_leaves_nothing_of_the_previous_one(pane: DetailsPane) -> None:
    pane.set_meeting(BLUEJEANS)
    pane.set_meeting(WHEREBY)
    shown = rows(pane)
    assert "Passcode" not in shown and "Organiser" not in shown and "Dial-in" not in shown
    pane.set_meeting(None)
    assert pane.meeting is None
    assert label_with(pane, "Select a meeting to see its details.").isVisible()


@pytest.mark.parametrize("meeting", [BLUEJEANS, JOINME, WHEREBY, SKYPE], ids=lambda m: m.id)
def test_secrets_never_appear_in_any_text(pane: DetailsPane, meeting: Meeting) -> None:
    pane.set_meeting(meeting)
    text = "\n".join(all_texts(pane))
    for secret in (PASSCODE, HOST_URL, "HOSTSECRETKEY77", ORGANIZER_CODE):
        assert secret not in text


def test_meeting_titles_are_shown_as_plain_text(pane: DetailsPane) -> None:
    title = "<b>Q3</b> review <img src='x'>"
    pane.set_meeting(Meeting("t", "Work", Provider.BLUEJEANS, title, NOW, None,
                             join_url="https://bluejeans.test/2"))
    label = label_with(pane, title)
    assert label.textFormat() == Qt.TextFormat.PlainText


# ---- clipboard -------------------------------------------------------------------------------


def test_copy_link_puts_the_join_link_on_the_clipboard(qtbot: Any, pane: DetailsPane) -> None:
    QGuiApplication.clipboard().clear()
    pane.set_meeting(WHEREBY)
    with qtbot.waitSignal(pane.copied, timeout=1000) as blocker:
        qtbot.mouseClick(pane.copy_link_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "https://whereby.test/team-room"
    assert blocker.args == ["Link copied"]


def test_copy_id_and_passcode(qtbot: Any, pane: DetailsPane) -> None:
    QGuiApplication.clipboard().clear()
    pane.set_meeting(BLUEJEANS)
    with qtbot.waitSignal(pane.copied, timeout=1000) as blocker:
        qtbot.mouseClick(pane.copy_id_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == (
        f"Meeting ID: 9036439807\nPasscode: {PASSCODE}"
    )
    assert blocker.args == ["Meeting ID and passcode copied"]

    pane.set_meeting(JOINME)
    with qtbot.waitSignal(pane.copied, timeout=1000) as blocker:
        qtbot.mouseClick(pane.copy_id_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == "Meeting ID: 987654320"
    assert blocker.args == ["ID copied"]


def test_nothing_to_copy_disables_the_buttons(pane: DetailsPane) -> None:
    # Dial-in numbers but no conference ID, and no link: nothing to copy.
    pane.set_meeting(Meeting("d", "Work", Provider.BLUEJEANS, "Dial-in only", NOW, None,
                             conference=AudioConference(None, "https://bluejeans.test/numbers")))
    assert not pane.copy_id_button.isEnabled()
    assert not pane.copy_link_button.isEnabled()
    assert not pane.join_button.isEnabled()


# ---- requests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("button", "signal", "meeting"),
    [
        ("join_button", "join_requested", BLUEJEANS),
        ("join_button", "join_requested", SKYPE),
        ("start_button", "start_requested", JOINME),
        ("start_button", "start_requested", WHEREBY),
        ("edit_button", "edit_requested", JOINME),
        ("delete_button", "delete_requested", JOINME),
        ("delete_button", "delete_requested", WHEREBY),
    ],
)
def test_each_button_emits_its_request_with_the_meeting(
    qtbot: Any, pane: DetailsPane, button: str, signal: str, meeting: Meeting
) -> None:
    pane.set_meeting(meeting)
    widget: QPushButton = getattr(pane, button)
    assert widget.isVisible() and widget.isEnabled()
    with qtbot.waitSignal(getattr(pane, signal), timeout=1000) as blocker:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    assert blocker.args == [meeting]
