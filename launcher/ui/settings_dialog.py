"""Settings: General, Meeting links and Accounts.

General holds reminders, the "next" meeting and the filters; Meeting links the order
of meeting services and whether each opens in its app or the browser.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from launcher.core.filters import compile_blocklist
from launcher.store.settings import Settings
from launcher.ui.accounts_page import AccountsModel, AccountsPage
from launcher.ui.dialogs._widgets import DIALOG_STYLE, FieldMessage, mark_invalid

#: The reminder choices offered: minutes before the start (None: no reminders).
REMINDER_CHOICES: tuple[tuple[str, int | None], ...] = (
    ("Off", None),
    ("When the meeting starts", 0),
    ("1 minute before", 1),
    ("2 minutes before", 2),
    ("5 minutes before", 5),
    ("10 minutes before", 10),
    ("15 minutes before", 15),
    ("30 minutes before", 30),
)


class SettingsDialog(QDialog):
    """Edit the settings; the result replaces only the fields shown here.

    With an accounts model, an Accounts page lists every account; its buttons emit
    signals (``accounts.add_requested`` ...) that the controller answers. Account
    changes apply at once, not with OK.
    """

    def __init__(
        self,
        parent: QWidget | None,
        settings: Settings,
        accounts: AccountsModel | None = None,
        calendars: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.setStyleSheet(DIALOG_STYLE)
        self.setMinimumWidth(560)
        self._settings = settings
        self.reminder = QComboBox(self)
        self.reminder.setObjectName("reminder")
        for label, minutes in REMINDER_CHOICES:
            self.reminder.addItem(label, minutes)
        index = self.reminder.findData(settings.reminder_minutes)
        if index < 0:  # a value typed into the settings file by hand
            self.reminder.addItem(f"{settings.reminder_minutes} minutes before",
                                  settings.reminder_minutes)
            index = self.reminder.count() - 1
        self.reminder.setCurrentIndex(index)
        self.grace = QSpinBox(self)
        self.grace.setObjectName("grace")
        self.grace.setRange(0, 240)
        self.grace.setSuffix(" min")
        self.grace.setValue(settings.next_meeting_grace_minutes)
        hint = QLabel(
            "A meeting that started less than this long ago is still offered as "
            "“Join next” in the tray; one that started longer ago gives way to the "
            "next upcoming meeting."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        general = QWidget(self)
        form = QFormLayout(general)
        form.addRow("Reminders", self.reminder)
        form.addRow("Still “next” for", self.grace)
        form.addRow("", hint)
        self._build_filters(form, settings, calendars)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(general, "General")
        # The page lists the link catalogue: imported here, not before the first paint.
        from launcher.ui.services_page import ServicesPage

        self.services = ServicesPage(self, settings.service_priority,
                                     settings.browser_only_services)
        self.services.setObjectName("services_page")
        self.tabs.addTab(self.services, "Meeting links")
        self.accounts: AccountsPage | None = None
        if accounts is not None:
            self.accounts = AccountsPage(accounts, self)
            self.tabs.addTab(self.accounts, "Accounts")
            self.resize(720, 460)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self._on_blocklist_text_changed()

    def _build_filters(
        self, form: QFormLayout, settings: Settings, calendars: Sequence[str]
    ) -> None:
        self.hide_all_day = QCheckBox("All-day events")
        self.hide_declined = QCheckBox("Events I declined")
        self.hide_tentative = QCheckBox("Tentative events")
        self.hide_without_link = QCheckBox("Events without a meeting link")
        boxes = QWidget(self)
        column = QVBoxLayout(boxes)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        for name, box, value in (
            ("hide_all_day", self.hide_all_day, settings.hide_all_day),
            ("hide_declined", self.hide_declined, settings.hide_declined),
            ("hide_tentative", self.hide_tentative, settings.hide_tentative),
            ("hide_without_link", self.hide_without_link, settings.hide_without_link),
        ):
            box.setObjectName(name)
            box.setChecked(value)
            column.addWidget(box)
        cancelled = QLabel("Cancelled events are always hidden.")
        cancelled.setProperty("role", "hint")
        column.addWidget(cancelled)
        form.addRow("Hide", boxes)
        self.blocklist = QPlainTextEdit(self)
        self.blocklist.setObjectName("blocklist")
        self.blocklist.setPlaceholderText("One regular expression per line, e.g. ^Lunch\\b")
        self.blocklist.setPlainText("\n".join(settings.title_blocklist))
        self.blocklist.setFixedHeight(72)
        self.blocklist.setTabChangesFocus(True)
        self.blocklist_message = FieldMessage(self)
        self.blocklist_message.setObjectName("blocklist_message")
        self.blocklist.textChanged.connect(self._on_blocklist_text_changed)
        block = QWidget(self)
        block_col = QVBoxLayout(block)
        block_col.setContentsMargins(0, 0, 0, 0)
        block_col.setSpacing(3)
        block_col.addWidget(self.blocklist)
        block_col.addWidget(self.blocklist_message)
        form.addRow("Hide titles matching", block)
        excluded = set(settings.excluded_calendars)
        names = sorted(set(calendars) | excluded, key=str.casefold)
        self.calendar_boxes: dict[str, QCheckBox] = {}
        inner = QWidget()
        cal_col = QVBoxLayout(inner)
        cal_col.setContentsMargins(4, 4, 4, 4)
        cal_col.setSpacing(2)
        for name in names:
            box = QCheckBox(name)
            box.setObjectName(f"calendar:{name}")
            box.setChecked(name not in excluded)
            self.calendar_boxes[name] = box
            cal_col.addWidget(box)
        if not names:
            none = QLabel("No calendars yet.")
            none.setProperty("role", "hint")
            cal_col.addWidget(none)
        cal_col.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setObjectName("calendars")
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setFixedHeight(min(120, 12 + 26 * max(1, len(names))))
        form.addRow("Show calendars", scroll)

    def blocklist_lines(self) -> tuple[str, ...]:
        """Return the blocklist's non-empty lines."""
        return tuple(x.strip() for x in self.blocklist.toPlainText().splitlines() if x.strip())

    def _on_blocklist_text_changed(self) -> None:
        _patterns, errors = compile_blocklist(self.blocklist.toPlainText().splitlines())
        if errors:
            self.blocklist_message.show_error(
                "Not a valid regular expression — " + "; ".join(str(e) for e in errors[:3])
            )
        else:
            self.blocklist_message.show_hint(
                "Titles are matched case-insensitively, anywhere in the title."
            )
        mark_invalid(self.blocklist, bool(errors))
        if self.ok_button is not None:
            self.ok_button.setEnabled(not errors)

    def show_accounts(self) -> None:
        """Open on the Accounts page."""
        if self.accounts is not None:
            self.tabs.setCurrentWidget(self.accounts)

    def result_value(self) -> Settings:
        """Return the settings with the choices made here."""
        minutes = self.reminder.currentData()
        return dataclasses.replace(
            self._settings,
            reminder_minutes=minutes if isinstance(minutes, int) else None,
            next_meeting_grace_minutes=self.grace.value(),
            hide_all_day=self.hide_all_day.isChecked(),
            hide_declined=self.hide_declined.isChecked(),
            hide_tentative=self.hide_tentative.isChecked(),
            hide_without_link=self.hide_without_link.isChecked(),
            title_blocklist=self.blocklist_lines(),
            excluded_calendars=tuple(
                name for name, box in self.calendar_boxes.items() if not box.isChecked()
            ),
            service_priority=self.services.priority(),
            browser_only_services=self.services.browser_only(),
        )
