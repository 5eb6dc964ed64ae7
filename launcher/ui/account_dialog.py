"""Account dialogs: add, edit, sign in again, and the BlueJeans relay sign-in of a join.

Every form validates as it is typed (the field in error is marked, the message names
it, OK stays off until all is well). Add and sign in again are *flow dialogs*: OK
emits ``submitted`` instead of closing, the controller runs the provider's sign-in
while the dialog shows progress with Cancel (Cancel stops the sign-in), and a refusal
comes back into the form as an error on the field concerned.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from launcher.core.errors import InvalidInput
from launcher.core.models import (
    API_PROVIDERS,
    DEFAULT_BASE_URLS,
    DEFAULT_RELAY_URL,
    Account,
    Provider,
)
from launcher.core.validate import require_http_url, require_text
from launcher.services.accounts import AccountForm, build_account, require_calendar_url
from launcher.store.accounts import validate_name
from launcher.ui.icons import provider_icon

LABELS = {
    "name": "Name",
    "base_url": "API address",
    "relay_url": "Relay address",
    "discovery_url": "Discovery URL",
    "username": "User name",
    "password": "Password",
    "client_id": "App key",
    "client_secret": "App secret",
    "api_key": "API key",
    "token": "Access token",
}
_SECRET = {"password", "client_secret", "api_key", "token"}
_ERROR_STYLE = "border: 1px solid #c0392b; border-radius: 3px;"
_ERROR_TEXT_STYLE = "color: #c0392b;"
_QUIET_STYLE = "color: palette(placeholder-text);"
_HINTS = {
    Provider.JOINME: "You sign in to join.me in your browser: it opens when you click "
    "Sign in, and asks you to allow Meeting Launcher. No password is typed here.",
    Provider.WHEREBY: "An API key from the Whereby Embedded dashboard (Configure). It is "
    "checked with Whereby before it is saved.",
    Provider.BLUEJEANS: "Your BlueJeans user name and password: they are used once to sign "
    "in and the password is not kept. Or an app key and secret from Admin › OAuth access.",
    Provider.SKYPE: "Your Skype for Business server's discovery URL (lyncdiscover…) and your "
    "sign-in address and password. The password is kept in the keyring: Skype for "
    "Business needs it to renew the sign-in every 8 hours.",
    Provider.ICS: "A calendar's ICS link (https:// or webcal://, e.g. the secret address of a "
    "Google or Outlook calendar), or an .ics file on this computer. It is read once "
    "before it is saved. Your e-mail, if given, finds your answers to invitations.",
    Provider.CALDAV: "Your CalDAV server's address (or one calendar's), your user name and "
    "password. The login is checked before anything is saved; the password is kept in "
    "the keyring (CalDAV has no tokens).",
}
#: Field labels that differ by provider.
_PROVIDER_LABELS: dict[Provider, dict[str, str]] = {
    Provider.ICS: {"base_url": "Calendar address", "username": "Your e-mail (optional)"},
    Provider.CALDAV: {"base_url": "CalDAV address"},
}
_BUSY = {
    Provider.JOINME: "Waiting for you to allow access in your browser…",
    Provider.WHEREBY: "Checking the API key with Whereby…",
    Provider.BLUEJEANS: "Signing in to BlueJeans…",
    Provider.SKYPE: "Signing in to Skype for Business…",
    Provider.ICS: "Reading the calendar…",
    Provider.CALDAV: "Signing in to the CalDAV server…",
}
#: The services the Add account dialog offers, in its order.
ADD_PROVIDERS: tuple[Provider, ...] = (*API_PROVIDERS, Provider.ICS, Provider.CALDAV)
PASSWORD_MODE, APP_MODE = "password", "app"


def busy_text(provider: Provider) -> str:
    """Say what a sign-in is doing while the dialog waits for it."""
    return _BUSY.get(provider, "Signing in…")


class FlowDialog(QDialog):
    """A form whose OK starts a sign-in that runs while the dialog stays open."""

    submitted = Signal()

    def __init__(self, parent: QWidget | None, title: str, ok_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.edits: dict[str, QLineEdit] = {}
        #: The widget each field's form row holds (the edit, or the edit with a button).
        self._rows: dict[str, QWidget] = {}
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet(_ERROR_TEXT_STYLE)
        self.error.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("progress")
        self.progress.setRange(0, 0)  # busy, no percentage
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.status = QLabel(self)
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.link = QWidget(self)
        self.link.setObjectName("link")
        self.link_text = QLineEdit(self.link)
        self.link_text.setObjectName("link_text")
        self.link_text.setReadOnly(True)
        self.copy_link = QPushButton("Copy", self.link)
        self.copy_link.setObjectName("copy_link")
        self.copy_link.setAutoDefault(False)
        self.copy_link.clicked.connect(self._on_copy_link_clicked)
        link_row = QHBoxLayout()
        link_row.setContentsMargins(0, 0, 0, 0)
        link_row.addWidget(self.link_text, 1)
        link_row.addWidget(self.copy_link)
        link_layout = QVBoxLayout(self.link)
        link_layout.setContentsMargins(0, 0, 0, 0)
        link_note = QLabel("If your browser did not open, copy this address into it:", self.link)
        link_note.setWordWrap(True)
        link_layout.addWidget(link_note)
        link_layout.addLayout(link_row)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("ok")
        self.ok.setText(ok_text)
        self.cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel.setObjectName("cancel")
        self.ok.clicked.connect(self._on_ok_clicked)
        self.buttons.rejected.connect(self.reject)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(self.hint)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.error)
        self.layout_.addWidget(self.status)
        self.layout_.addWidget(self.progress)
        self.layout_.addWidget(self.link)
        self.layout_.addWidget(self.buttons)
        self._busy = False
        self._touched: set[str] = set()
        self._set_progress_visible(False)

    # ---- fields --------------------------------------------------------------------------

    def add_field(
        self, key: str, label: str | None = None, text: str = "",
        trailing: QWidget | None = None,
    ) -> QLineEdit:
        """Add a line edit for *key* (secrets are not echoed) and validate on every change.

        *trailing* (a button) is shown to the right of the edit, in the same row.
        """
        edit = QLineEdit(text, self)
        edit.setObjectName(key)
        if key in _SECRET:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.textChanged.connect(self._on_edit_text_changed)
        self.edits[key] = edit
        row: QWidget = edit
        if trailing is not None:
            row = QWidget(self)
            row.setObjectName(f"{key}_row")
            box = QHBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(edit, 1)
            box.addWidget(trailing)
        self._rows[key] = row
        self.form.addRow(label or LABELS[key], row)
        return edit

    def value(self, key: str) -> str | None:
        """Return a visible field's text (stripped, except passwords), or None if empty."""
        edit = self.edits[key]
        if not edit.isVisibleTo(self):
            return None
        text = edit.text() if key in _SECRET else edit.text().strip()
        return text if text.strip() else None

    def set_field_visible(self, key: str, visible: bool) -> None:
        """Show or hide a field and its label (the row takes no room while hidden)."""
        self.form.setRowVisible(self._rows[key], visible)

    def label_widget(self, key: str) -> QLabel | None:
        """Return the label of a field's form row."""
        row = self._rows.get(key)
        label = self.form.labelForField(row) if row is not None else None
        return label if isinstance(label, QLabel) else None

    def label_of(self, key: str) -> str:
        """Return the label a field is shown with."""
        label = self.label_widget(key)
        if isinstance(label, QLabel):
            return label.text()
        return LABELS.get(key, key)

    # ---- validation ----------------------------------------------------------------------

    def check(self) -> None:
        """Raise InvalidInput for the first field that is wrong (subclasses say how)."""

    def validate(self) -> bool:
        """Mark the field in error and say why; enable OK only when all is well."""
        for edit in self.edits.values():
            edit.setStyleSheet("")
        try:
            self.check()
        except InvalidInput as exc:
            bad = self.edits.get(exc.field)
            quiet = bad is not None and not bad.text() and exc.field not in self._touched
            self._show_problem(exc.field, exc.reason, quiet=quiet)
            self.ok.setEnabled(False)
            return False
        self.error.setText("")
        self.error.setVisible(False)
        self.ok.setEnabled(not self._busy)
        return True

    def _show_problem(self, field: str | None, reason: str, *, quiet: bool = False) -> None:
        """Say what is wrong; *quiet* for a field nobody has typed in yet (no red)."""
        self.error.setVisible(True)
        self.error.setStyleSheet(_QUIET_STYLE if quiet else _ERROR_TEXT_STYLE)
        bad = self.edits.get(field) if field else None
        if bad is not None and bad.isVisibleTo(self):
            if not quiet:
                bad.setStyleSheet(_ERROR_STYLE)
            self.error.setText(f"{self.label_of(field or '')}: {reason}")
        else:
            self.error.setText(reason if not field else f"{LABELS.get(field, field)}: {reason}")

    def _on_edit_text_changed(self, _text: str) -> None:
        sender = self.sender()
        if isinstance(sender, QLineEdit):
            self._touched.add(sender.objectName())
        self.validate()

    def _on_ok_clicked(self) -> None:
        if not self._busy and self.validate():
            self.submitted.emit()

    # ---- the running sign-in -------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """Whether a sign-in is running."""
        return self._busy

    def set_busy(self, text: str) -> None:
        """Show that the sign-in runs: fields and OK off, progress and Cancel on."""
        self._busy = True
        self.error.setText("")
        self.error.setVisible(False)
        for edit in self.edits.values():
            edit.setEnabled(False)
        self.set_inputs_enabled(False)
        self.ok.setEnabled(False)
        self.status.setText(text)
        self._set_progress_visible(True)
        self.adjustSize()

    def set_link(self, url: str) -> None:
        """Offer the sign-in address for a browser that did not open by itself."""
        self.link_text.setText(url)
        self.link_text.setCursorPosition(0)
        self.link.setVisible(True)
        self.adjustSize()

    def link_url(self) -> str:
        """Return the sign-in address offered, if any."""
        return self.link_text.text() if self.link.isVisibleTo(self) else ""

    def _on_copy_link_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.link_text.text())

    def show_error(self, field: str | None, message: str) -> None:
        """End the busy state and show why the sign-in did not work."""
        self._end_busy()
        self.validate()
        self._show_problem(field, message)
        if field and (edit := self.edits.get(field)) is not None and edit.isVisibleTo(self):
            edit.setFocus(Qt.FocusReason.OtherFocusReason)
            if edit.echoMode() == QLineEdit.EchoMode.Password:
                edit.selectAll()

    def _end_busy(self) -> None:
        self._busy = False
        for edit in self.edits.values():
            edit.setEnabled(True)
        self.set_inputs_enabled(True)
        self._set_progress_visible(False)
        self.link.setVisible(False)

    def set_inputs_enabled(self, enabled: bool) -> None:
        """Enable or disable inputs other than the line edits (subclasses)."""

    def _set_progress_visible(self, visible: bool) -> None:
        self.progress.setVisible(visible)
        self.status.setVisible(visible)
        if not visible:
            self.link.setVisible(False)


class AddAccountDialog(FlowDialog):
    """Ask for a new account's details; OK signs in (the controller runs it).

    Besides the four meeting services it adds calendars: an ICS link or file (with a
    Browse… button) and a CalDAV account; their sign-in reads the calendar or checks
    the login before anything is saved.
    """

    def __init__(self, parent: QWidget | None = None, taken: Collection[str] = ()) -> None:
        super().__init__(parent, "Add account", "Sign in")
        self._taken = {name.casefold() for name in taken}
        self.provider = QComboBox(self)
        self.provider.setObjectName("provider")
        for provider in ADD_PROVIDERS:
            self.provider.addItem(provider_icon(provider), provider.label, provider.value)
        self.mode = QComboBox(self)
        self.mode.setObjectName("mode")
        self.mode.addItem("User name and password", PASSWORD_MODE)
        self.mode.addItem("App key and secret", APP_MODE)
        self.form.addRow("Service", self.provider)
        self.form.addRow("Sign in with", self.mode)
        self.browse = QPushButton("Browse…", self)
        self.browse.setObjectName("browse")
        self.browse.setAutoDefault(False)
        self.browse.setToolTip("Choose an .ics file on this computer")
        self.browse.clicked.connect(self._on_browse_clicked)
        #: The open file dialog of Browse…, while it is shown.
        self.file_dialog: QFileDialog | None = None
        for key in ("name", "base_url", "relay_url", "discovery_url", "username", "password",
                    "client_id", "client_secret", "api_key"):
            self.add_field(key, trailing=self.browse if key == "base_url" else None)
        self.provider.currentIndexChanged.connect(self._on_provider_changed)
        self.mode.currentIndexChanged.connect(self._on_provider_changed)
        self._on_provider_changed()
        self.edits["name"].setFocus(Qt.FocusReason.OtherFocusReason)

    def chosen_provider(self) -> Provider:
        """Return the service chosen."""
        return Provider(self.provider.currentData())

    def _app_mode(self) -> bool:
        return self.chosen_provider() is Provider.BLUEJEANS and self.mode.currentData() == APP_MODE

    def _shown(self) -> set[str]:
        provider = self.chosen_provider()
        if provider is Provider.JOINME:
            return {"name", "base_url"}
        if provider is Provider.WHEREBY:
            return {"name", "base_url", "api_key"}
        if provider is Provider.SKYPE:
            return {"name", "discovery_url", "username", "password"}
        if provider is Provider.ICS:
            return {"name", "base_url", "username"}
        if provider is Provider.CALDAV:
            return {"name", "base_url", "username", "password"}
        if self._app_mode():
            return {"name", "base_url", "relay_url", "username", "client_id", "client_secret"}
        return {"name", "base_url", "relay_url", "username", "password"}

    def _on_provider_changed(self, *_: object) -> None:
        provider = self.chosen_provider()
        self.hint.setText(_HINTS[provider])
        self.form.setRowVisible(self.mode, provider is Provider.BLUEJEANS)
        shown = self._shown()
        for key in self.edits:
            self.set_field_visible(key, key in shown)
        self.browse.setVisible(provider is Provider.ICS)
        labels = _PROVIDER_LABELS.get(provider, {})
        for key in ("base_url", "username"):
            label = self.label_widget(key)
            if label is not None:
                label.setText(labels.get(key, LABELS[key]))
        if self._app_mode():
            username_label = self.label_widget("username")
            if username_label is not None:
                username_label.setText("User's e-mail")
        placeholders = {
            Provider.ICS: "https://…/calendar.ics, webcal://… or a file",
            Provider.CALDAV: "https://dav.example.com/",
        }
        self.edits["base_url"].setPlaceholderText(
            placeholders.get(provider, DEFAULT_BASE_URLS.get(provider, ""))
        )
        self.edits["relay_url"].setPlaceholderText(DEFAULT_RELAY_URL)
        self.edits["discovery_url"].setPlaceholderText("https://lyncdiscover.contoso.com/")
        self.edits["username"].setPlaceholderText(
            "user@contoso.com" if provider is Provider.SKYPE
            else "your CalDAV user name" if provider is Provider.CALDAV
            else "you@example.com"
        )
        self.validate()

    def _on_browse_clicked(self) -> None:
        """Choose an ICS file without blocking the event loop (the dialog's open())."""
        if self.file_dialog is not None:
            self.file_dialog.raise_()
            return
        dialog = QFileDialog(self, "Choose a calendar file")
        dialog.setObjectName("choose_ics")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Calendar files (*.ics *.ical *.ifb)", "All files (*)"])
        dialog.fileSelected.connect(self.choose_file)
        dialog.finished.connect(self._on_file_dialog_finished)
        self.file_dialog = dialog
        dialog.open()

    def _on_file_dialog_finished(self, _result: int) -> None:
        if self.file_dialog is not None:
            self.file_dialog.deleteLater()
            self.file_dialog = None

    def choose_file(self, path: str) -> None:
        """Put a chosen file's ``file://`` address in the address field."""
        if not path:
            return
        edit = self.edits["base_url"]
        edit.setText(Path(path).expanduser().resolve().as_uri())
        edit.setCursorPosition(0)
        self._touched.add("base_url")
        self.validate()

    def form_value(self) -> AccountForm:
        """Return what is typed, as an AccountForm (hidden fields left out)."""
        return AccountForm(
            provider=self.chosen_provider(),
            name=self.edits["name"].text(),
            base_url=self.value("base_url"),
            relay_url=self.value("relay_url"),
            discovery_url=self.value("discovery_url"),
            username=self.value("username"),
            password=self.value("password"),
            client_id=self.value("client_id"),
            client_secret=self.value("client_secret"),
            api_key=self.value("api_key"),
        )

    def check(self) -> None:
        """Check the form as the sign-in will, plus the name against the other accounts."""
        name = validate_name(self.edits["name"].text())
        if name.casefold() in self._taken:
            raise InvalidInput("name", f"an account called {name!r} already exists")
        build_account(self.form_value())

    def result_value(self) -> tuple[Account, dict[str, str]]:
        """Return the validated account and what was typed for its sign-in."""
        return build_account(self.form_value())

    def set_inputs_enabled(self, enabled: bool) -> None:
        """Lock the service and sign-in choices while a sign-in runs."""
        self.provider.setEnabled(enabled)
        self.mode.setEnabled(enabled)
        self.browse.setEnabled(enabled)


class EditAccountDialog(QDialog):
    """Rename an account or change its address; OK stays off until a valid change is made."""

    def __init__(
        self, parent: QWidget | None, account: Account, taken: Collection[str] = ()
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Edit {account.name}")
        self.setMinimumWidth(480)
        self.account = account
        self._taken = {n.casefold() for n in taken if n != account.name}
        self._field = "discovery_url" if account.provider is Provider.SKYPE else "base_url"
        hint = QLabel(
            f"{account.provider.label} account. Its saved sign-in, remembered passcodes and "
            "cached meetings move with a new name. After a new address, sign in again if the "
            "account says so.",
            self,
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        self.name = QLineEdit(account.name, self)
        self.name.setObjectName("name")
        self.base_url = QLineEdit(account.base_url, self)
        self.base_url.setObjectName(self._field)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        self._label = _PROVIDER_LABELS.get(account.provider, {}).get(
            self._field, LABELS[self._field]
        )
        form.addRow(self._label, self.base_url)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setObjectName("ok")
        self.ok.setText("Save")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for edit in (self.name, self.base_url):
            edit.textChanged.connect(self._on_edit_text_changed)
        self._validate()

    def values(self) -> tuple[str, str]:
        """Return the name and address typed (validated)."""
        name = validate_name(self.name.text())
        check = require_calendar_url if self.account.provider is Provider.ICS else require_http_url
        return name, check(self._field, self.base_url.text())

    def changes(self) -> dict[str, str]:
        """Return only what differs from the account: ``name`` and/or ``base_url``."""
        name, base = self.values()
        found = {}
        if name != self.account.name:
            found["name"] = name
        if base != self.account.base_url:
            found["base_url"] = base
        return found

    def show_error(self, field: str | None, message: str) -> None:
        """Show a problem the store found (a name taken meanwhile)."""
        edit = self.name if field == "name" else self.base_url
        edit.setStyleSheet(_ERROR_STYLE)
        label = self._label if field == self._field else LABELS.get(field or "", "Error")
        self.error.setText(f"{label}: {message}")

    def _on_edit_text_changed(self, _text: str) -> None:
        self._validate()

    def _validate(self) -> bool:
        for edit in (self.name, self.base_url):
            edit.setStyleSheet("")
        try:
            name, _base = self.values()
            if name.casefold() in self._taken:
                raise InvalidInput("name", f"an account called {name!r} already exists")
            changed = bool(self.changes())
        except InvalidInput as exc:
            self.show_error(exc.field, exc.reason)
            self.ok.setEnabled(False)
            return False
        self.error.setText("")
        self.ok.setEnabled(changed)
        return True


class AccountSignInDialog(FlowDialog):
    """Sign in to an existing account again, asking only what its provider needs."""

    def __init__(
        self, parent: QWidget | None, account: Account, needs: tuple[str, ...],
        message: str = "",
    ) -> None:
        super().__init__(parent, f"Sign in to {account.name}", "Sign in")
        self.account = account
        self.needs = needs
        provider = account.provider
        lines = []
        if message:
            lines.append(message)
        if provider is Provider.JOINME:
            lines.append("Your browser opens join.me; choose Allow there.")
        elif provider is Provider.BLUEJEANS and not needs:
            lines.append("The account's app key and secret get a new token.")
        elif provider is Provider.BLUEJEANS:
            lines.append("Your password is used once to sign in; it is not kept.")
        elif provider is Provider.WHEREBY:
            lines.append("Give the API key again (a new one if the old one was revoked).")
        elif provider is Provider.CALDAV:
            lines.append("Give your CalDAV password again; the login is checked first.")
        elif provider is Provider.ICS:
            lines.append("The calendar is read again.")
        self.hint.setText("\n".join(lines))
        if "username" in needs:
            self.add_field("username", text=account.username or "")
        elif account.username and "password" in needs:
            who = QLabel(account.username, self)
            who.setObjectName("who")
            self.form.addRow("User name", who)
        for key in needs:
            if key != "username":
                self.add_field(key)
        for key in needs:
            self.edits[key].setFocus(Qt.FocusReason.OtherFocusReason)
            break
        self.validate()

    def check(self) -> None:
        """Every field asked for must be filled in."""
        for key in self.needs:
            if key == "username":
                require_text("username", self.value("username"), max_len=254)
            elif not self.value(key):
                raise InvalidInput(key, "must not be empty")


class RelaySignInDialog(QDialog):
    """Ask for BlueJeans credentials once, to get a relay access token."""

    def __init__(self, parent: QWidget | None, username: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to BlueJeans")
        self.setMinimumWidth(420)
        text = QLabel(
            "Sign in so the pre-join check knows who you are. Your password is used once "
            "to get an access token and is not stored."
        )
        text.setWordWrap(True)
        self.user = QLineEdit(username, self)
        self.user.setObjectName("username")
        self.secret = QLineEdit(self)
        self.secret.setObjectName("password")
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("User name", self.user)
        form.addRow("Password", self.secret)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert isinstance(ok, QPushButton)
        self.ok = ok
        self.ok.setText("Sign in")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(form)
        layout.addWidget(buttons)
        for edit in (self.user, self.secret):
            edit.textChanged.connect(self._validate)
        (self.secret if username else self.user).setFocus(Qt.FocusReason.OtherFocusReason)
        self._validate()

    def _validate(self, *_: object) -> None:
        self.ok.setEnabled(bool(self.user.text().strip() and self.secret.text()))

    def username(self) -> str:
        """Return the user name typed."""
        return self.user.text().strip()

    def password(self) -> str:
        """Return the password typed (used once, never stored)."""
        return self.secret.text()
