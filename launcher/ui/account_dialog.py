"""Add an account, and sign in to the BlueJeans relay: forms with inline validation."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from launcher.core.errors import InvalidInput
from launcher.core.models import DEFAULT_BASE_URLS, Account, Provider
from launcher.services.accounts import ALLOWED, AccountForm, build_account

_FIELDS = (
    ("name", "Name"),
    ("base_url", "API address"),
    ("relay_url", "Relay address"),
    ("discovery_url", "Discovery URL"),
    ("username", "User name"),
    ("password", "Password"),
    ("token", "Access token"),
    ("api_key", "API key"),
)
_SECRET = {"password", "token", "api_key"}
_HINTS = {
    Provider.JOINME: "An access token of your join.me app (OAuth sign-in comes later).",
    Provider.WHEREBY: "An API key from the Whereby Embedded dashboard (Configure).",
    Provider.BLUEJEANS: "A relay access token for pre-join checks, and/or your user name and "
    "password to list your scheduled meetings.",
    Provider.SKYPE: "Your Skype for Business server's discovery URL (lyncdiscover…) and "
    "your sign-in address and password.",
}
_ERROR_STYLE = "border: 1px solid #c0392b; border-radius: 3px;"


class AddAccountDialog(QDialog):
    """Ask for a new account's details; OK stays off until they are valid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add account")
        self.setMinimumWidth(520)
        self.provider = QComboBox(self)
        for provider in Provider:
            self.provider.addItem(provider.label, provider.value)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hint")
        self.edits: dict[str, QLineEdit] = {}
        self.form = QFormLayout()
        self.form.addRow("Service", self.provider)
        for key, label in _FIELDS:
            edit = QLineEdit(self)
            edit.setObjectName(key)
            if key in _SECRET:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
            edit.textChanged.connect(self._validate)
            self.edits[key] = edit
            self.form.addRow(label, edit)
        self.error = QLabel(self)
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Add account")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.provider.currentIndexChanged.connect(self._on_provider_changed)
        self._on_provider_changed()

    def _provider(self) -> Provider:
        return Provider(self.provider.currentData())

    def _on_provider_changed(self, *_: object) -> None:
        provider = self._provider()
        self.hint.setText(_HINTS[provider])
        for key, _label in _FIELDS:
            shown = key == "name" or key in ALLOWED[provider] or (
                key == "base_url" and provider is not Provider.SKYPE
            )
            edit = self.edits[key]
            edit.setVisible(shown)
            self.form.labelForField(edit).setVisible(shown)
        base = DEFAULT_BASE_URLS.get(provider, "")
        self.edits["base_url"].setPlaceholderText(base)
        self.edits["relay_url"].setPlaceholderText("https://relay.bluejeans.com/api")
        self.edits["discovery_url"].setPlaceholderText("https://lyncdiscover.contoso.com/")
        self.edits["username"].setPlaceholderText(
            "user@contoso.com" if provider is Provider.SKYPE else "optional"
        )
        self._validate()

    def form_value(self) -> AccountForm:
        """Return what is typed, as an AccountForm (hidden fields left out)."""
        provider = self._provider()

        def value(key: str) -> str | None:
            edit = self.edits[key]
            text = edit.text().strip()
            return text if text and edit.isVisibleTo(self) else None

        return AccountForm(
            provider=provider,
            name=self.edits["name"].text(),
            base_url=value("base_url"),
            relay_url=value("relay_url"),
            discovery_url=value("discovery_url"),
            username=value("username"),
            token=value("token"),
            api_key=value("api_key"),
            password=value("password"),
        )

    def _validate(self, *_: object) -> bool:
        for edit in self.edits.values():
            edit.setStyleSheet("")
        try:
            build_account(self.form_value())
        except InvalidInput as exc:
            bad = self.edits.get(exc.field)
            if bad is not None:
                bad.setStyleSheet(_ERROR_STYLE)
            label = dict(_FIELDS).get(exc.field, exc.field)
            self.error.setText(f"{label}: {exc.reason}")
            self.ok.setEnabled(False)
            return False
        self.error.setText("")
        self.ok.setEnabled(True)
        return True

    def result_value(self) -> tuple[Account, dict[str, str]]:
        """Return the validated account and its secrets."""
        return build_account(self.form_value())


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
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
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
