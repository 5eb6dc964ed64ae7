"""Building blocks shared by the dialogs: headers, inline field errors, copy fields, clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QDate, QDateTime, QSize, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QBoxLayout,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

#: A fixed instant or a clock; ``None`` means the system clock.
Now = dt.datetime | Callable[[], dt.datetime] | None

ERROR_COLOR = "#c62828"

#: Applied to every dialog: invalid fields get a red border, messages their colours.
DIALOG_STYLE = f"""
QFrame#outline {{ border: 1px solid transparent; border-radius: 4px; }}
QFrame#outline[invalid="true"] {{ border: 1px solid {ERROR_COLOR}; }}
QPlainTextEdit[invalid="true"] {{ border: 1px solid {ERROR_COLOR}; }}
QLabel[role="error"] {{ color: {ERROR_COLOR}; }}
QLabel[role="hint"] {{ color: palette(placeholder-text); }}
QLabel[role="note"] {{ color: palette(placeholder-text); }}
"""


def clock_of(now: Now) -> Callable[[], dt.datetime]:
    """Return a clock giving aware datetimes for *now* (fixed value, callable or system)."""
    if now is None:
        return lambda: dt.datetime.now(dt.UTC)
    if isinstance(now, dt.datetime):
        fixed = now if now.tzinfo is not None else now.astimezone()
        return lambda: fixed
    return now


def local(value: dt.datetime, tz: dt.tzinfo | None) -> dt.datetime:
    """Return *value* in *tz*, or in the system's local time zone when *tz* is None."""
    return value.astimezone(tz) if tz is not None else value.astimezone()


def zone_label(when: dt.datetime, tz: dt.tzinfo | None) -> str:
    """Describe the zone *when* is shown in, e.g. ``CEST, UTC+02:00``."""
    shown = local(when, tz)
    offset = shown.strftime("%z")
    utc_offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
    name = shown.tzname() or ""
    if not name or name.startswith(("UTC", "+", "-")) or name == utc_offset:
        return utc_offset
    return f"{name}, {utc_offset}"


def format_local(value: dt.datetime, tz: dt.tzinfo | None) -> str:
    """Format an instant for people: ``Tue 4 Jun 2024, 14:30``."""
    shown = local(value, tz)
    return f"{shown:%a} {shown.day} {shown:%b %Y, %H:%M}"


def format_duration(delta: dt.timedelta) -> str:
    """Format a duration as ``1 h 30 min`` / ``2 days 3 h``."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} h")
    if mins or not parts:
        parts.append(f"{mins} min")
    return " ".join(parts)


# ---- text ---------------------------------------------------------------------------


def headline(text: str) -> QLabel:
    """Make the bold, slightly larger first line saying what the dialog is about."""
    label = QLabel(text)
    font = QFont(label.font())
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setWordWrap(True)
    label.setObjectName("headline")
    return label


def body(text: str, *, role: str | None = None) -> QLabel:
    """Make a wrapped paragraph; *role* ``"note"``/``"hint"`` greys it out."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    if role is not None:
        label.setProperty("role", role)
    return label


def icon_label(widget: QWidget, pixmap: QStyle.StandardPixmap, size: int = 40) -> QLabel:
    """Make a label holding one of the style's standard icons (information, warning)."""
    label = QLabel()
    label.setPixmap(widget.style().standardIcon(pixmap).pixmap(QSize(size, size)))
    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
    label.setFixedWidth(size + 8)
    label.setObjectName("icon")
    return label


def prepare(dialog: QDialog, title: str, *, min_width: int = 420) -> None:
    """Set up a dialog: title, style sheet, a sensible minimum width."""
    dialog.setWindowTitle(title)
    dialog.setStyleSheet(DIALOG_STYLE)
    dialog.setMinimumWidth(min_width)
    dialog.setSizeGripEnabled(False)


def header_layout(
    dialog: QDialog,
    title: str,
    message: str,
    *,
    subject: str | None = None,
    pixmap: QStyle.StandardPixmap | None = None,
) -> tuple[QHBoxLayout, QVBoxLayout]:
    """Lay out an icon column and a text column (headline, subject, message)."""
    row = QHBoxLayout()
    row.setSpacing(14)
    if pixmap is not None:
        row.addWidget(icon_label(dialog, pixmap))
    column = QVBoxLayout()
    column.setSpacing(8)
    column.addWidget(headline(title))
    if subject:
        column.addWidget(body(subject, role="note"))
    text = body(message)
    text.setObjectName("message")
    column.addWidget(text)
    row.addLayout(column, 1)
    return row, column


def set_primary(button: QPushButton | None) -> None:
    """Make *button* the one Enter presses."""
    if button is not None:
        button.setAutoDefault(True)
        button.setDefault(True)


def secondary(button: QPushButton | None) -> None:
    """Keep *button* from stealing Enter."""
    if button is not None:
        button.setAutoDefault(False)
        button.setDefault(False)


def add_button(
    box: QDialogButtonBox, text: str, role: QDialogButtonBox.ButtonRole, name: str
) -> QPushButton:
    """Add a named push button to *box* (names let tests and screenshots find them)."""
    button = box.addButton(text, role)
    button.setObjectName(name)
    button.setAutoDefault(False)
    return button


def accept_row(
    dialog: QDialog, layout: QBoxLayout, text: str, *, name: str = "ok"
) -> QPushButton:
    """Add the dialog's button row: *text* (primary, accepts) and Cancel (rejects).

    Returns the accepting button, which the dialog enables while its input is valid.
    """
    buttons = QDialogButtonBox()
    ok = add_button(buttons, text, QDialogButtonBox.ButtonRole.AcceptRole, name)
    add_button(buttons, "Cancel", QDialogButtonBox.ButtonRole.RejectRole, "cancel")
    set_primary(ok)
    layout.addWidget(buttons)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return ok


# ---- inline validation ----------------------------------------------------------------


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Give *widget* a red border (or take it away) and re-apply the style."""
    if bool(widget.property("invalid")) == invalid:
        return
    widget.setProperty("invalid", invalid)
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def show_problem(widget: QWidget, message: FieldMessage, problem: str | None) -> None:
    """Mark *widget* and show *problem* under it in red; no problem clears both."""
    mark_invalid(widget, problem is not None)
    widget.setAccessibleDescription(problem or "")
    if problem is None:
        message.show_hint("")
    else:
        message.show_error(problem)


class FieldMessage(QLabel):
    """The line under a field: an error (red) or a hint (grey); hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 0.92)
        self.setFont(font)
        self.hide()

    def show_error(self, text: str) -> None:
        """Show *text* as an error."""
        self._set(text, "error")

    def show_hint(self, text: str) -> None:
        """Show *text* as a neutral hint (empty hides the line)."""
        self._set(text, "hint")

    def is_error(self) -> bool:
        """Return whether an error is shown."""
        return not self.isHidden() and self.property("role") == "error"

    def _set(self, text: str, role: str) -> None:
        if self.property("role") != role:
            self.setProperty("role", role)
            self.style().unpolish(self)
            self.style().polish(self)
        self.setText(text)
        self.setVisible(bool(text))


class Outline(QFrame):
    """A thin frame around a field whose own border cannot turn red (combos, dates)."""

    def __init__(self, inner: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outline")
        self.inner = inner
        row = QHBoxLayout(self)
        row.setContentsMargins(1, 1, 1, 1)
        row.setSpacing(0)
        row.addWidget(inner)


def field_box(*widgets: QWidget, message: FieldMessage, stretch_first: bool = True) -> QWidget:
    """Put *widgets* on one row with *message* under them, for a QFormLayout row."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(3)
    if len(widgets) == 1:
        column.addWidget(widgets[0])
    else:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        for i, widget in enumerate(widgets):
            row.addWidget(widget, 1 if (i == 0 and stretch_first) else 0)
        column.addLayout(row)
    column.addWidget(message)
    return box


class FieldErrors:
    """Maps validator field names to widgets and their message lines.

    ``apply`` marks every field named in *errors* and clears the others; a field the
    user has not touched yet shows its problem as a grey hint without the red border,
    so a fresh dialog does not open covered in red.
    """

    def __init__(self) -> None:
        self._widgets: dict[str, tuple[QWidget, ...]] = {}
        self._messages: dict[str, FieldMessage] = {}
        self._nouns: dict[str, str] = {}
        self._hints: dict[str, str] = {}
        self._touched: set[str] = set()
        self._aliases: dict[str, str] = {}

    def add(
        self,
        name: str,
        noun: str,
        widgets: Iterable[QWidget],
        message: FieldMessage,
        *,
        aliases: Iterable[str] = (),
    ) -> None:
        """Register field *name*, shown to people as *noun* ("Title", "End")."""
        self._widgets[name] = tuple(widgets)
        self._messages[name] = message
        self._nouns[name] = noun
        for alias in aliases:
            self._aliases[alias] = name

    def touch(self, name: str) -> None:
        """Record that the user edited field *name*."""
        self._touched.add(name)

    def touch_all(self) -> None:
        """Treat every field as edited (show every problem in red)."""
        self._touched.update(self._widgets)

    def set_hint(self, name: str, text: str) -> None:
        """Set the grey line shown under *name* while it has no error."""
        self._hints[name] = text

    def field_of(self, name: str) -> str:
        """Return the registered field a validator's field name belongs to."""
        return self._aliases.get(name, name)

    def knows(self, name: str) -> bool:
        """Whether *name* (or an alias of it) is a registered field."""
        return self.field_of(name) in self._widgets

    def text(self, name: str, reason: str) -> str:
        """Return the sentence shown for a problem: the field's noun, then the reason."""
        noun = self._nouns.get(self.field_of(name), name.capitalize())
        return f"{noun} {reason}"

    def apply(self, errors: Mapping[str, str]) -> None:
        """Show *errors* (field -> reason) and clear every other field."""
        shown = {self.field_of(k): v for k, v in errors.items()}
        for name, widgets in self._widgets.items():
            message = self._messages[name]
            reason = shown.get(name)
            touched = name in self._touched
            for widget in widgets:
                mark_invalid(widget, reason is not None and touched)
                widget.setAccessibleDescription(self.text(name, reason) if reason else "")
            if reason is None:
                message.show_hint(self._hints.get(name, ""))
            elif touched:
                message.show_error(self.text(name, reason))
            else:
                message.show_hint(self.text(name, reason))

    def message(self, name: str) -> FieldMessage:
        """Return the message line of field *name*."""
        return self._messages[self.field_of(name)]


# ---- copy and secret fields -------------------------------------------------------------


class CopyField(QWidget):
    """A read-only line with the text and a Copy button that puts it on the clipboard."""

    text_copied = Signal()

    def __init__(self, text: str, parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.edit = QLineEdit(text)
        self.edit.setReadOnly(True)
        self.edit.setCursorPosition(0)
        self.edit.setMinimumWidth(260)
        self.edit.setObjectName(f"{name}_text" if name else "")
        self.button = QPushButton("Copy")
        self.button.setAutoDefault(False)
        self.button.setObjectName(f"{name}_copy" if name else "")
        self.button.setToolTip("Copy to the clipboard")
        self._restore = QTimer(self)
        self._restore.setSingleShot(True)
        self._restore.setInterval(1500)
        self._restore.timeout.connect(self._on_restore_timeout)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.edit, 1)
        row.addWidget(self.button)
        self.button.clicked.connect(self._on_button_clicked)

    def text(self) -> str:
        """Return the text shown (and copied)."""
        return self.edit.text()

    def _on_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.edit.text())
        self.button.setText("Copied")
        self._restore.start()
        self.text_copied.emit()

    def _on_restore_timeout(self) -> None:
        self.button.setText("Copy")


class HiddenValue(QWidget):
    """A secret shown as ``••••`` until Show is pressed (organizer codes)."""

    MASK = "••••"

    def __init__(self, value: str, parent: QWidget | None = None, *, name: str = "") -> None:
        super().__init__(parent)
        self._value = value
        self.label = QLabel(self.MASK)
        self.label.setObjectName(f"{name}_value" if name else "")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton("Show")
        self.button.setObjectName(f"{name}_show" if name else "")
        self.button.setCheckable(True)
        self.button.setAutoDefault(False)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.label, 1)
        row.addWidget(self.button)
        self.button.toggled.connect(self._on_button_toggled)

    def revealed(self) -> bool:
        """Whether the value is shown."""
        return self.button.isChecked()

    def _on_button_toggled(self, checked: bool) -> None:
        self.label.setText(self._value if checked else self.MASK)
        self.button.setText("Hide" if checked else "Show")


# ---- date and time ----------------------------------------------------------------------


class DateTimeEditor(QWidget):
    """A date editor (with a calendar pop-up) and a time editor, in local time."""

    changed = Signal()

    def __init__(
        self, tz: dt.tzinfo | None, parent: QWidget | None = None, *, name: str = ""
    ) -> None:
        super().__init__(parent)
        self._tz = tz
        self.setObjectName(name)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setObjectName(f"{name}_date")
        self.date_edit.setMinimumWidth(150)
        self.time_edit = QTimeEdit()
        self.time_edit.setDisplayFormat("HH:mm")
        self.time_edit.setObjectName(f"{name}_time")
        self.time_edit.setMinimumWidth(80)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.date_edit, 1)
        row.addWidget(self.time_edit)
        self.date_edit.dateChanged.connect(self._on_date_edit_date_changed)
        self.time_edit.timeChanged.connect(self._on_time_edit_time_changed)

    def editors(self) -> tuple[QWidget, QWidget]:
        """Return both editors (marked together when the value is wrong)."""
        return (self.date_edit, self.time_edit)

    def value(self) -> dt.datetime:
        """Return the chosen instant as an aware datetime (read in the local zone)."""
        d = self.date_edit.date()
        t = self.time_edit.time()
        naive = dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())
        return naive.replace(tzinfo=self._tz) if self._tz is not None else naive.astimezone()

    def set_value(self, value: dt.datetime) -> None:
        """Show *value* in the local zone (seconds are dropped)."""
        shown = local(value, self._tz)
        self.date_edit.setDate(QDate(shown.year, shown.month, shown.day))
        self.time_edit.setTime(QTime(shown.hour, shown.minute))

    def shown(self) -> QDateTime:
        """Return what the editors show, to compare with what they first showed."""
        return QDateTime(self.date_edit.date(), self.time_edit.time())

    def _on_date_edit_date_changed(self, _date: QDate) -> None:
        self.changed.emit()

    def _on_time_edit_time_changed(self, _time: QTime) -> None:
        self.changed.emit()
