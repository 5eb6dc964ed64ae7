"""DialogPrompter: every JoinFlowAction path of a real BlueJeans join flow, answered in dialogs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QWidget

from launcher.core.errors import JoinFailed
from launcher.core.joinflow import (
    AskLogin,
    AskPasscode,
    Cancelled,
    ExplainNotInvited,
    JoinFlowAction,
    NoteWaitingRoom,
    OpenUrl,
    RunPrecheck,
    bluejeans_join_flow,
    verdict,
)
from launcher.core.models import Role
from launcher.providers.base import JoinProgress
from launcher.ui.dialogs import (
    NotInvitedDialog,
    PasscodeDialog,
    SignInDialog,
    SkypeJoinDialog,
    WaitingRoomNotice,
)
from launcher.ui.prompter import DialogPrompter, JoinCancelled
from tests.ui.test_dialogs_join import click, dialog_of, headline_of, message_of, wait_for

pytestmark = pytest.mark.gui

URL = "https://bluejeans.test/9036439807"
A = JoinFlowAction


@pytest.fixture
def parent(qtbot: Any) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.resize(640, 480)
    widget.show()
    return widget


class FakePrecheck:
    """The relay's joinflow check, scripted: answers in order, records the passcodes."""

    def __init__(self, *answers: str) -> None:
        self._answers: Iterator[str] = iter(answers)
        self.passcodes: list[str | None] = []

    async def __call__(self, passcode: str | None) -> str:
        self.passcodes.append(passcode)
        await asyncio.sleep(0)
        return next(self._answers)


async def drive(
    prompter: DialogPrompter,
    precheck: FakePrecheck,
    *,
    role: Role = Role.VIEWER,
    passcode: str | None = None,
) -> OpenUrl | Cancelled:
    """Run core.joinflow's real BlueJeans flow the way JoinService does."""
    flow = bluejeans_join_flow(join_url=URL, passcode=passcode, role=role)
    step = next(flow)
    while True:
        answer: str | None = None
        if isinstance(step, RunPrecheck):
            answer = await precheck(step.passcode)
        elif isinstance(step, AskPasscode):
            answer = await prompter.ask_passcode(step)
        elif isinstance(step, AskLogin):
            answer = await prompter.ask_login(step)
        elif isinstance(step, ExplainNotInvited):
            answer = await prompter.explain_not_invited(step)
        elif isinstance(step, NoteWaitingRoom):
            await prompter.note(step.message)
        elif isinstance(step, OpenUrl | Cancelled):
            return step
        step = flow.send(answer)


def start(
    prompter: DialogPrompter, precheck: FakePrecheck, **kwargs: Any
) -> asyncio.Task[OpenUrl | Cancelled]:
    return asyncio.create_task(drive(prompter, precheck, **kwargs))


def passcode_edit(dialog: QWidget) -> QLineEdit:
    edit = dialog.findChild(QLineEdit, "passcode")
    assert edit is not None
    return edit


async def answer_passcode(qtbot: Any, parent: QWidget, text: str) -> PasscodeDialog:
    dialog = await dialog_of(parent, PasscodeDialog)
    edit = passcode_edit(dialog)
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    click(qtbot, dialog, "ok")
    await wait_for(lambda: not dialog.isVisible())
    return dialog


def no_dialog_open(parent: QWidget) -> bool:
    kinds = (PasscodeDialog, SignInDialog, NotInvitedDialog, WaitingRoomNotice, SkypeJoinDialog)
    return not any(d.isVisible() for kind in kinds for d in parent.findChildren(kind))


# ---- JOIN_NOW and unknown answers ---------------------------------------------------------


async def test_join_now_asks_nothing(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    step = await drive(prompter, FakePrecheck(A.JOIN_NOW))
    assert isinstance(step, OpenUrl)
    assert step.url == URL and step.note == ""
    assert no_dialog_open(parent)
    assert prompter.last_passcode is None and prompter.remember_requested is False


async def test_unknown_answer_opens_the_browser_without_asking(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent)
    step = await drive(prompter, FakePrecheck("GET_FACE_SCAN"))
    assert isinstance(step, OpenUrl)
    assert "GET_FACE_SCAN" in step.note and "browser" in step.note
    assert no_dialog_open(parent)


# ---- passcodes ----------------------------------------------------------------------------


async def test_passcode_then_join(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent, subject="Design review")
    precheck = FakePrecheck(A.GET_PASSCODE, A.JOIN_NOW)
    task = start(prompter, precheck)
    dialog = await dialog_of(parent, PasscodeDialog)
    assert dialog.windowTitle() == "Passcode needed"
    assert message_of(dialog) == verdict(A.GET_PASSCODE).message
    assert passcode_edit(dialog).text() == ""
    await answer_passcode(qtbot, parent, "1629")
    step = await task
    assert isinstance(step, OpenUrl) and step.passcode == "1629"
    assert precheck.passcodes == [None, "1629"]
    assert prompter.last_passcode == "1629"
    assert prompter.remember_requested is False


async def test_wrong_passcode_asks_again_keeping_what_was_typed(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent)
    precheck = FakePrecheck(A.GET_PASSCODE, A.GET_GOOD_PASSCODE, A.JOIN_NOW)
    task = start(prompter, precheck)
    first = await answer_passcode(qtbot, parent, "1111")
    second = await dialog_of(parent, PasscodeDialog)
    assert second is not first
    assert second.windowTitle() == "Passcode not accepted"
    assert headline_of(second) == "Passcode not accepted"
    assert message_of(second) == verdict(A.GET_GOOD_PASSCODE).message
    edit = passcode_edit(second)
    assert edit.text() == "1111"
    assert edit.selectedText() == "1111"
    qtbot.keyClicks(edit, "1629")  # replaces the selected text
    click(qtbot, second, "ok")
    step = await task
    assert isinstance(step, OpenUrl) and step.passcode == "1629"
    assert precheck.passcodes == [None, "1111", "1629"]
    assert prompter.last_passcode == "1629"


async def test_cancelled_passcode_cancels_the_join(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    task = start(prompter, FakePrecheck(A.GET_PASSCODE))
    dialog = await dialog_of(parent, PasscodeDialog)
    click(qtbot, dialog, "cancel")
    step = await task
    assert isinstance(step, Cancelled)
    assert prompter.last_passcode is None


async def test_moderator_passcode_to_start(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    precheck = FakePrecheck(A.GET_OTHER_PASSCODE, A.JOIN_NOW)
    task = start(prompter, precheck, role=Role.PRESENTER)
    dialog = await dialog_of(parent, PasscodeDialog)
    assert dialog.windowTitle() == "Moderator passcode needed to start"
    assert message_of(dialog) == verdict(A.GET_OTHER_PASSCODE).message
    assert "Moderator passcode:" in [w.text() for w in dialog.findChildren(QLabel)]
    await answer_passcode(qtbot, parent, "9876")
    step = await task
    assert isinstance(step, OpenUrl) and step.passcode == "9876" and step.role is Role.PRESENTER


async def test_moderator_passcode_declined_still_joins(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent)
    task = start(prompter, FakePrecheck(A.GET_OTHER_PASSCODE), role=Role.PRESENTER)
    dialog = await dialog_of(parent, PasscodeDialog)
    click(qtbot, dialog, "cancel")
    step = await task
    assert isinstance(step, OpenUrl)
    assert step.note == verdict(A.GET_OTHER_PASSCODE).message


async def test_viewer_waits_for_the_moderator(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    task = start(prompter, FakePrecheck(A.GET_OTHER_PASSCODE), role=Role.VIEWER)
    notice = await dialog_of(parent, WaitingRoomNotice)
    assert notice.windowTitle() == "Waiting for the moderator"
    assert "moderator" in headline_of(notice)
    click(qtbot, notice, "ok")
    step = await task
    assert isinstance(step, OpenUrl) and "moderator" in step.note


async def test_remember_checkbox_is_recorded(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    task = start(prompter, FakePrecheck(A.GET_PASSCODE, A.JOIN_NOW))
    dialog = await dialog_of(parent, PasscodeDialog)
    remember = dialog.findChild(QCheckBox, "remember")
    assert remember is not None and not remember.isChecked()
    qtbot.mouseClick(remember, Qt.MouseButton.LeftButton, pos=remember.rect().center())
    assert remember.isChecked()
    qtbot.keyClicks(passcode_edit(dialog), "1629")
    click(qtbot, dialog, "ok")
    await task
    assert prompter.remember_requested is True
    assert prompter.last_passcode == "1629"


async def test_remembered_passcode_fills_the_prompt_when_rejected(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent, remembered="4321")
    assert prompter.remember_requested is True
    precheck = FakePrecheck(A.GET_GOOD_PASSCODE, A.JOIN_NOW)
    task = start(prompter, precheck, passcode="4321")
    dialog = await dialog_of(parent, PasscodeDialog)
    assert dialog.windowTitle() == "Passcode not accepted"
    assert passcode_edit(dialog).text() == "4321"
    remember = dialog.findChild(QCheckBox, "remember")
    assert remember is not None and remember.isChecked()
    remember.setChecked(False)  # the user no longer wants it kept
    passcode_edit(dialog).setText("1629")
    click(qtbot, dialog, "ok")
    await task
    assert precheck.passcodes == ["4321", "1629"]
    assert prompter.remember_requested is False
    assert prompter.last_passcode == "1629"


# ---- sign in ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "words"),
    [
        (A.LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING, "invited"),
        (A.LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING, "company"),
        (A.INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING, "invited"),
        (A.INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING, "company"),
    ],
)
async def test_login_then_sign_in_then_recheck(
    qtbot: Any, qloop: Any, parent: QWidget, action: JoinFlowAction, words: str
) -> None:
    signed: list[bool] = []

    async def sign_in() -> bool:
        signed.append(True)
        return True

    prompter = DialogPrompter(parent, sign_in=sign_in)
    precheck = FakePrecheck(action, A.JOIN_NOW)
    task = start(prompter, precheck)
    dialog = await dialog_of(parent, SignInDialog)
    assert words in headline_of(dialog)
    assert message_of(dialog) == verdict(action).message
    click(qtbot, dialog, "sign_in")
    step = await task
    assert signed == [True]
    assert len(precheck.passcodes) == 2  # checked again after signing in
    assert isinstance(step, OpenUrl) and step.note == ""


async def test_failed_sign_in_then_browser(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    async def sign_in() -> bool:
        return False

    prompter = DialogPrompter(parent, sign_in=sign_in)
    precheck = FakePrecheck(A.LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING)
    task = start(prompter, precheck)
    dialog = await dialog_of(parent, SignInDialog)
    click(qtbot, dialog, "sign_in")
    failed = dialog.findChild(QLabel, "sign_in_failed")
    assert failed is not None
    await wait_for(lambda: dialog.isVisible() and failed.isVisible())
    click(qtbot, dialog, "browser")
    step = await task
    assert isinstance(step, OpenUrl)
    assert step.note == verdict(A.LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING).message
    assert precheck.passcodes == [None]  # no second check without a sign-in


async def test_login_without_sign_in_offers_browser_or_cancel(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent)
    task = start(prompter, FakePrecheck(A.LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING))
    dialog = await dialog_of(parent, SignInDialog)
    sign_in = dialog.findChild(QWidget, "sign_in")
    assert sign_in is not None and not sign_in.isVisible()
    click(qtbot, dialog, "cancel")
    step = await task
    assert isinstance(step, Cancelled)


# ---- not invited, waiting room ------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        A.USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING,
        A.USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING,
    ],
)
async def test_not_invited_then_browser(
    qtbot: Any, qloop: Any, parent: QWidget, action: JoinFlowAction
) -> None:
    prompter = DialogPrompter(parent)
    task = start(prompter, FakePrecheck(action))
    dialog = await dialog_of(parent, NotInvitedDialog)
    assert message_of(dialog) == verdict(action).message
    click(qtbot, dialog, "browser")
    step = await task
    assert isinstance(step, OpenUrl) and step.note == verdict(action).message


async def test_not_invited_cancel(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    task = start(prompter, FakePrecheck(A.USER_NOT_IN_LIST_FOR_INVITEE_ONLY_SECURE_MEETING))
    dialog = await dialog_of(parent, NotInvitedDialog)
    click(qtbot, dialog, "cancel")
    assert isinstance(await task, Cancelled)


async def test_waiting_room_then_join(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    task = start(prompter, FakePrecheck(A.WAITING_ROOM_ENABLED))
    notice = await dialog_of(parent, WaitingRoomNotice)
    assert notice.windowTitle() == "Waiting room"
    assert message_of(notice) == verdict(A.WAITING_ROOM_ENABLED).message
    click(qtbot, notice, "ok")
    step = await task
    assert isinstance(step, OpenUrl)


async def test_waiting_room_cancel_stops_the_join(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    task = start(prompter, FakePrecheck(A.WAITING_ROOM_ENABLED))
    notice = await dialog_of(parent, WaitingRoomNotice)
    click(qtbot, notice, "cancel")
    with pytest.raises(JoinCancelled) as caught:
        await task
    assert caught.value.open_in_browser is False


# ---- Skype for Business progress ----------------------------------------------------------


def skype_join(
    prompter: DialogPrompter,
    steps: list[JoinProgress],
    *,
    pause: float = 0.02,
    fail: str | None = None,
    events: list[str] | None = None,
) -> Callable[[], Any]:
    """A stand-in for JoinService._join_skype: reports progress, then returns or fails."""

    async def join() -> str:
        try:
            for progress in steps:
                await prompter.progress(progress)
                await asyncio.sleep(pause)
            if fail is not None:
                raise JoinFailed("skype", fail, code="Denied")
            return "outcome"
        except asyncio.CancelledError:
            if events is not None:
                events.append("cancelled")
            raise

    return join


CONNECTING = JoinProgress("connecting", "Connecting to the meeting…")
LOBBY = JoinProgress("lobby", "Waiting in the lobby until someone lets you in")
JOINED = JoinProgress("joined", "You are in the meeting.")


async def test_skype_progress_in_one_dialog_until_joined(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent, subject="Quarterly planning")
    prompter.joined_close_ms = 50
    task = asyncio.create_task(
        prompter.run(skype_join(prompter, [CONNECTING, LOBBY, JOINED], pause=0.05)())
    )
    dialog = await dialog_of(parent, SkypeJoinDialog)
    await wait_for(lambda: dialog.state() == "lobby")
    assert headline_of(dialog) == "Waiting in the lobby"
    assert await task == "outcome"
    assert dialog.state() == "joined"
    assert parent.findChildren(SkypeJoinDialog) == [dialog]  # one dialog for every report
    await wait_for(lambda: not dialog.isVisible())  # it closes by itself after "joined"


async def test_skype_cancel_stops_the_join_at_once(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    events: list[str] = []
    task = asyncio.create_task(
        prompter.run(skype_join(prompter, [CONNECTING, LOBBY], pause=30, events=events)())
    )
    dialog = await dialog_of(parent, SkypeJoinDialog)
    await wait_for(lambda: dialog.state() == "connecting")
    click(qtbot, dialog, "cancel")
    with pytest.raises(JoinCancelled) as caught:
        await task
    assert caught.value.open_in_browser is False
    assert events == ["cancelled"]
    assert prompter.interrupted == "cancel"


async def test_skype_browser_instead(qtbot: Any, qloop: Any, parent: QWidget) -> None:
    prompter = DialogPrompter(parent)
    events: list[str] = []
    task = asyncio.create_task(
        prompter.run(skype_join(prompter, [CONNECTING, LOBBY], pause=30, events=events)())
    )
    dialog = await dialog_of(parent, SkypeJoinDialog)
    click(qtbot, dialog, "browser")
    with pytest.raises(JoinCancelled) as caught:
        await task
    assert caught.value.open_in_browser is True
    assert events == ["cancelled"]


async def test_skype_failure_shows_the_reason_then_browser(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent)
    reason = "Nobody let you in from the lobby."
    task = asyncio.create_task(
        prompter.run(skype_join(prompter, [CONNECTING, LOBBY], fail=reason)())
    )
    dialog = await dialog_of(parent, SkypeJoinDialog)
    await wait_for(lambda: dialog.state() == "failed")
    assert message_of(dialog) == reason
    assert not task.done()  # waits for the user to read it and choose
    click(qtbot, dialog, "browser")
    with pytest.raises(JoinCancelled) as caught:
        await task
    assert caught.value.open_in_browser is True
    assert isinstance(caught.value.__cause__, JoinFailed)


async def test_skype_failure_then_close_raises_the_failure(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent)
    task = asyncio.create_task(
        prompter.run(skype_join(prompter, [CONNECTING], fail="The meeting does not exist.")())
    )
    dialog = await dialog_of(parent, SkypeJoinDialog)
    await wait_for(lambda: dialog.state() == "failed")
    click(qtbot, dialog, "cancel")  # reads "Close" now
    with pytest.raises(JoinFailed, match="does not exist"):
        await task


async def test_show_failure_and_wants_browser_without_run(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent)
    prompter.show_failure("The server did not answer.")
    dialog = await dialog_of(parent, SkypeJoinDialog)
    assert dialog.state() == "failed"
    waiting = asyncio.create_task(prompter.wants_browser())
    await asyncio.sleep(0.02)
    assert not waiting.done()
    click(qtbot, dialog, "browser")
    assert await waiting is True
    prompter.close()
    assert prompter.skype_dialog is None


async def test_skype_cancel_without_run_cancels_the_joining_task(
    qtbot: Any, qloop: Any, parent: QWidget
) -> None:
    prompter = DialogPrompter(parent)
    events: list[str] = []
    task = asyncio.create_task(skype_join(prompter, [LOBBY], pause=30, events=events)())
    dialog = await dialog_of(parent, SkypeJoinDialog)
    click(qtbot, dialog, "cancel")
    with pytest.raises(asyncio.CancelledError):
        await task
    assert events == ["cancelled"]
    assert prompter.interrupted == "cancel"
