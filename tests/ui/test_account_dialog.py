"""Account dialogs: fields per provider, inline validation, the busy state, edit, sign in again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit

from launcher.core.models import API_PROVIDERS, Account, Provider
from launcher.ui.account_dialog import (
    APP_MODE,
    AccountSignInDialog,
    AddAccountDialog,
    EditAccountDialog,
    RelaySignInDialog,
)

pytestmark = pytest.mark.gui

FIELDS = {"name", "base_url", "relay_url", "discovery_url", "username", "password",
          "client_id", "client_secret", "api_key"}
SHOWN = {
    Provider.BLUEJEANS: {"name", "base_url", "relay_url", "username", "password"},
    Provider.JOINME: {"name", "base_url"},
    Provider.WHEREBY: {"name", "base_url", "api_key"},
    Provider.SKYPE: {"name", "discovery_url", "username", "password"},
    Provider.ICS: {"name", "base_url", "username"},
    Provider.CALDAV: {"name", "base_url", "username", "password"},
}


@pytest.fixture
def dialog(qtbot: Any) -> AddAccountDialog:
    widget = AddAccountDialog(None, taken=["Taken"])
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def choose(dialog: AddAccountDialog, provider: Provider) -> None:
    dialog.provider.setCurrentIndex(dialog.provider.findData(provider.value))


def type_into(qtbot: Any, dialog: Any, **values: str) -> None:
    for key, text in values.items():
        edit = dialog.edits[key]
        assert edit.isVisible(), f"{key} is hidden"
        edit.clear()
        qtbot.keyClicks(edit, text)


def shown_fields(dialog: AddAccountDialog) -> set[str]:
    shown = set()
    for key, edit in dialog.edits.items():
        label = dialog.label_widget(key)
        assert label is not None
        assert label.isVisible() == edit.isVisible(), key
        if edit.isVisible():
            shown.add(key)
    return shown


def marked(dialog: Any) -> set[str]:
    return {key for key, edit in dialog.edits.items() if "border" in edit.styleSheet()}


@pytest.mark.parametrize("provider", [*API_PROVIDERS, Provider.ICS, Provider.CALDAV])
def test_only_the_fields_of_the_chosen_provider_are_shown(
    dialog: AddAccountDialog, provider: Provider
) -> None:
    choose(dialog, provider)
    assert shown_fields(dialog) == SHOWN[provider]
    assert set(dialog.edits) == FIELDS
    assert dialog.hint.text()
    assert dialog.mode.isVisible() is (provider is Provider.BLUEJEANS)
    assert dialog.browse.isVisible() is (provider is Provider.ICS)
    for key in ("password", "client_secret", "api_key"):
        assert dialog.edits[key].echoMode() == QLineEdit.EchoMode.Password


def test_switching_providers_changes_the_fields(dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.SKYPE)
    choose(dialog, Provider.JOINME)
    assert shown_fields(dialog) == SHOWN[Provider.JOINME]
    assert "browser" in dialog.hint.text()


def test_joinme_needs_only_a_name_and_signs_in_in_the_browser(
    qtbot: Any, dialog: AddAccountDialog
) -> None:
    choose(dialog, Provider.JOINME)
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("Name:")
    assert marked(dialog) == set()  # nobody typed there yet: said, not marked in red
    assert "placeholder" in dialog.error.styleSheet()
    type_into(qtbot, dialog, name="x")
    dialog.edits["name"].clear()
    assert marked(dialog) == {"name"} and "#c0392b" in dialog.error.styleSheet()
    type_into(qtbot, dialog, name="Taken")
    assert not dialog.ok.isEnabled() and "already exists" in dialog.error.text()
    type_into(qtbot, dialog, name="Home join.me")
    assert dialog.ok.isEnabled()
    assert dialog.error.text() == "" and marked(dialog) == set()
    account, given = dialog.result_value()
    assert account == Account(
        name="Home join.me", provider=Provider.JOINME, base_url="https://api.join.me/v1",
        web_url="https://join.me",
    )
    assert given == {}
    assert dialog.ok.text() == "Sign in"
    with qtbot.waitSignal(dialog.submitted, timeout=1000):
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()  # OK starts the sign-in; the dialog stays until it is done


def test_a_bad_address_is_named(qtbot: Any, dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.WHEREBY)
    type_into(qtbot, dialog, name="Team", api_key="key", base_url="ftp://api.example.test")
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("API address:")
    assert marked(dialog) == {"base_url"}
    type_into(qtbot, dialog, base_url="https://api.example.test/v1/")
    assert dialog.ok.isEnabled()
    account, given = dialog.result_value()
    assert account.base_url == "https://api.example.test/v1"
    assert account.provider is Provider.WHEREBY and given == {"api_key": "key"}


def test_bluejeans_needs_a_password_with_the_user_name(
    qtbot: Any, dialog: AddAccountDialog
) -> None:
    choose(dialog, Provider.BLUEJEANS)
    type_into(qtbot, dialog, name="Work", username="dana@bluejeans.test")
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("Password:")
    assert "not kept" in dialog.error.text()
    assert marked(dialog) == set()
    type_into(qtbot, dialog, password="pw")
    assert dialog.ok.isEnabled()
    account, given = dialog.result_value()
    assert account.username == "dana@bluejeans.test"
    assert account.relay_url == "https://relay.bluejeans.com/api"
    assert given == {"password": "pw"}


def test_bluejeans_app_key_mode(qtbot: Any, dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.BLUEJEANS)
    dialog.mode.setCurrentIndex(dialog.mode.findData(APP_MODE))
    assert shown_fields(dialog) == {"name", "base_url", "relay_url", "username", "client_id",
                                    "client_secret"}
    label = dialog.form.labelForField(dialog.edits["username"])
    assert isinstance(label, QLabel) and label.text() == "User's e-mail"
    type_into(qtbot, dialog, name="Org", client_id="app", client_secret="s3cret",
              username="dana")
    assert not dialog.ok.isEnabled() and marked(dialog) == {"username"}
    type_into(qtbot, dialog, username="dana@bluejeans.test")
    assert dialog.ok.isEnabled()
    assert dialog.result_value()[1] == {"client_id": "app", "client_secret": "s3cret"}


def test_skype_account(qtbot: Any, dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.SKYPE)
    type_into(qtbot, dialog, name="Lync", discovery_url="https://lyncdiscover.contoso.com/",
              username="sam")
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("User name:")
    assert marked(dialog) == {"username"}
    type_into(qtbot, dialog, username="sam@contoso.com", password="pw")
    assert dialog.ok.isEnabled()
    account, given = dialog.result_value()
    assert account.provider is Provider.SKYPE
    assert account.base_url == "https://lyncdiscover.contoso.com"
    assert account.web_url == "https://meet.contoso.com"
    assert given == {"password": "pw"}


def test_values_of_hidden_fields_are_not_used(qtbot: Any, dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.BLUEJEANS)
    type_into(qtbot, dialog, name="Mixed", username="u", password="p")
    choose(dialog, Provider.WHEREBY)
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("API key:")
    type_into(qtbot, dialog, api_key="wb-key")
    assert dialog.ok.isEnabled()
    account, given = dialog.result_value()
    assert account.username is None and account.relay_url is None
    assert given == {"api_key": "wb-key"}


def test_secrets_stay_out_of_the_error_text(qtbot: Any, dialog: AddAccountDialog) -> None:
    choose(dialog, Provider.BLUEJEANS)
    type_into(qtbot, dialog, name="Work", password="hunter2-secret")
    assert not dialog.ok.isEnabled()
    assert "hunter2-secret" not in dialog.error.text()


def test_busy_state_and_a_refusal_coming_back_to_its_field(
    qtbot: Any, dialog: AddAccountDialog
) -> None:
    choose(dialog, Provider.WHEREBY)
    type_into(qtbot, dialog, name="Team", api_key="bad-key")
    dialog.set_busy("Checking the API key with Whereby…")
    assert dialog.progress.isVisible() and dialog.status.isVisible()
    assert not dialog.ok.isEnabled() and dialog.cancel.isEnabled()
    assert not dialog.edits["api_key"].isEnabled() and not dialog.provider.isEnabled()
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)  # disabled: nothing happens
    dialog.set_link("http://127.0.0.1:1/joinme/auth/oauth2?x=1")
    assert dialog.link.isVisible() and "oauth2" in dialog.link_url()
    dialog.show_error("api_key", "Whereby did not accept this API key")
    assert not dialog.progress.isVisible() and not dialog.link.isVisible()
    assert dialog.edits["api_key"].isEnabled() and dialog.provider.isEnabled()
    assert marked(dialog) == {"api_key"}
    assert dialog.error.text() == "API key: Whereby did not accept this API key"
    assert dialog.ok.isEnabled()  # the form itself is valid: try again
    assert dialog.edits["api_key"].hasFocus()
    dialog.show_error(None, "Whereby: could not reach the service; nothing was saved")
    assert dialog.error.text().startswith("Whereby: could not reach")


# ---- edit ------------------------------------------------------------------------------------


def test_edit_dialog_validates_and_gives_only_the_changes(qtbot: Any) -> None:
    account = Account("Work", Provider.SKYPE, "https://lyncdiscover.contoso.com",
                      username="sam@contoso.com")
    dialog = EditAccountDialog(None, account, taken=["Work", "Home"])
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.ok.isEnabled()  # nothing changed yet
    label = dialog.findChild(QLineEdit, "discovery_url")
    assert label is dialog.base_url
    dialog.name.clear()
    assert not dialog.ok.isEnabled() and dialog.error.text().startswith("Name:")
    qtbot.keyClicks(dialog.name, "Home")
    assert not dialog.ok.isEnabled() and "already exists" in dialog.error.text()
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "Work SfB")
    assert dialog.ok.isEnabled()
    assert dialog.changes() == {"name": "Work SfB"}
    dialog.base_url.clear()
    qtbot.keyClicks(dialog.base_url, "lyncdiscover.contoso.com")
    assert not dialog.ok.isEnabled() and dialog.error.text().startswith("Discovery URL:")
    dialog.base_url.clear()
    qtbot.keyClicks(dialog.base_url, "https://lyncdiscover.fabrikam.com/")
    assert dialog.changes() == {"name": "Work SfB",
                                "base_url": "https://lyncdiscover.fabrikam.com"}


# ---- calendars -------------------------------------------------------------------------------


def test_an_ics_calendar_needs_an_address_and_takes_an_optional_e_mail(
    qtbot: Any, dialog: AddAccountDialog
) -> None:
    choose(dialog, Provider.ICS)
    assert dialog.label_of("base_url") == "Calendar address"
    assert dialog.label_of("username") == "Your e-mail (optional)"
    type_into(qtbot, dialog, name="Team calendar")
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("Calendar address:")
    type_into(qtbot, dialog, base_url="ftp://cal.example.test/team.ics")
    assert not dialog.ok.isEnabled() and marked(dialog) == {"base_url"}
    type_into(qtbot, dialog, base_url="webcal://cal.example.test/team.ics")
    assert dialog.ok.isEnabled() and marked(dialog) == set()
    type_into(qtbot, dialog, username="not an address")
    assert not dialog.ok.isEnabled() and dialog.error.text().startswith("Your e-mail (optional):")
    assert marked(dialog) == {"username"}
    type_into(qtbot, dialog, username="dana@example.test")
    assert dialog.ok.isEnabled()
    account, given = dialog.result_value()
    assert account == Account("Team calendar", Provider.ICS, "webcal://cal.example.test/team.ics",
                              username="dana@example.test")
    assert given == {}


def test_browse_chooses_a_file_without_blocking(
    qtbot: Any, dialog: AddAccountDialog, tmp_path: Path
) -> None:
    choose(dialog, Provider.ICS)
    type_into(qtbot, dialog, name="Exported")
    qtbot.mouseClick(dialog.browse, Qt.MouseButton.LeftButton)
    file_dialog = dialog.file_dialog
    assert isinstance(file_dialog, QFileDialog) and file_dialog.isVisible()
    assert file_dialog.isModal()  # window-modal through open(), not a nested exec()
    ics = tmp_path / "my calendar.ics"
    ics.write_text("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    file_dialog.fileSelected.emit(str(ics))
    file_dialog.done(QFileDialog.DialogCode.Accepted)
    assert dialog.file_dialog is None
    assert dialog.edits["base_url"].text() == ics.as_uri()
    assert dialog.ok.isEnabled()
    account, _given = dialog.result_value()
    assert account.base_url.startswith("file:///") and account.base_url.endswith(".ics")


def test_caldav_needs_address_user_name_and_password(
    qtbot: Any, dialog: AddAccountDialog
) -> None:
    choose(dialog, Provider.CALDAV)
    assert dialog.label_of("base_url") == "CalDAV address"
    type_into(qtbot, dialog, name="Office", base_url="dav.example.test")
    assert not dialog.ok.isEnabled() and marked(dialog) == {"base_url"}
    type_into(qtbot, dialog, base_url="https://dav.example.test/", username="alice")
    assert not dialog.ok.isEnabled() and dialog.error.text().startswith("Password:")
    type_into(qtbot, dialog, password="pw")
    assert dialog.ok.isEnabled()
    account, given = dialog.result_value()
    assert account.provider is Provider.CALDAV and account.username == "alice"
    assert given == {"password": "pw"}
    assert "pw" not in repr(dialog.form_value())


def test_editing_an_ics_calendar_takes_a_file_address(qtbot: Any) -> None:
    account = Account("Cal", Provider.ICS, "https://cal.example.test/a.ics")
    dialog = EditAccountDialog(None, account)
    qtbot.addWidget(dialog)
    dialog.base_url.clear()
    qtbot.keyClicks(dialog.base_url, "file:///home/dana/b.ics")
    assert dialog.ok.isEnabled()
    assert dialog.changes() == {"base_url": "file:///home/dana/b.ics"}
    dialog.base_url.clear()
    qtbot.keyClicks(dialog.base_url, "b.ics")
    assert not dialog.ok.isEnabled()
    assert dialog.error.text().startswith("Calendar address:")


# ---- sign in again ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "needs", "words"),
    [
        (Provider.JOINME, (), "browser"),
        (Provider.WHEREBY, ("api_key",), "API key"),
        (Provider.BLUEJEANS, ("password",), "not kept"),
        (Provider.BLUEJEANS, (), "app key"),
        (Provider.SKYPE, ("password",), ""),
        (Provider.CALDAV, ("password",), "CalDAV password"),
        (Provider.ICS, (), "read again"),
    ],
)
def test_sign_in_dialog_asks_only_what_is_needed(
    qtbot: Any, provider: Provider, needs: tuple[str, ...], words: str
) -> None:
    account = Account("Acc", provider, "https://x.example/v1", username="u@x.example")
    dialog = AccountSignInDialog(None, account, needs, "the sign-in has expired")
    qtbot.addWidget(dialog)
    dialog.show()
    assert set(dialog.edits) == set(needs)
    assert "the sign-in has expired" in dialog.hint.text() and words in dialog.hint.text()
    assert dialog.ok.isEnabled() is (not needs)
    for key in needs:
        qtbot.keyClicks(dialog.edits[key], "secret-value")
    assert dialog.ok.isEnabled()
    for key in needs:
        assert dialog.value(key) == "secret-value"
        assert dialog.edits[key].echoMode() == QLineEdit.EchoMode.Password


def test_sign_in_dialog_asks_the_bluejeans_user_name_when_there_is_none(qtbot: Any) -> None:
    account = Account("BJ", Provider.BLUEJEANS, "https://api.bluejeans.com")
    dialog = AccountSignInDialog(None, account, ("username", "password"))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.edits["password"], "pw")
    assert not dialog.ok.isEnabled() and dialog.error.text().startswith("User name:")
    qtbot.keyClicks(dialog.edits["username"], "dana@bluejeans.test")
    assert dialog.ok.isEnabled()


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
