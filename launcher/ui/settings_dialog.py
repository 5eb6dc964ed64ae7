"""Settings: reminders and "next" meeting (General), and the Accounts page."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from launcher.store.settings import Settings
from launcher.ui.accounts_page import AccountsModel, AccountsPage

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
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
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
            "“Join next” in the tray."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        general = QWidget(self)
        form = QFormLayout(general)
        form.addRow("Reminders", self.reminder)
        form.addRow("Still “next” for", self.grace)
        form.addRow("", hint)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        self.tabs.addTab(general, "General")
        self.accounts: AccountsPage | None = None
        if accounts is not None:
            self.accounts = AccountsPage(accounts, self)
            self.tabs.addTab(self.accounts, "Accounts")
            self.resize(720, 460)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)

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
        )
