"""Whereby dialogs: create a room (inline validation) and show the created room's links."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from launcher.core.errors import InvalidInput
from launcher.core.models import Room
from launcher.providers.whereby.protocol import RoomDraft, normalize_prefix, validate_room
from launcher.ui.asyncqt import accepted, run_dialog
from launcher.ui.dialogs._widgets import (
    CopyField,
    DateTimeEditor,
    FieldErrors,
    FieldMessage,
    Now,
    Outline,
    accept_row,
    add_button,
    body,
    clock_of,
    field_box,
    format_duration,
    format_local,
    header_layout,
    headline,
    local,
    prepare,
    set_primary,
    zone_label,
)
from launcher.ui.dialogs.joinme import account_combo

#: The colour of the "share carefully" note under a host link.
WARNING_COLOR = "#9a6700"

#: What the create-room dialog answers: the account and a validated draft.
RoomResult = tuple[str, RoomDraft]

_PATTERNS = (
    ("Long and unguessable (uuid)", "uuid"),
    ("Short and easy to read (human-short)", "human-short"),
)


def _form() -> QFormLayout:
    form = QFormLayout()
    form.setContentsMargins(0, 0, 0, 0)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(10)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    return form


def _outer(dialog: QDialog) -> QVBoxLayout:
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(18, 18, 18, 14)
    outer.setSpacing(14)
    return outer


class CreateRoomDialog(QDialog):
    """Create a Whereby room, checked with the provider's ``validate_room`` as you type.

    Viewer mode makes a locked group room with host and viewer links: those boxes are
    then ticked and greyed, so what will happen is visible.
    """

    def __init__(
        self,
        parent: QWidget | None,
        accounts: Sequence[str],
        *,
        now: Now = None,
        tz: dt.tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("create_room_dialog")
        self._clock = clock_of(now)
        self._tz = tz
        prepare(self, "Create a Whereby room", min_width=520)
        outer = _outer(self)
        top = QVBoxLayout()
        top.setSpacing(4)
        top.addWidget(headline("Create a Whereby room"))
        self._zone = body("", role="note")
        self._zone.setObjectName("zone_note")
        top.addWidget(self._zone)
        outer.addLayout(top)
        errors = self._errors = FieldErrors()

        self._account = account_combo(accounts)
        account_msg = FieldMessage()
        self._end = DateTimeEditor(tz, name="end")
        end_msg = FieldMessage()
        self._prefix = QLineEdit()
        self._prefix.setObjectName("prefix")
        self._prefix.setPlaceholderText("Optional, e.g. team-sync")
        self._prefix.setMaxLength(80)
        prefix_msg = FieldMessage()
        prefix_msg.setObjectName("prefix_message")
        self._pattern = QComboBox()
        self._pattern.setObjectName("pattern")
        for label, value in _PATTERNS:
            self._pattern.addItem(label, value)
        pattern_msg = FieldMessage()
        self._locked = QCheckBox("Locked: people knock and a host lets them in")
        self._locked.setObjectName("locked")
        self._group = QCheckBox("Group room: more than 4 people")
        self._group.setObjectName("group")
        self._viewer_mode = QCheckBox("Viewer mode: viewers watch without camera or microphone")
        self._viewer_mode.setObjectName("viewer_mode")
        mode_msg = FieldMessage()
        self._host_url = QCheckBox("Host link (gives host rights)")
        self._host_url.setObjectName("host_url")
        self._viewer_url = QCheckBox("Viewer link")
        self._viewer_url.setObjectName("viewer_url")

        outlines = {
            name: Outline(widget)
            for name, widget in (
                ("account", self._account),
                ("end", self._end),
                ("prefix", self._prefix),
                ("pattern", self._pattern),
            )
        }
        errors.add("account", "Account", [outlines["account"]], account_msg)
        if self._account.count() == 0:
            errors.touch("account")  # nothing to pick: say so in red at once
        errors.add("end", "End", [outlines["end"]], end_msg)
        errors.add("prefix", "Prefix", [outlines["prefix"]], prefix_msg)
        errors.add("pattern", "Name pattern", [outlines["pattern"]], pattern_msg)

        choices = QWidget()
        choices_col = QVBoxLayout(choices)
        choices_col.setContentsMargins(0, 0, 0, 0)
        choices_col.setSpacing(4)
        for box in (self._locked, self._group, self._viewer_mode):
            choices_col.addWidget(box)
        mode_box = Outline(choices)
        errors.add("mode", "Room mode", [mode_box], mode_msg)
        access = field_box(mode_box, message=mode_msg)
        links = QWidget()
        links_col = QVBoxLayout(links)
        links_col.setContentsMargins(0, 0, 0, 0)
        links_col.setSpacing(4)
        links_col.addWidget(self._host_url)
        links_col.addWidget(self._viewer_url)

        form = _form()
        form.addRow("Account:", field_box(outlines["account"], message=account_msg))
        form.addRow("End:", field_box(outlines["end"], message=end_msg))
        form.addRow("Name prefix:", field_box(outlines["prefix"], message=prefix_msg))
        form.addRow("Name style:", field_box(outlines["pattern"], message=pattern_msg))
        form.addRow("Access:", access)
        form.addRow("Also create:", links)
        outer.addLayout(form)

        self._ok = accept_row(self, outer, "Create room")

        end = local(self._clock(), tz).replace(second=0, microsecond=0) + dt.timedelta(hours=1)
        self._end.set_value(end)
        self._remembered = (self._locked.isChecked(), self._group.isChecked())
        self._links_remembered = (self._host_url.isChecked(), self._viewer_url.isChecked())
        self._end.changed.connect(self._on_end_changed)
        self._prefix.textChanged.connect(self._on_prefix_text_changed)
        self._pattern.currentIndexChanged.connect(self._on_pattern_current_index_changed)
        self._viewer_mode.toggled.connect(self._on_viewer_mode_toggled)
        for box in (self._locked, self._group, self._host_url, self._viewer_url):
            box.toggled.connect(self._on_option_toggled)
        self._validate()
        self._prefix.setFocus()

    # -- public ---------------------------------------------------------------------------------

    def draft(self) -> RoomDraft:
        """Return the room as the fields describe it now (not yet validated)."""
        viewer = self._viewer_mode.isChecked()
        return RoomDraft(
            end=self._end.value(),
            is_locked=True if viewer else self._locked.isChecked(),
            room_mode="group" if viewer or self._group.isChecked() else "normal",
            prefix=self._prefix.text() or None,
            pattern=str(self._pattern.currentData()),
            viewer_mode=viewer,
            host_url=viewer or self._host_url.isChecked(),
            viewer_url=viewer or self._viewer_url.isChecked(),
        )

    def errors(self) -> dict[str, str]:
        """Return every problem now, by field (account, end, prefix, pattern, mode)."""
        return self._check()[0]

    def is_valid(self) -> bool:
        """Return whether OK may be pressed."""
        problems, result = self._check()
        return not problems and result is not None

    def result_value(self) -> RoomResult:
        """Return ``(account, validated RoomDraft)``; InvalidInput while invalid."""
        problems, result = self._check()
        for field, reason in problems.items():
            raise InvalidInput(field, reason)
        assert result is not None
        return result

    def prefix_preview(self) -> str:
        """Return the preview line under the prefix field."""
        return self._errors.message("prefix").text()

    def accept(self) -> None:
        """Close with OK only when valid."""
        if self.is_valid():
            super().accept()

    @classmethod
    async def ask(
        cls,
        parent: QWidget | None,
        accounts: Sequence[str],
        *,
        now: Now = None,
        tz: dt.tzinfo | None = None,
    ) -> RoomResult | None:
        """Ask without blocking the loop; None when cancelled."""
        dialog = cls(parent, accounts, now=now, tz=tz)
        try:
            return dialog.result_value() if accepted(await run_dialog(dialog)) else None
        finally:
            dialog.deleteLater()

    # -- checking -------------------------------------------------------------------------------

    def _check(self) -> tuple[dict[str, str], RoomResult | None]:
        problems: dict[str, str] = {}
        now = self._clock()
        account = self._account.currentText().strip()
        if not account:
            problems["account"] = "is missing: add a Whereby account first"
        draft = self.draft()
        base = RoomDraft(end=now + dt.timedelta(hours=1))
        probes = (
            dataclasses.replace(base, end=draft.end),
            dataclasses.replace(base, prefix=draft.prefix),
            dataclasses.replace(base, pattern=draft.pattern),
            dataclasses.replace(base, room_mode=draft.room_mode, viewer_mode=draft.viewer_mode),
            draft,
        )
        for probe in probes:
            try:
                validate_room(probe, now)
            except InvalidInput as exc:
                problems.setdefault(exc.field, exc.reason)
        if problems:
            return problems, None
        return problems, (account, validate_room(draft, now))

    def _validate(self) -> None:
        problems, result = self._check()
        self._errors.set_hint("prefix", self._preview())
        self._errors.set_hint("end", self._until_hint())
        self._errors.set_hint(
            "mode",
            "Viewer mode always makes a locked group room with host and viewer links."
            if self._viewer_mode.isChecked()
            else "",
        )
        self._errors.apply(problems)
        self._zone.setText(
            "Anyone with the room link can join (or knock) until the end. Times are in "
            f"your time zone ({zone_label(self._end.value(), self._tz)})."
        )
        self._ok.setEnabled(result is not None)

    def _preview(self) -> str:
        try:
            prefix = normalize_prefix(self._prefix.text())
        except InvalidInput:
            return ""
        style = "short code" if self._pattern.currentData() == "human-short" else "long ID"
        if not prefix:
            return f"Without a prefix the room name is just a generated {style}."
        return f"Room name: {prefix}… then a generated {style}"

    def _until_hint(self) -> str:
        end = self._end.value()
        left = end - self._clock()
        if left <= dt.timedelta(0):
            return ""
        return f"Open for {format_duration(left)} from now"

    # -- reacting -------------------------------------------------------------------------------

    def _on_end_changed(self) -> None:
        self._errors.touch("end")
        self._validate()

    def _on_prefix_text_changed(self, _text: str) -> None:
        self._errors.touch("prefix")
        self._validate()

    def _on_pattern_current_index_changed(self, _index: int) -> None:
        self._errors.touch("pattern")
        self._validate()

    def _on_option_toggled(self, _checked: bool) -> None:
        self._errors.touch("mode")
        self._validate()

    def _on_viewer_mode_toggled(self, checked: bool) -> None:
        forced = (self._locked, self._group, self._host_url, self._viewer_url)
        if checked:
            self._remembered = (self._locked.isChecked(), self._group.isChecked())
            self._links_remembered = (self._host_url.isChecked(), self._viewer_url.isChecked())
            for box in forced:
                box.blockSignals(True)
                box.setChecked(True)
                box.setEnabled(False)
                box.blockSignals(False)
            for box in forced:
                box.setToolTip("Viewer mode always uses this")
        else:
            values = (*self._remembered, *self._links_remembered)
            for box, value in zip(forced, values, strict=True):
                box.blockSignals(True)
                box.setChecked(value)
                box.setEnabled(True)
                box.setToolTip("")
                box.blockSignals(False)
        self._errors.touch("mode")
        self._validate()


class RoomCreatedDialog(QDialog):
    """The created room's links, each read-only with Copy; the host link with a warning."""

    def __init__(self, parent: QWidget | None, room: Room, *, tz: dt.tzinfo | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("room_created_dialog")
        prepare(self, "Room created", min_width=600)
        outer = _outer(self)
        name = room.room_name.lstrip("/")
        header, column = header_layout(
            self,
            "Your Whereby room is ready",
            f"“{name}” is open until {format_local(room.end, tz)}.",
            pixmap=QStyle.StandardPixmap.SP_MessageBoxInformation,
        )
        outer.addLayout(header)
        form = _form()
        self.room_link = CopyField(room.room_url, name="room_link")
        form.addRow("Room link:", self.room_link)
        self.host_link: CopyField | None = None
        self.viewer_link: CopyField | None = None
        if room.host_url:
            self.host_link = CopyField(room.host_url, name="host_link")
            warning = body("Gives host rights — share carefully.")
            warning.setStyleSheet(f"color: {WARNING_COLOR};")
            warning.setObjectName("host_note")
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.setSpacing(3)
            col.addWidget(self.host_link)
            col.addWidget(warning)
            form.addRow("Host link:", box)
        if room.viewer_url:
            self.viewer_link = CopyField(room.viewer_url, name="viewer_link")
            form.addRow("Viewer link:", self.viewer_link)
        column.addSpacing(4)
        column.addLayout(form)
        buttons = QDialogButtonBox()
        close = add_button(buttons, "Close", QDialogButtonBox.ButtonRole.AcceptRole, "close")
        set_primary(close)
        close.setFocus()
        outer.addWidget(buttons)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

    @classmethod
    async def ask(cls, parent: QWidget | None, room: Room, *, tz: dt.tzinfo | None = None) -> None:
        """Show until the user closes it (not blocking the loop)."""
        dialog = cls(parent, room, tz=tz)
        try:
            await run_dialog(dialog)
        finally:
            dialog.deleteLater()
