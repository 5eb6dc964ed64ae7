"""The details pane: everything about the selected meeting, and what can be done with it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from launcher.core.agenda import countdown
from launcher.core.models import Meeting, Provider, Role
from launcher.ui.icons import provider_icon, service_icon
from launcher.ui.linkinfo import LinkInfo, is_plain, service_key, service_name


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _when(meeting: Meeting, tz: dt.tzinfo | None) -> str:
    if meeting.start is None:
        if meeting.expires is not None:
            return f"No fixed time (usable until {meeting.expires.astimezone(tz):%a %d %b %Y})"
        return "No fixed time"
    start = meeting.start.astimezone(tz)
    text = f"{start:%A %d %B %Y, %H:%M}"
    if meeting.end is not None:
        end = meeting.end.astimezone(tz)
        text += f" – {end:%H:%M}" if end.date() == start.date() else f" – {end:%a %d %b %H:%M}"
    return text


class DetailsPane(QWidget):
    """Shows one meeting; its buttons emit requests the controller carries out."""

    join_requested = Signal(object)
    #: (meeting, link): join through one of the other links found in the event.
    join_with_requested = Signal(object, object)
    start_requested = Signal(object)
    edit_requested = Signal(object)
    delete_requested = Signal(object)
    copied = Signal(str)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        clock: Callable[[], dt.datetime] = _now,
        tz: dt.tzinfo | None = None,
        links: LinkInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._tz = tz
        self._links = links if links is not None else LinkInfo()
        self._meeting: Meeting | None = None
        self._found: tuple[Any, ...] = ()
        self.setMinimumWidth(320)

        self._icon = QLabel()
        self._title = QLabel()
        self._title.setTextFormat(Qt.TextFormat.PlainText)  # titles come from providers
        self._title.setWordWrap(True)
        self._title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self._title.setFont(font)
        self._when = QLabel()
        self._when.setWordWrap(True)
        self._countdown = QLabel()
        self._countdown.setObjectName("countdown")

        header = QHBoxLayout()
        header.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        header.addWidget(self._title, 1)

        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self._form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self._rows: dict[str, QLabel] = {}
        for key, label in (
            ("service", "Service"),
            ("provider", "Provider"),
            ("account", "Account"),
            ("calendar", "Calendar"),
            ("location", "Location"),
            ("role", "Your role"),
            ("organizer", "Organiser"),
            ("participants", "Participants"),
            ("number", "Meeting ID"),
            ("passcode", "Passcode"),
            ("dialin", "Dial-in"),
            ("join", "Join link"),
            ("viewer", "Viewer link"),
            ("host", "Host link"),
        ):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
            )
            value.setTextFormat(Qt.TextFormat.PlainText)
            value.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            self._rows[key] = value
            self._form.addRow(label, value)

        self.join_button = QPushButton("Join")
        self.join_button.setDefault(True)
        self.join_button.setObjectName("primary")
        self.start_button = QPushButton("Start as presenter")
        self.copy_link_button = QPushButton("Copy link")
        self.copy_id_button = QPushButton("Copy meeting ID + passcode")
        self.join_with_button = QToolButton()
        self.join_with_button.setText("Join with")
        self.join_with_button.setObjectName("join_with")
        self.join_with_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.join_with_menu = QMenu(self.join_with_button)
        self.join_with_button.setMenu(self.join_with_menu)
        self.edit_button = QPushButton("Edit…")
        self.delete_button = QPushButton("Delete…")
        self.join_button.clicked.connect(self._on_join_clicked)
        self.start_button.clicked.connect(self._on_start_clicked)
        self.copy_link_button.clicked.connect(self._on_copy_link_clicked)
        self.copy_id_button.clicked.connect(self._on_copy_id_clicked)
        self.edit_button.clicked.connect(self._on_edit_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)

        actions = QVBoxLayout()
        first = QHBoxLayout()
        first.addWidget(self.join_button)
        first.addWidget(self.join_with_button)
        first.addWidget(self.start_button)
        second = QHBoxLayout()
        second.addWidget(self.copy_link_button)
        second.addWidget(self.copy_id_button)
        third = QHBoxLayout()
        third.addWidget(self.edit_button)
        third.addWidget(self.delete_button)
        third.addStretch(1)
        actions.addLayout(first)
        actions.addLayout(second)
        actions.addLayout(third)

        self._empty = QLabel("Select a meeting to see its details.")
        self._empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._empty.setWordWrap(True)
        self._empty.setObjectName("placeholder")

        self._body = QWidget()
        body = QVBoxLayout(self._body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addLayout(header)
        body.addWidget(self._when)
        body.addWidget(self._countdown)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        body.addWidget(line)
        body.addLayout(self._form)
        body.addSpacing(8)
        body.addLayout(actions)
        body.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self._empty)
        layout.addWidget(self._body)
        self.set_meeting(None)

    @property
    def meeting(self) -> Meeting | None:
        """The meeting shown, if any."""
        return self._meeting

    def set_meeting(self, meeting: Meeting | None) -> None:
        """Show *meeting* (None: the placeholder)."""
        self._meeting = meeting
        self._empty.setVisible(meeting is None)
        self._body.setVisible(meeting is not None)
        if meeting is None:
            return
        self._found = self._links.links(meeting)
        primary = self._found[0] if self._found else None
        recognised = primary is not None and not is_plain(primary)
        if recognised:
            icon = service_icon(service_key(primary), service_name(primary))
        else:
            icon = provider_icon(meeting.provider)
        self._icon.setPixmap(icon.pixmap(32, 32))
        self._title.setText(meeting.title)
        self._when.setText(_when(meeting, self._tz))
        self.refresh_countdown()
        conf = meeting.conference
        link_id = getattr(primary, "meeting_id", None) if recognised else None
        sources = ", ".join(meeting.sources) if len(meeting.sources) > 1 else None
        values: dict[str, str | None] = {
            "service": service_name(primary) if recognised else None,
            "provider": meeting.provider.label,
            "account": sources or meeting.account,
            "calendar": meeting.calendar,
            "location": meeting.location or None,
            "role": meeting.role.value.capitalize() if meeting.role else None,
            "organizer": meeting.organizer,
            "participants": ", ".join(meeting.participants) or None,
            "number": meeting.number or (conf.conference_id if conf else None) or link_id,
            "passcode": "•" * 4 + " (copied with the ID)"
            if meeting.passcode or (recognised and getattr(primary, "passcode", None)) else None,
            "dialin": conf.numbers_url if conf and conf.numbers_url else None,
            "join": primary.url if primary is not None else meeting.join_url,
            "viewer": meeting.viewer_url,
            "host": "kept private; used by “Start as presenter”" if meeting.host_url else None,
        }
        for key, value in values.items():
            label = self._rows[key]
            label.setText(value or "")
            label.setVisible(value is not None)
            self._form.labelForField(label).setVisible(value is not None)
        self._update_buttons(meeting)

    def refresh_countdown(self) -> None:
        """Update the "in 5 min" line (called by the window's clock)."""
        meeting = self._meeting
        if meeting is None or meeting.start is None:
            self._countdown.setVisible(False)
            return
        now = self._clock()
        ended = meeting.end is not None and meeting.end <= now
        self._countdown.setText("Ended" if ended else countdown(meeting.start, now).capitalize())
        self._countdown.setVisible(True)

    def _update_buttons(self, meeting: Meeting) -> None:
        provider = meeting.provider
        can_start = (provider is Provider.JOINME and meeting.role is Role.PRESENTER) or (
            provider is Provider.WHEREBY and bool(meeting.host_url)
        ) or (provider is Provider.BLUEJEANS and meeting.role is Role.PRESENTER)
        found = self._found
        self.join_button.setEnabled(bool(found) or provider is Provider.SKYPE)
        self.join_button.setText(
            # A provider's own meeting joins through its API flow: plain "Join" there.
            f"Join with {service_name(found[0])}"
            if found and provider.is_calendar and not is_plain(found[0]) else "Join"
        )
        self.start_button.setVisible(can_start)
        self.copy_link_button.setEnabled(bool(found))
        self.copy_id_button.setEnabled(self.id_and_passcode_text() is not None)
        self.join_with_menu.clear()
        for link in found[1:]:
            action = self.join_with_menu.addAction(
                service_icon(service_key(link), service_name(link)),
                f"Join with {service_name(link)}",
            )
            action.setToolTip(link.url)
            action.setData(link.url)
            action.triggered.connect(lambda _=False, x=link: self._on_join_with_triggered(x))
        self.join_with_button.setVisible(len(found) > 1)
        own_joinme = provider is Provider.JOINME and meeting.role is Role.PRESENTER
        self.edit_button.setVisible(own_joinme)
        self.delete_button.setVisible(
            own_joinme or provider in (Provider.WHEREBY, Provider.LOCAL)
        )
        self.delete_button.setText(
            "Delete saved link…" if provider is Provider.LOCAL else "Delete…"
        )

    @property
    def links(self) -> tuple[Any, ...]:
        """The links of the meeting shown, ranked (the first is the one "Join" opens)."""
        return self._found

    def id_and_passcode_text(self) -> str | None:
        """Return what "Copy meeting ID + passcode" copies, or None when there is no ID."""
        meeting = self._meeting
        if meeting is None:
            return None
        number = meeting.number or (
            meeting.conference.conference_id if meeting.conference else None)
        if number:
            text = f"Meeting ID: {number}"
            if meeting.passcode:
                text += f"\nPasscode: {meeting.passcode}"
            return text
        for link in self._found:
            found = self._links.id_and_passcode(link)
            if found:
                return found
        return None

    # ---- slots

    def _on_join_clicked(self) -> None:
        if self._meeting is not None:
            self.join_requested.emit(self._meeting)

    def _on_start_clicked(self) -> None:
        if self._meeting is not None:
            self.start_requested.emit(self._meeting)

    def _on_edit_clicked(self) -> None:
        if self._meeting is not None:
            self.edit_requested.emit(self._meeting)

    def _on_delete_clicked(self) -> None:
        if self._meeting is not None:
            self.delete_requested.emit(self._meeting)

    def _on_join_with_triggered(self, link: object) -> None:
        if self._meeting is not None:
            self.join_with_requested.emit(self._meeting, link)

    def _on_copy_link_clicked(self) -> None:
        if self._meeting is not None and self._found:
            QGuiApplication.clipboard().setText(self._found[0].url)
            self.copied.emit("Link copied")

    def _on_copy_id_clicked(self) -> None:
        text = self.id_and_passcode_text()
        if text is None:
            return
        QGuiApplication.clipboard().setText(text)
        self.copied.emit("Meeting ID and passcode copied" if "\n" in text else "ID copied")

