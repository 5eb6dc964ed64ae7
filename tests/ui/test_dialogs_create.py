"""Create/edit dialogs: inline validation by the providers' rules, results, copyable links."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from launcher.core.errors import InvalidInput
from launcher.core.models import AudioConference, Meeting, Provider, Room, StartedMeeting
from launcher.providers.joinme.protocol import MeetingPatch, ScheduleDraft
from launcher.providers.whereby.protocol import RoomDraft
from launcher.ui.dialogs import (
    ConfirmDeleteDialog,
    CreateRoomDialog,
    RoomCreatedDialog,
    ScheduleMeetingDialog,
    StartAdHocDialog,
    StartedMeetingDialog,
)
from launcher.ui.dialogs._widgets import DateTimeEditor, FieldMessage
from tests.ui.test_dialogs_join import button, click, dialog_of, headline_of, texts

pytestmark = pytest.mark.gui

TZ = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2024, 6, 4, 12, 7, tzinfo=dt.UTC)  # 14:07 in Berlin (CEST)
PRESENTER = "https://secure.join.me/API/Public/StartMeeting.aspx?token=one-time-SECRET"


@pytest.fixture
def parent(qtbot: Any) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    return widget


def child(dialog: QWidget, kind: type[Any], name: str) -> Any:
    found = dialog.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} {name!r}"
    return found


def set_when(editor: DateTimeEditor, value: dt.datetime) -> None:
    """Type a local date and time into a date+time editor pair."""
    shown = value.astimezone(TZ)
    editor.date_edit.setDate(QDate(shown.year, shown.month, shown.day))
    editor.time_edit.setTime(QTime(shown.hour, shown.minute))


def is_marked(widget: QWidget) -> bool:
    """Whether the field (or the outline around it) has the red "invalid" mark."""
    node: QWidget | None = widget
    while node is not None and not isinstance(node, QDialog):
        if node.property("invalid"):
            return True
        node = node.parentWidget()
    return False


def visible_errors(dialog: QWidget) -> list[str]:
    return [m.text() for m in dialog.findChildren(FieldMessage) if m.is_error()]


def meeting(**changes: Any) -> Meeting:
    values: dict[str, Any] = {
        "id": "4711",
        "account": "work",
        "provider": Provider.JOINME,
        "title": "Sprint review",
        "start": NOW + dt.timedelta(days=1),
        "end": NOW + dt.timedelta(days=1, hours=1),
        "join_url": "https://join.me/123456789",
        "participants": ("ann@example.com", "bob@example.com"),
    }
    values.update(changes)
    return Meeting(**values)


# ---- schedule -----------------------------------------------------------------------------


def schedule(qtbot: Any, accounts: list[str] | None = None, **kwargs: Any) -> ScheduleMeetingDialog:
    dialog = ScheduleMeetingDialog(
        None, ["work", "home"] if accounts is None else accounts, now=NOW, tz=TZ, **kwargs
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_schedule_defaults_to_the_next_half_hour_in_local_time(qtbot: Any) -> None:
    dialog = schedule(qtbot)
    assert dialog.windowTitle() == "Schedule a join.me meeting"
    start = child(dialog, DateTimeEditor, "start")
    end = child(dialog, DateTimeEditor, "end")
    assert start.value() == dt.datetime(2024, 6, 4, 14, 30, tzinfo=TZ)
    assert end.value() == dt.datetime(2024, 6, 4, 15, 30, tzinfo=TZ)
    assert "CEST, UTC+02:00" in child(dialog, QLabel, "zone_note").text()
    # The empty title keeps OK off; untouched, it is a hint, not a red error.
    assert not button(dialog, "ok").isEnabled()
    assert button(dialog, "ok").isDefault()
    assert not is_marked(child(dialog, QLineEdit, "title"))
    assert "Title must not be empty" in texts(dialog)


def test_schedule_result_is_a_validated_draft(qtbot: Any) -> None:
    dialog = schedule(qtbot)
    qtbot.keyClicks(child(dialog, QLineEdit, "title"), "  Planning  ")
    child(dialog, QPlainTextEdit, "participants").setPlainText(
        "ann@example.com\n\n bob@example.com , carol@example.org;ANN@example.com"
    )
    child(dialog, QCheckBox, "personal_url").setChecked(True)
    child(dialog, QComboBox, "account").setCurrentIndex(1)
    assert button(dialog, "ok").isEnabled()
    assert visible_errors(dialog) == []
    account, draft = dialog.result_value()
    assert account == "home"
    assert draft == ScheduleDraft(
        title="Planning",
        start=dt.datetime(2024, 6, 4, 12, 30, tzinfo=dt.UTC),
        end=dt.datetime(2024, 6, 4, 13, 30, tzinfo=dt.UTC),
        participants=("ann@example.com", "bob@example.com", "carol@example.org"),
        personal_url=True,
    )


def test_moving_the_start_keeps_the_length(qtbot: Any) -> None:
    dialog = schedule(qtbot)
    start = child(dialog, DateTimeEditor, "start")
    end = child(dialog, DateTimeEditor, "end")
    set_when(end, dt.datetime(2024, 6, 4, 16, 0, tzinfo=TZ))  # 90 minutes
    set_when(start, dt.datetime(2024, 6, 5, 9, 0, tzinfo=TZ))
    assert end.value() == dt.datetime(2024, 6, 5, 10, 30, tzinfo=TZ)
    assert "Lasts 1 h 30 min" in texts(dialog)


@pytest.mark.parametrize(
    ("field", "edit", "message"),
    [
        (
            "title",
            lambda d: (d._title.setText("x"), d._title.setText("")),
            "Title must not be empty",
        ),
        ("title", lambda d: d._title.setText("t" * 256), "Title must be at most 255 characters"),
        (
            "end",
            lambda d: set_when(d._end, dt.datetime(2024, 6, 4, 14, 0, tzinfo=TZ)),
            "End must be after the start",
        ),
        (
            "end",
            lambda d: set_when(d._end, dt.datetime(2024, 6, 19, 14, 31, tzinfo=TZ)),
            "End must be within 14 days of the start",
        ),
        (
            "participants",
            lambda d: d._participants.setPlainText("ann@example.com\nbob@\ncarol@example.org"),
            "Participant 'bob@' is not a well-formed e-mail address",
        ),
    ],
)
def test_schedule_marks_the_field_in_error(qtbot: Any, field: str, edit: Any, message: str) -> None:
    dialog = schedule(qtbot)
    dialog._title.setText("Planning")
    assert button(dialog, "ok").isEnabled()
    edit(dialog)
    assert not button(dialog, "ok").isEnabled()
    assert field in dialog.errors()
    assert any(text.startswith(message) for text in visible_errors(dialog)), visible_errors(dialog)
    widget = {"title": dialog._title, "end": dialog._end, "participants": dialog._participants}
    assert is_marked(widget[field])
    assert not is_marked(dialog._account)
    with pytest.raises(InvalidInput):
        dialog.result_value()
    dialog.accept()  # Enter cannot send it anyway
    assert dialog.isVisible()


def test_schedule_without_account_names_it(qtbot: Any) -> None:
    dialog = schedule(qtbot, accounts=[])
    dialog._title.setText("Planning")
    assert not button(dialog, "ok").isEnabled()
    assert dialog.errors() == {"account": "is missing: add a join.me account first"}
    assert "Account is missing: add a join.me account first" in texts(dialog)


def test_fixing_the_field_clears_the_mark(qtbot: Any) -> None:
    dialog = schedule(qtbot)
    dialog._title.setText("Planning")
    dialog._participants.setPlainText("nope")
    assert is_marked(dialog._participants)
    dialog._participants.setPlainText("ann@example.com")
    assert not is_marked(dialog._participants)
    assert visible_errors(dialog) == []
    assert button(dialog, "ok").isEnabled()


def test_edit_sends_only_what_changed(qtbot: Any) -> None:
    current = meeting()
    dialog = schedule(qtbot, accounts=["work", "home"], existing=current)
    assert dialog.windowTitle() == "Edit join.me meeting"
    assert headline_of(dialog) == "Edit “Sprint review”"
    assert dialog._title.text() == "Sprint review"
    assert dialog._participants.toPlainText() == "ann@example.com\nbob@example.com"
    assert not child(dialog, QComboBox, "account").isEnabled()
    assert not button(dialog, "ok").isEnabled()
    assert "Nothing changed yet." in texts(dialog)
    assert button(dialog, "ok").text() == "Save changes"

    dialog._title.setText("Sprint review #2")
    assert dialog.result_value() == ("work", MeetingPatch(title="Sprint review #2"))
    dialog._title.setText("Sprint review")
    assert not button(dialog, "ok").isEnabled()

    assert current.end is not None
    later = current.end + dt.timedelta(minutes=30)
    set_when(dialog._end, later)
    assert dialog.result_value() == ("work", MeetingPatch(end=later))
    set_when(dialog._end, current.end)

    dialog._participants.setPlainText("ann@example.com")
    assert dialog.result_value() == ("work", MeetingPatch(participants=("ann@example.com",)))
    dialog._participants.setPlainText("ann@example.com\nbob@example.com")

    link = child(dialog, QComboBox, "link")
    link.setCurrentIndex(link.findData("personal"))
    assert dialog.result_value() == ("work", MeetingPatch(personal_url=True))


def test_edit_checks_times_against_the_meeting(qtbot: Any) -> None:
    current = meeting()
    dialog = schedule(qtbot, existing=current)
    assert current.start is not None
    set_when(dialog._end, current.start - dt.timedelta(hours=1))
    assert not button(dialog, "ok").isEnabled()
    assert dialog.errors()["end"] == "must be after the start"
    assert is_marked(dialog._end)


async def test_schedule_ask(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    task = asyncio.create_task(ScheduleMeetingDialog.ask(parent, ["work"], now=NOW, tz=TZ))
    dialog = await dialog_of(parent, ScheduleMeetingDialog)
    qtbot.keyClicks(child(dialog, QLineEdit, "title"), "Planning")
    click(qtbot, dialog, "ok")
    result = await task
    assert result is not None
    assert result[0] == "work"
    assert isinstance(result[1], ScheduleDraft)
    assert result[1].title == "Planning"


# ---- delete -------------------------------------------------------------------------------


async def test_confirm_delete(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    task = asyncio.create_task(ConfirmDeleteDialog.ask(parent, meeting()))
    dialog = await dialog_of(parent, ConfirmDeleteDialog)
    assert headline_of(dialog) == "Delete “Sprint review”?"
    assert any("This cannot be undone." in t for t in texts(dialog))
    assert button(dialog, "cancel").isDefault()  # Enter never deletes
    assert not button(dialog, "delete").isDefault()
    click(qtbot, dialog, "delete")
    assert await task is True
    room = meeting(provider=Provider.WHEREBY, title="team-sync")
    task = asyncio.create_task(ConfirmDeleteDialog.ask(parent, room))
    dialog = await dialog_of(parent, ConfirmDeleteDialog)
    assert dialog.windowTitle() == "Delete room"
    click(qtbot, dialog, "cancel")
    assert await task is False


# ---- start ad hoc -------------------------------------------------------------------------


def test_start_ad_hoc_choices(qtbot: Any) -> None:
    dialog = StartAdHocDialog(None, ["work", "home"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.result_value() == ("work", False, False)
    headless = child(dialog, QCheckBox, "headless")
    assert headless.text() == "Headless viewer (no controls for viewers)"
    headless.setChecked(True)
    child(dialog, QCheckBox, "personal_url").setChecked(True)
    child(dialog, QComboBox, "account").setCurrentIndex(1)
    assert dialog.result_value() == ("home", True, True)
    assert button(dialog, "ok").isDefault()


def test_start_ad_hoc_needs_an_account(qtbot: Any) -> None:
    dialog = StartAdHocDialog(None, [])
    qtbot.addWidget(dialog)
    dialog.show()
    assert not button(dialog, "ok").isEnabled()
    assert "Account is missing: add a join.me account first" in visible_errors(dialog)
    assert is_marked(child(dialog, QComboBox, "account"))
    with pytest.raises(InvalidInput):
        dialog.result_value()


async def test_start_ad_hoc_ask(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    task = asyncio.create_task(StartAdHocDialog.ask(parent, ["work"]))
    dialog = await dialog_of(parent, StartAdHocDialog)
    child(dialog, QCheckBox, "headless").setChecked(True)
    click(qtbot, dialog, "ok")
    assert await task == ("work", True, False)


# ---- create room --------------------------------------------------------------------------


def room_dialog(qtbot: Any, accounts: list[str] | None = None) -> CreateRoomDialog:
    dialog = CreateRoomDialog(None, ["team"] if accounts is None else accounts, now=NOW, tz=TZ)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_create_room_defaults_to_an_hour_from_now(qtbot: Any) -> None:
    dialog = room_dialog(qtbot)
    assert child(dialog, DateTimeEditor, "end").value() == NOW.replace(second=0) + dt.timedelta(
        hours=1
    )
    assert button(dialog, "ok").isEnabled()
    assert button(dialog, "ok").isDefault()
    account, draft = dialog.result_value()
    assert account == "team"
    assert draft == RoomDraft(
        end=dt.datetime(2024, 6, 4, 13, 7, tzinfo=dt.UTC),
        is_locked=False,
        room_mode="normal",
        prefix=None,
        pattern="uuid",
        viewer_mode=False,
        host_url=False,
        viewer_url=False,
    )


def test_prefix_preview_shows_the_normalised_prefix(qtbot: Any) -> None:
    dialog = room_dialog(qtbot)
    assert "Without a prefix" in dialog.prefix_preview()
    qtbot.keyClicks(child(dialog, QLineEdit, "prefix"), "Customer 0348-")
    assert dialog.prefix_preview() == "Room name: customer0348-… then a generated long ID"
    pattern = child(dialog, QComboBox, "pattern")
    pattern.setCurrentIndex(pattern.findData("human-short"))
    assert dialog.prefix_preview().endswith("short code")
    _account, draft = dialog.result_value()
    assert draft.prefix == "customer0348-"
    assert draft.pattern == "human-short"


@pytest.mark.parametrize(
    ("field", "edit", "message"),
    [
        (
            "prefix",
            lambda d: d._prefix.setText("team_sync!"),
            "Prefix may contain only letters a-z, digits and hyphens",
        ),
        ("prefix", lambda d: d._prefix.setText("a" * 40), "Prefix must be at most 39 characters"),
        (
            "end",
            lambda d: set_when(d._end, NOW - dt.timedelta(minutes=5)),
            "End is in the past",
        ),
    ],
)
def test_create_room_marks_the_field_in_error(
    qtbot: Any, field: str, edit: Any, message: str
) -> None:
    dialog = room_dialog(qtbot)
    edit(dialog)
    assert not button(dialog, "ok").isEnabled()
    assert field in dialog.errors()
    assert any(text.startswith(message) for text in visible_errors(dialog)), visible_errors(dialog)
    assert is_marked({"prefix": dialog._prefix, "end": dialog._end}[field])
    with pytest.raises(InvalidInput):
        dialog.result_value()


def test_create_room_needs_an_account(qtbot: Any) -> None:
    dialog = room_dialog(qtbot, accounts=[])
    assert not button(dialog, "ok").isEnabled()
    assert dialog.errors() == {"account": "is missing: add a Whereby account first"}


def test_viewer_mode_forces_locked_group_and_links(qtbot: Any) -> None:
    dialog = room_dialog(qtbot)
    locked = child(dialog, QCheckBox, "locked")
    group = child(dialog, QCheckBox, "group")
    host = child(dialog, QCheckBox, "host_url")
    viewer = child(dialog, QCheckBox, "viewer_url")
    locked.setChecked(True)
    child(dialog, QCheckBox, "viewer_mode").setChecked(True)
    for box in (locked, group, host, viewer):
        assert box.isChecked()
        assert not box.isEnabled()  # shown, and visibly forced
    assert any("Viewer mode always makes a locked group room" in t for t in texts(dialog))
    _account, draft = dialog.result_value()
    assert (draft.viewer_mode, draft.is_locked, draft.room_mode) == (True, True, "group")
    assert draft.host_url and draft.viewer_url
    child(dialog, QCheckBox, "viewer_mode").setChecked(False)
    assert [b.isChecked() for b in (locked, group, host, viewer)] == [True, False, False, False]
    assert all(b.isEnabled() for b in (locked, group, host, viewer))


async def test_create_room_ask(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    task = asyncio.create_task(CreateRoomDialog.ask(parent, ["team"], now=NOW, tz=TZ))
    dialog = await dialog_of(parent, CreateRoomDialog)
    child(dialog, QCheckBox, "group").setChecked(True)
    child(dialog, QCheckBox, "host_url").setChecked(True)
    click(qtbot, dialog, "ok")
    result = await task
    assert result is not None
    assert result[1].room_mode == "group"
    assert result[1].host_url is True


# ---- started meeting, created room --------------------------------------------------------


def started() -> StartedMeeting:
    return StartedMeeting(
        viewer_link="https://join.me/987654321",
        presenter_link=PRESENTER,
        conference=AudioConference("987654321", "https://join.me/intphone/987654321", "4242"),
    )


def test_started_meeting_never_shows_the_presenter_link(qtbot: Any) -> None:
    QGuiApplication.clipboard().clear()
    dialog = StartedMeetingDialog(None, started())
    qtbot.addWidget(dialog)
    dialog.show()
    assert any("works once and expires in 10 minutes" in t for t in texts(dialog))
    for name in ("viewer_link_copy", "conference_id_copy", "dial_in_copy", "organizer_code_show"):
        click(qtbot, dialog, name)
        assert "token" not in QGuiApplication.clipboard().text()
    assert not any("token" in t or "StartMeeting" in t for t in texts(dialog))
    assert "token" not in repr(dialog.__dict__)


def test_started_meeting_links_copy_and_code_hidden_until_show(qtbot: Any) -> None:
    dialog = StartedMeetingDialog(None, started())
    qtbot.addWidget(dialog)
    dialog.show()
    assert child(dialog, QLineEdit, "viewer_link_text").isReadOnly()
    click(qtbot, dialog, "viewer_link_copy")
    assert QGuiApplication.clipboard().text() == "https://join.me/987654321"
    assert button(dialog, "viewer_link_copy").text() == "Copied"
    click(qtbot, dialog, "conference_id_copy")
    assert QGuiApplication.clipboard().text() == "987654321"
    assert child(dialog, QLineEdit, "dial_in_text").text() == "https://join.me/intphone/987654321"
    code = child(dialog, QLabel, "organizer_code_value")
    assert code.text() == "••••"
    assert "4242" not in texts(dialog)
    click(qtbot, dialog, "organizer_code_show")
    assert code.text() == "4242"
    click(qtbot, dialog, "organizer_code_show")
    assert code.text() == "••••"
    assert button(dialog, "close").isDefault()


def test_started_meeting_without_audio(qtbot: Any) -> None:
    dialog = StartedMeetingDialog(None, StartedMeeting("https://join.me/1", PRESENTER))
    qtbot.addWidget(dialog)
    assert dialog.conference_id is None and dialog.organizer_code is None
    assert dialog.findChild(QLineEdit, "conference_id_text") is None


def test_room_created_links(qtbot: Any) -> None:
    room = Room(
        id="42",
        room_name="/team-sync-793e9ec1",
        room_url="https://team.whereby.com/team-sync-793e9ec1",
        start=NOW,
        end=NOW + dt.timedelta(hours=1),
        host_url="https://team.whereby.com/team-sync-793e9ec1?roomKey=host",
        viewer_url="https://team.whereby.com/team-sync-793e9ec1?roomKey=view",
    )
    dialog = RoomCreatedDialog(None, room, tz=TZ)
    qtbot.addWidget(dialog)
    dialog.show()
    assert any("open until Tue 4 Jun 2024, 15:07" in t for t in texts(dialog))
    note = child(dialog, QLabel, "host_note")
    assert note.text() == "Gives host rights — share carefully."
    for name, url in (
        ("room_link", room.room_url),
        ("host_link", room.host_url),
        ("viewer_link", room.viewer_url),
    ):
        edit = child(dialog, QLineEdit, f"{name}_text")
        assert edit.isReadOnly() and edit.text() == url
        qtbot.mouseClick(button(dialog, f"{name}_copy"), Qt.MouseButton.LeftButton)
        assert QGuiApplication.clipboard().text() == url


def test_room_created_without_role_links(qtbot: Any) -> None:
    room = Room("1", "/r", "https://x.whereby.com/r", None, NOW + dt.timedelta(hours=1))
    dialog = RoomCreatedDialog(None, room, tz=TZ)
    qtbot.addWidget(dialog)
    assert dialog.host_link is None and dialog.viewer_link is None
    assert dialog.findChild(QLabel, "host_note") is None
