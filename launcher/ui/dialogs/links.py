"""Dialogs about links: the pre-join check, and "Add meeting" (a saved link)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from launcher.core.errors import InvalidInput
from launcher.core.links import check_openable
from launcher.ui.dialogs._widgets import (
    DateTimeEditor,
    FieldErrors,
    FieldMessage,
    Now,
    Outline,
    add_button,
    body,
    clock_of,
    field_box,
    format_duration,
    header_layout,
    prepare,
    secondary,
    set_primary,
)
from launcher.ui.linkinfo import service_name

#: Finding kinds the dialog shows; "bluejeans_check" is answered by the join flow itself.
SHOWN_KINDS = frozenset(
    {"missing_passcode", "teams_missing_passcode", "conflicting_links", "needs_sign_in"}
)


def shown_findings(findings: Sequence[Any]) -> tuple[Any, ...]:
    """Return the findings worth a dialog (unknown kinds are shown too, in words)."""
    return tuple(f for f in findings if f.kind != "bluejeans_check")


class PreJoinDialog(QDialog):
    """Say what will go wrong with a link before it is opened, and offer the fixes.

    After ``finished``: :meth:`chosen_url` is the link to open (None: cancelled) and
    :meth:`chosen_link` the detected link it belongs to.
    """

    def __init__(
        self,
        parent: QWidget | None,
        findings: Sequence[Any],
        links: Sequence[Any],
        *,
        subject: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("prejoin_dialog")
        prepare(self, "Before you join", min_width=640)
        # The same words twice (two links with one problem) say nothing new.
        unique: dict[str, Any] = {}
        for finding in findings:
            unique.setdefault(finding.message, finding)
        self._findings = tuple(unique.values())
        self._links = tuple(links)
        self._url: str | None = None
        self._link: Any = self._links[0] if self._links else None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 18, 20, 14)
        outer.setSpacing(12)
        count = len(self._findings)
        row, column = header_layout(
            self,
            "Check this before you join",
            "One thing may go wrong:" if count == 1 else f"{count} things may go wrong:",
            subject=subject,
            pixmap=QStyle.StandardPixmap.SP_MessageBoxWarning,
        )
        for finding in self._findings:
            label = body(f"•  {finding.message}")
            label.setObjectName(f"finding:{finding.kind}")
            column.addWidget(label)
        self.choices = QButtonGroup(self)
        if any(f.kind == "conflicting_links" for f in self._findings) and len(self._links) > 1:
            column.addWidget(body("Join with:", role="note"))
            for index, link in enumerate(self._links):
                radio = QRadioButton(f"{service_name(link)} — {_short(link.url)}")
                radio.setToolTip(link.url)
                radio.setObjectName(f"link:{index}")
                radio.setChecked(index == 0)
                self.choices.addButton(radio, index)
                column.addWidget(radio)
            self.choices.idToggled.connect(self._on_choices_id_toggled)
        outer.addLayout(row)

        buttons = QDialogButtonBox(self)
        self.fix_button: QPushButton | None = None
        self.copy_button: QPushButton | None = None
        fixed = self._fixed_url()
        if fixed is not None:
            self.fix_button = add_button(buttons, "Add the passcode to the link and join",
                                         QDialogButtonBox.ButtonRole.AcceptRole, "fix")
            self.fix_button.clicked.connect(self._on_fix_button_clicked)
        if self._copy_text() is not None:
            self.copy_button = add_button(buttons, "Copy passcode",
                                          QDialogButtonBox.ButtonRole.ActionRole, "copy")
            self.copy_button.clicked.connect(self._on_copy_button_clicked)
        self.join_button = add_button(buttons, "Join anyway",
                                      QDialogButtonBox.ButtonRole.AcceptRole, "join")
        self.join_button.clicked.connect(self._on_join_button_clicked)
        self.cancel_button = add_button(buttons, "Cancel",
                                        QDialogButtonBox.ButtonRole.RejectRole, "cancel")
        self.cancel_button.clicked.connect(self.reject)
        set_primary(self.fix_button or self.join_button)
        if self.fix_button is not None:
            secondary(self.join_button)
        outer.addWidget(buttons)

    def chosen_url(self) -> str | None:
        """Return the link to open: the fixed one or the chosen one (None: cancelled)."""
        return self._url

    def chosen_link(self) -> Any:
        """Return the detected link chosen (for its native app rule)."""
        return self._link

    def _fixed_url(self) -> str | None:
        for finding in self._findings:
            if finding.fixed_url and self._belongs(finding.fixed_url):
                return str(finding.fixed_url)
        return None

    def _copy_text(self) -> str | None:
        for finding in self._findings:
            if finding.copy_text:
                return str(finding.copy_text)
        return None

    def _belongs(self, fixed: str) -> bool:
        """Tell whether a fix belongs to the chosen link (when links conflict)."""
        if len(self.choices.buttons()) < 2 or self._link is None:
            return True
        base = str(self._link.url).split("?", 1)[0]
        return fixed.split("?", 1)[0] == base

    def _on_choices_id_toggled(self, index: int, checked: bool) -> None:
        if checked and 0 <= index < len(self._links):
            self._link = self._links[index]
            if self.fix_button is not None:
                self.fix_button.setVisible(self._fixed_url() is not None)

    def _on_fix_button_clicked(self) -> None:
        self._url = self._fixed_url()
        self.accept()

    def _on_copy_button_clicked(self) -> None:
        text = self._copy_text()
        if text is not None and self.copy_button is not None:
            QGuiApplication.clipboard().setText(text)
            self.copy_button.setText("Passcode copied")

    def _on_join_button_clicked(self) -> None:
        self._url = self._link.url if self._link is not None else None
        self.accept()


def _short(url: str, limit: int = 60) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


# ---- Add meeting ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class NewMeeting:
    """What the Add meeting dialog returns."""

    title: str
    url: str
    start: dt.datetime
    end: dt.datetime


def openable_link(text: str) -> str | None:
    """Return *text* stripped if it is a link the app may open, else None."""
    text = text.strip()
    if not text or any(c.isspace() for c in text):
        return None
    try:
        return check_openable(text)
    except InvalidInput:
        return None


class AddMeetingDialog(QDialog):
    """Save a meeting link with a title and a time; OK only when every field is valid."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        clipboard: str = "",
        now: Now = None,
        tz: dt.tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("add_meeting_dialog")
        prepare(self, "Add meeting", min_width=520)
        clock = clock_of(now)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(20, 18, 20, 14)
        outer.setSpacing(12)
        row, _column = header_layout(
            self, "Add a meeting",
            "Paste a meeting link (any service) and say when it is. It is saved on this "
            "computer and shown in the agenda with your other meetings.",
        )
        outer.addLayout(row)
        errors = self._errors = FieldErrors()
        self.link = QLineEdit()
        self.link.setObjectName("link")
        self.link.setPlaceholderText("https://…")
        self.link.setClearButtonEnabled(True)
        link_msg = FieldMessage()
        link_msg.setObjectName("link_message")
        pasted = openable_link(clipboard)
        if pasted is not None:
            self.link.setText(pasted)
            errors.set_hint("url", "Taken from the clipboard.")
        self.title = QLineEdit()
        self.title.setObjectName("title")
        self.title.setMaxLength(300)
        self.title.setPlaceholderText("What the meeting is about")
        title_msg = FieldMessage()
        title_msg.setObjectName("title_message")
        self.start = DateTimeEditor(tz, name="start")
        start_msg = FieldMessage()
        self.end = DateTimeEditor(tz, name="end")
        end_msg = FieldMessage()
        end_msg.setObjectName("end_message")
        start = _next_half_hour(clock())
        self.start.set_value(start)
        self.end.set_value(start + dt.timedelta(minutes=30))
        end_outline = Outline(self.end)
        link_outline, title_outline = Outline(self.link), Outline(self.title)
        errors.add("url", "Link", [link_outline], link_msg)
        errors.add("title", "Title", [title_outline], title_msg)
        errors.add("start", "Start", [Outline(self.start)], start_msg)
        errors.add("end", "End", [end_outline], end_msg)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Link", field_box(link_outline, message=link_msg))
        form.addRow("Title", field_box(title_outline, message=title_msg))
        form.addRow("Start", field_box(self.start, message=start_msg))
        form.addRow("End", field_box(end_outline, message=end_msg))
        outer.addLayout(form)
        buttons = QDialogButtonBox(self)
        self.ok_button = add_button(buttons, "Add meeting",
                                    QDialogButtonBox.ButtonRole.AcceptRole, "ok")
        cancel = add_button(buttons, "Cancel", QDialogButtonBox.ButtonRole.RejectRole, "cancel")
        set_primary(self.ok_button)
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        cancel.clicked.connect(self.reject)
        outer.addWidget(buttons)
        self.link.textEdited.connect(lambda _t: self._errors.touch("url"))
        self.title.textEdited.connect(lambda _t: self._errors.touch("title"))
        self.link.textChanged.connect(lambda _t: self._validate())
        self.title.textChanged.connect(lambda _t: self._validate())
        self.start.changed.connect(self._on_start_changed)
        self.end.changed.connect(lambda: self._edited("end"))
        self._duration = self.end.value() - self.start.value()
        self._validate()
        (self.title if pasted else self.link).setFocus()

    def problems(self) -> dict[str, str]:
        """Return what is wrong, field -> reason (empty when the meeting can be saved)."""
        out: dict[str, str] = {}
        url = self.link.text().strip()
        if not url:
            out["url"] = "is needed: paste the meeting's link."
        elif openable_link(url) is None:
            out["url"] = ("must be a web link (https://…) or a meeting app's link, "
                          "without a user name or password.")
        if not self.title.text().strip():
            out["title"] = "is needed."
        if self.end.value() <= self.start.value():
            out["end"] = "must be after the start."
        return out

    def value(self) -> NewMeeting:
        """Return the meeting entered (call when :meth:`problems` is empty)."""
        return NewMeeting(self.title.text().strip(), self.link.text().strip(),
                          self.start.value(), self.end.value())

    def _edited(self, name: str) -> None:
        self._errors.touch(name)
        if name == "end":
            self._duration = self.end.value() - self.start.value()
        self._validate()

    def _on_start_changed(self) -> None:
        # Moving the start keeps the length, as calendars do.
        if self._duration > dt.timedelta(0):
            self.end.blockSignals(True)
            self.end.set_value(self.start.value() + self._duration)
            self.end.blockSignals(False)
        self._edited("start")

    def _validate(self) -> None:
        problems = self.problems()
        self._errors.apply(problems)
        if "end" not in problems:
            self._errors.message("end").show_hint(
                format_duration(self.end.value() - self.start.value()))
        self.ok_button.setEnabled(not problems)

    def _on_ok_button_clicked(self) -> None:
        if self.problems():
            self._errors.touch_all()
            self._validate()
            return
        self.accept()


def _next_half_hour(now: dt.datetime) -> dt.datetime:
    base = now.replace(second=0, microsecond=0)
    extra = 30 - base.minute % 30
    return base + dt.timedelta(minutes=extra)
