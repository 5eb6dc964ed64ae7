"""The join prompts: passcode, sign-in, not invited, waiting room, Skype join progress."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QWidget

from launcher.core.errors import JoinFailed
from launcher.core.joinflow import JoinFlowAction, verdict
from launcher.providers.base import JoinProgress
from launcher.ui.dialogs import (
    NotInvitedDialog,
    PasscodeAnswer,
    PasscodeDialog,
    SignInDialog,
    SkypeJoinDialog,
    WaitingRoomNotice,
    action_for,
)

pytestmark = pytest.mark.gui

D = TypeVar("D", bound=QDialog)

PASSCODE = verdict(JoinFlowAction.GET_PASSCODE).message
WRONG = verdict(JoinFlowAction.GET_GOOD_PASSCODE).message
MODERATOR = verdict(JoinFlowAction.GET_OTHER_PASSCODE).message
WAITING = verdict(JoinFlowAction.WAITING_ROOM_ENABLED).message


# ---- helpers shared with the other dialog tests -------------------------------------------


async def wait_for(predicate: Callable[[], Any], limit: float = 10.0) -> Any:
    """Poll *predicate* on the running loop until it returns something truthy.

    The limit is generous: a loaded CI machine is slow, and a passing wait ends early.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def dialog_of(parent: QWidget, kind: type[D]) -> D:
    """The visible dialog of *kind* opened on *parent* (waits for it to appear)."""

    def find() -> D | None:
        return next((d for d in parent.findChildren(kind) if d.isVisible()), None)

    found: D = await wait_for(find)
    return found


def button(dialog: QWidget, name: str) -> QPushButton:
    found = dialog.findChild(QPushButton, name)
    assert found is not None, f"no button {name!r}"
    return found


def click(qtbot: Any, dialog: QWidget, name: str) -> None:
    target = button(dialog, name)
    assert target.isEnabled(), f"button {name!r} is disabled"
    assert target.isVisible(), f"button {name!r} is hidden"
    qtbot.mouseClick(target, Qt.MouseButton.LeftButton)


def texts(widget: QWidget) -> list[str]:
    """Every piece of text a person (or a screen reader) can get out of *widget*."""
    found = [widget.windowTitle(), widget.toolTip(), widget.accessibleName()]
    for child in [widget, *widget.findChildren(QWidget)]:
        found += [child.toolTip(), child.accessibleName(), child.accessibleDescription()]
        found += [child.statusTip(), child.whatsThis()]
        if isinstance(child, QLabel | QPushButton):
            found.append(child.text())
        if isinstance(child, QLineEdit):
            found += [child.text(), child.placeholderText()]
    return [t for t in found if t]


def headline_of(dialog: QWidget) -> str:
    label = dialog.findChild(QLabel, "headline")
    assert label is not None
    return label.text()


def message_of(dialog: QWidget) -> str:
    label = dialog.findChild(QLabel, "message")
    assert label is not None
    return label.text()


@pytest.fixture
def parent(qtbot: Any) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(600, 400)
    widget.show()
    return widget


# ---- passcode -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moderator", "retry", "title", "label"),
    [
        (False, False, "Passcode needed", "Passcode:"),
        (True, False, "Moderator passcode needed to start", "Moderator passcode:"),
        (False, True, "Passcode not accepted", "Passcode:"),
        (True, True, "Passcode not accepted", "Moderator passcode:"),
    ],
)
def test_passcode_title_and_label_per_need(
    qtbot: Any, moderator: bool, retry: bool, title: str, label: str
) -> None:
    dialog = PasscodeDialog(
        None, MODERATOR if moderator else PASSCODE, moderator=moderator, retry=retry
    )
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == title
    assert headline_of(dialog) == title
    assert message_of(dialog) == (MODERATOR if moderator else PASSCODE)
    assert label in [w.text() for w in dialog.findChildren(QLabel)]


def test_passcode_is_masked_until_show_is_pressed(qtbot: Any) -> None:
    dialog = PasscodeDialog(None, PASSCODE)
    qtbot.addWidget(dialog)
    edit = dialog.findChild(QLineEdit, "passcode")
    assert edit is not None
    dialog.show()
    assert edit.echoMode() == QLineEdit.EchoMode.Password
    click(qtbot, dialog, "show_passcode")
    assert edit.echoMode() == QLineEdit.EchoMode.Normal
    assert button(dialog, "show_passcode").text() == "Hide"
    click(qtbot, dialog, "show_passcode")
    assert edit.echoMode() == QLineEdit.EchoMode.Password


@pytest.mark.parametrize(
    ("typed", "ok", "error"),
    [
        ("", False, False),
        ("1629", True, False),
        ("Ab12cd", True, False),
        (" ", False, True),
        ("16 29", False, True),
        ("1629 ", False, True),
        ("16-29", False, True),
        ("１６２９", False, True),  # full-width digits are not what BlueJeans takes
    ],
)
def test_passcode_ok_only_for_letters_and_digits(
    qtbot: Any, typed: str, ok: bool, error: bool
) -> None:
    dialog = PasscodeDialog(None, PASSCODE)
    qtbot.addWidget(dialog)
    dialog.show()
    edit = dialog.findChild(QLineEdit, "passcode")
    assert edit is not None
    if typed.isascii():
        qtbot.keyClicks(edit, typed)
    else:  # QTest cannot type characters outside Latin-1; paste them instead
        edit.insert(typed)
    assert edit.text() == typed
    assert button(dialog, "ok").isEnabled() is ok
    message = dialog.findChild(QLabel, "passcode_message")
    assert message is not None
    assert message.isVisible() is error
    if error:
        assert message.text().startswith("Passcode ")
        assert typed.strip() not in message.text() or not typed.strip()  # never echoes it


def test_enter_cannot_accept_an_invalid_passcode(qtbot: Any) -> None:
    dialog = PasscodeDialog(None, PASSCODE, text="12 34")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted


def test_retry_keeps_what_was_typed_selected(qtbot: Any) -> None:
    dialog = PasscodeDialog(None, WRONG, retry=True, text="1111")
    qtbot.addWidget(dialog)
    dialog.show()
    edit = dialog.findChild(QLineEdit, "passcode")
    assert edit is not None
    assert edit.text() == "1111"
    assert edit.selectedText() == "1111"
    qtbot.keyClicks(edit, "1629")  # typing replaces the selection
    assert edit.text() == "1629"


async def test_ask_returns_passcode_and_remember(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    task = asyncio.create_task(PasscodeDialog.ask(parent, PASSCODE))
    dialog = await dialog_of(parent, PasscodeDialog)
    assert not button(dialog, "ok").isEnabled()
    edit = dialog.findChild(QLineEdit, "passcode")
    assert edit is not None
    qtbot.keyClicks(edit, "1629")
    remember = dialog.findChild(QWidget, "remember")
    assert remember is not None
    qtbot.mouseClick(remember, Qt.MouseButton.LeftButton, pos=remember.rect().center())
    click(qtbot, dialog, "ok")
    answer = await task
    assert answer == PasscodeAnswer("1629", True)
    assert "1629" not in repr(answer)


async def test_ask_cancel_returns_none(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    task = asyncio.create_task(PasscodeDialog.ask(parent, PASSCODE, text="99"))
    dialog = await dialog_of(parent, PasscodeDialog)
    click(qtbot, dialog, "cancel")
    assert await task is None


async def test_background_task_runs_while_a_dialog_is_open(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    ticks: list[int] = []

    async def ticker() -> None:
        while True:
            await asyncio.sleep(0.005)
            ticks.append(1)

    background = asyncio.create_task(ticker())
    try:
        task = asyncio.create_task(PasscodeDialog.ask(parent, PASSCODE))
        dialog = await dialog_of(parent, PasscodeDialog)
        before = len(ticks)
        await wait_for(lambda: len(ticks) >= before + 5)  # ticks go on while it is open
        assert dialog.isVisible()
        edit = dialog.findChild(QLineEdit, "passcode")
        assert edit is not None
        edit.setText("1234")
        click(qtbot, dialog, "ok")
        assert (await task) == PasscodeAnswer("1234", False)
    finally:
        background.cancel()


# ---- sign in ------------------------------------------------------------------------------

LOGIN_ACTIONS = [
    JoinFlowAction.LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING,
    JoinFlowAction.LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING,
    JoinFlowAction.INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING,
    JoinFlowAction.INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING,
]


def test_sign_in_explains_invitee_only_and_company_only(qtbot: Any) -> None:
    seen = set()
    for action in LOGIN_ACTIONS:
        dialog = SignInDialog(None, verdict(action).message)
        qtbot.addWidget(dialog)
        assert action_for(verdict(action).message) is action
        assert message_of(dialog) == verdict(action).message
        seen.add(headline_of(dialog))
        for name in ("sign_in", "browser", "cancel"):
            assert button(dialog, name)
    assert len(seen) == len(LOGIN_ACTIONS)
    invitee = SignInDialog(None, verdict(LOGIN_ACTIONS[0]).message)
    company = SignInDialog(None, verdict(LOGIN_ACTIONS[1]).message)
    qtbot.addWidget(invitee)
    qtbot.addWidget(company)
    assert "invited" in headline_of(invitee)
    assert "company" in headline_of(company)


def test_sign_in_button_hidden_without_a_way_to_sign_in(qtbot: Any) -> None:
    dialog = SignInDialog(None, verdict(LOGIN_ACTIONS[0]).message, can_sign_in=False)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not button(dialog, "sign_in").isVisible()
    assert button(dialog, "browser").isDefault()


async def test_sign_in_success_answers_signed_in(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    calls: list[int] = []

    async def sign_in() -> bool:
        calls.append(1)
        return True

    task = asyncio.create_task(
        SignInDialog.ask(parent, verdict(LOGIN_ACTIONS[0]).message, sign_in=sign_in)
    )
    dialog = await dialog_of(parent, SignInDialog)
    assert button(dialog, "sign_in").isDefault()
    click(qtbot, dialog, "sign_in")
    assert await task == "signed-in"
    assert calls == [1]


async def test_failed_sign_in_asks_again_then_browser(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    async def sign_in() -> bool:
        return False

    task = asyncio.create_task(
        SignInDialog.ask(parent, verdict(LOGIN_ACTIONS[1]).message, sign_in=sign_in)
    )
    dialog = await dialog_of(parent, SignInDialog)
    click(qtbot, dialog, "sign_in")
    failed = dialog.findChild(QLabel, "sign_in_failed")
    assert failed is not None
    await wait_for(lambda: dialog.isVisible() and failed.isVisible())
    assert "did not complete" in failed.text()
    click(qtbot, dialog, "browser")
    assert await task == "browser"


async def test_sign_in_cancel(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    task = asyncio.create_task(SignInDialog.ask(parent, verdict(LOGIN_ACTIONS[2]).message))
    dialog = await dialog_of(parent, SignInDialog)
    click(qtbot, dialog, "cancel")
    assert await task is None


# ---- not invited, waiting room ------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "words"),
    [
        (JoinFlowAction.USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING, "invitation list"),
        (JoinFlowAction.USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING, "company"),
    ],
)
async def test_not_invited_offers_browser_anyway(
    qtbot: Any, qloop: Any, parent: QWidget, action: JoinFlowAction, words: str
) -> None:
    task = asyncio.create_task(NotInvitedDialog.ask(parent, verdict(action).message))
    dialog = await dialog_of(parent, NotInvitedDialog)
    assert words in headline_of(dialog)
    assert message_of(dialog) == verdict(action).message
    assert button(dialog, "browser").text() == "Open in browser anyway"
    click(qtbot, dialog, "browser")
    assert await task == "browser"
    task = asyncio.create_task(NotInvitedDialog.ask(parent, verdict(action).message))
    dialog = await dialog_of(parent, NotInvitedDialog)
    click(qtbot, dialog, "cancel")
    assert await task is None


async def test_waiting_room_notice_join_or_cancel(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    task = asyncio.create_task(WaitingRoomNotice.ask(parent, WAITING, subject="All hands"))
    dialog = await dialog_of(parent, WaitingRoomNotice)
    assert "waiting room" in headline_of(dialog)
    assert "All hands" in texts(dialog)
    click(qtbot, dialog, "ok")
    assert await task is True
    task = asyncio.create_task(WaitingRoomNotice.ask(parent, WAITING))
    dialog = await dialog_of(parent, WaitingRoomNotice)
    click(qtbot, dialog, "cancel")
    assert await task is False


def test_every_flow_answer_gets_its_own_words(qtbot: Any) -> None:
    """Each JoinFlowAction that needs the user shows a different title/headline/text."""
    shown: dict[str, tuple[str, str, str]] = {}
    for action in JoinFlowAction:
        message = verdict(action).message
        dialog: QDialog
        if action is JoinFlowAction.JOIN_NOW:
            continue
        if action in (JoinFlowAction.GET_PASSCODE, JoinFlowAction.GET_GOOD_PASSCODE):
            dialog = PasscodeDialog(None, message, retry=action is JoinFlowAction.GET_GOOD_PASSCODE)
        elif action is JoinFlowAction.GET_OTHER_PASSCODE:
            dialog = PasscodeDialog(None, message, moderator=True)
        elif action.name.startswith(("LOGIN", "INVALID")):
            dialog = SignInDialog(None, message)
        elif action.name.startswith("USER_NOT_IN_LIST"):
            dialog = NotInvitedDialog(None, message)
        else:
            dialog = WaitingRoomNotice(None, message)
        qtbot.addWidget(dialog)
        shown[action.value] = (dialog.windowTitle(), headline_of(dialog), message_of(dialog))
    assert len(shown) == len(JoinFlowAction) - 1
    assert len(set(shown.values())) == len(shown)


# ---- Skype join progress ------------------------------------------------------------------


def step_texts(dialog: SkypeJoinDialog) -> list[str]:
    labels = [dialog.findChild(QLabel, f"step_{key}") for key in ("connecting", "lobby", "joined")]
    return [label.text() if label is not None else "" for label in labels]


def test_skype_dialog_shows_each_state_in_words(qtbot: Any) -> None:
    dialog = SkypeJoinDialog(None, subject="Quarterly planning")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_progress(JoinProgress("connecting", "Connecting to the meeting…"))
    assert dialog.state() == "connecting"
    assert step_texts(dialog) == ["● Connecting", "○ In the lobby", "○ Joined"]
    dialog.set_progress(JoinProgress("lobby", "Waiting in the lobby until someone lets you in"))
    assert headline_of(dialog) == "Waiting in the lobby"
    assert message_of(dialog) == "Waiting in the lobby until someone lets you in"
    assert step_texts(dialog) == ["✓ Connecting", "● In the lobby", "○ Joined"]
    dialog.set_joined()
    assert dialog.state() == "joined"
    assert step_texts(dialog) == ["✓ Connecting", "✓ In the lobby", "✓ Joined"]
    assert not button(dialog, "browser").isVisible()
    assert button(dialog, "cancel").text() == "Close"


def test_skype_dialog_failure_names_the_reason(qtbot: Any) -> None:
    dialog = SkypeJoinDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_progress(JoinProgress("connecting", "Connecting to the meeting…"))
    dialog.set_progress(JoinProgress("lobby", "Waiting in the lobby"))
    dialog.set_failed("The organiser did not let you in from the lobby.")
    assert dialog.state() == "failed"
    assert headline_of(dialog) == "Could not join the meeting"
    assert message_of(dialog) == "The organiser did not let you in from the lobby."
    assert step_texts(dialog) == ["✓ Connecting", "✗ In the lobby", "○ Joined"]
    assert button(dialog, "browser").isVisible()
    assert button(dialog, "cancel").text() == "Close"


def test_skype_dialog_buttons_emit_requests(qtbot: Any) -> None:
    dialog = SkypeJoinDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_progress(JoinProgress("connecting", "Connecting…"))
    with qtbot.waitSignal(dialog.cancel_requested, timeout=1000):
        click(qtbot, dialog, "cancel")
    assert not dialog.isVisible()
    dialog = SkypeJoinDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.browser_requested, timeout=1000):
        click(qtbot, dialog, "browser")
    # Closing after the join ended asks for nothing.
    dialog = SkypeJoinDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_joined()
    with qtbot.assertNotEmitted(dialog.cancel_requested):
        click(qtbot, dialog, "cancel")


async def test_skype_ask_follows_progress_until_joined(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    async def updates() -> AsyncIterator[JoinProgress]:
        yield JoinProgress("connecting", "Connecting to the meeting…")
        await asyncio.sleep(0.02)
        yield JoinProgress("lobby", "Waiting in the lobby until someone lets you in")
        await asyncio.sleep(0.02)
        yield JoinProgress("joined", "You are in the meeting.")

    task = asyncio.create_task(SkypeJoinDialog.ask(parent, updates()))
    dialog = await dialog_of(parent, SkypeJoinDialog)
    await wait_for(lambda: dialog.state() == "lobby")
    assert await task == "joined"


async def test_skype_ask_failure_then_browser(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    async def updates() -> AsyncIterator[JoinProgress]:
        yield JoinProgress("connecting", "Connecting to the meeting…")
        raise JoinFailed("skype", "Nobody let you in.", code="Denied")

    task = asyncio.create_task(SkypeJoinDialog.ask(parent, updates()))
    dialog = await dialog_of(parent, SkypeJoinDialog)
    await wait_for(lambda: dialog.state() == "failed")
    assert message_of(dialog) == "Nobody let you in."
    click(qtbot, dialog, "browser")
    assert await task == "browser"


async def test_skype_ask_cancel_stops_the_join(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    closed: list[bool] = []

    async def updates() -> AsyncIterator[JoinProgress]:
        try:
            yield JoinProgress("lobby", "Waiting in the lobby")
            await asyncio.sleep(30)
            yield JoinProgress("joined", "You are in the meeting.")
        finally:
            closed.append(True)

    task = asyncio.create_task(SkypeJoinDialog.ask(parent, updates()))
    dialog = await dialog_of(parent, SkypeJoinDialog)
    await wait_for(lambda: dialog.state() == "lobby")
    click(qtbot, dialog, "cancel")
    assert await task is None
    await wait_for(lambda: closed)
