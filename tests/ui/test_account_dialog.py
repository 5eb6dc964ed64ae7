"""AddAccountDialog and RelaySignInDialog: fields per provider, inline validation, results."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from launcher.core.models import Account, Provider
from launcher.ui.account_dialog import AddAccountDialog, RelaySignInDialog

pytestmark = pytest.mark.gui

FIELDS = {"name", "base_url", "relay_url", "discovery_url", "username", "password", "token",
          "api_key"}
SHOWN = {
    Provider.BLUEJEANS: {"name", "base_url", "relay_url", "username", "password", "token"},
    Provider.JOINME: {"name", "base_url", "token"},
    Provider.WHEREBY: {"name", "base_url", "api_key"},
    Provider.SKYPE: {"name", "discovery_url", "username", "password"},
}


@pytest.fixture
def dialog(qtbot: Any) -> AddAccountDialog:
    widget = AddAccountDialog()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def choose(dialog: AddAccountDialog, provider: Provider) -> None:
    dialog.provider.setCurrentIndex(dialog.provider.findData(provider.value))


def type_into(qtbot: Any, dialog: AddAccountDialog, **values: str) -> None:
    for key, text in values.items():
        edit = dialog.edits[key]
        assert edit.isVisible(), f"{key} is hidden"
        edit.clear()
        qtbot.keyClicks(edit, text)


def shown_fields(dialog: AddAccountDialog) -> set[str]:
    shown = set()
    for key, edit in dialog.edits.items():
        label = dialog.form.labelForField(edit)
        assert label is not None
        assert label.isVisible() == edit.isVisible(), key
        if edit.isVisible():
            shown.add(key)
    return shown


def marked(dialog: AddAccountDialog) -> set[str]:
    return {key for key, edit in dialog.edits.items() if "border" in edit.styleSheet()}


@pytest.mark.parametrize("provider", list(Provider))
def test_only_the_fields_of_the_chosen_provider_are_shown(
    dialog: AddAccountDialog, provider: Provider
) -> None:
    choose(dialog, provider)
    assert shown_fields(dialog) == SHOWN[provider]
    assert set(dialog.edits) == FIELDS
    assert dialog.hint.text()
    for key in ("password", "token", "api_key"):
        assert dialog.edits[key].echoMode() == QLineEdit.EchoMode.Password


def test_switching_providers_changes_the_fields(dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.SKYPE)
    choose(dialog, Provider.JOINME)
    assert shown_fields(dialog) == SHOWN[Provider.JOINME]


def test_joinme_ok_stays_off_until_valid_and_gives_the_account(
    qtbot: Any, dialog: AddAccountDialog
) -> None:
    choose(dialog, Provider.JOINME)
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("Name:")
    assert marked(dialog) == {"name"}

    type_into(qtbot, dialog, name="Home join.me")
    assert not dialog.ok.isEnabled()
    assert dialog.error.text() == "Access token: a join.me account needs an access token"
    assert marked(dialog) == {"token"}

    type_into(qtbot, dialog, token="tok-123")
    assert dialog.ok.isEnabled()
    assert dialog.error.text() == "" and marked(dialog) == set()

    account, secrets = dialog.result_value()
    assert account == Account(
        name="Home join.me", provider=Provider.JOINME, base_url="https://api.join.me/v1",
        web_url="https://join.me",
    )
    assert secrets == {"token": "tok-123"}
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)


def test_a_bad_address_is_named(qtbot: Any, dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.WHEREBY)
    type_into(qtbot, dialog, name="Team", api_key="key", base_url="ftp://api.example.test")
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("API address:")
    assert marked(dialog) == {"base_url"}
    type_into(qtbot, dialog, base_url="https://api.example.test/v1/")
    assert dialog.ok.isEnabled()
    account, secrets = dialog.result_value()
    assert account.base_url == "https://api.example.test/v1"
    assert account.provider is Provider.WHEREBY and secrets == {"api_key": "key"}


def test_bluejeans_needs_a_password_with_the_user_name(
    qtbot: Any, dialog: AddAccountDialog
) -> None:
    choose(dialog, Provider.BLUEJEANS)
    type_into(qtbot, dialog, name="Work", username="dana@bluejeans.test")
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("Password:")
    assert marked(dialog) == {"password"}
    type_into(qtbot, dialog, password="pw")
    assert dialog.ok.isEnabled()
    account, secrets = dialog.result_value()
    assert account.username == "dana@bluejeans.test"
    assert account.relay_url == "https://relay.bluejeans.com/api"
    assert secrets == {"password": "pw"}


def test_skype_account(qtbot: Any, dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.SKYPE)
    type_into(qtbot, dialog, name="Lync", discovery_url="https://lyncdiscover.contoso.com/",
              username="sam")
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("User name:")
    assert marked(dialog) == {"username"}
    type_into(qtbot, dialog, username="sam@contoso.com", password="pw")
    assert dialog.ok.isEnabled()
    account, secrets = dialog.result_value()
    assert account.provider is Provider.SKYPE
    assert account.base_url == "https://lyncdiscover.contoso.com"
    assert account.web_url == "https://meet.contoso.com"
    assert secrets == {"password": "pw"}


def test_values_of_hidden_fields_are_not_used(qtbot: Any, dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.BLUEJEANS)
    type_into(qtbot, dialog, name="Mixed", token="relay-token", username="u", password="p")
    choose(dialog, Provider.WHEREBY)
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("API key:")
    type_into(qtbot, dialog, api_key="wb-key")
    assert dialog.ok.isEnabled()
    account, secrets = dialog.result_value()
    assert account.username is None and account.relay_url is None
    assert secrets == {"api_key": "wb-key"}


def test_secrets_stay_out_of_the_error_text(qtbot: Any, dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.BLUEJEANS)
    type_into(qtbot, dialog, name="Work", password="hunter2-secret")
    assert not dialog.ok.isEnabled()
    assert "hunter2-secret" not in dialog.error.text()


# ---- relay sign-in ------------------------------------------------------------------------------


def test_relay_sign_in_needs_both_fields(qtbot: Any) -> None:
    dialog = RelaySignInDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.user, "dana@bluejeans.test ")
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.secret, "pw")
    assert dialog.ok.isEnabled()
    assert dialog.username() == "dana@bluejeans.test"
    assert dialog.password() == "pw"
    assert dialog.secret.echoMode() == QLineEdit.EchoMode.Password
    dialog.user.clear()
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.user, "   ")
    assert not dialog.ok.isEnabled()


def test_relay_sign_in_starts_from_the_known_user_name(qtbot: Any) -> None:
    dialog = RelaySignInDialog(None, "dana@bluejeans.test")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.user.text() == "dana@bluejeans.test"
    assert not dialog.ok.isEnabled()
    qtbot.keyClicks(dialog.secret, "pw")
    assert dialog.ok.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=1000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
