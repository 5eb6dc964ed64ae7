"""The join prompts: passcode, sign-in, not invited, waiting room, Skype join progress."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from launcher.core.errors import InvalidInput, ProviderError
from launcher.core.joinflow import JoinFlowAction, verdict
from launcher.core.links import WebBase, check_openable, parse_target
from launcher.providers.base import JoinProgress
from launcher.ui.asyncqt import accepted, run_dialog
from launcher.ui.dialogs._widgets import (
    ERROR_COLOR,
    FieldMessage,
    Outline,
    accept_row,
    add_button,
    body,
    field_box,
    header_layout,
    prepare,
    set_primary,
    show_problem,
)

#: What the sign-in and not-invited prompts answer (the join flow's own words).
BROWSER = "browser"
SIGNED_IN = "signed-in"

_PASSCODE = re.compile(r"[A-Za-z0-9]+")
#: The longest passcode the BlueJeans relay takes (``validate_passcode``).
MAX_PASSCODE = 32
_WANTS_SIGN_IN = 2
_WANTS_BROWSER = 3


def action_for(message: str) -> JoinFlowAction | None:
    """Return the joinflow answer whose verdict message is *message*, if any.

    The flow's steps carry the verdict's words, not the answer; the dialogs use this
    to pick a headline (invitee-only or company-only) matching the words.
    """
    for action in JoinFlowAction:
        if verdict(action).message == message:
            return action
    return None


def _layout(dialog: QDialog) -> QVBoxLayout:
    outer = QVBoxLayout(dialog)
    outer.setContentsMargins(18, 18, 18, 14)
    outer.setSpacing(14)
    return outer


# ---- passcode -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class PasscodeAnswer:
    """What the passcode prompt returns: the passcode and the "remember" choice."""

    passcode: str = dataclasses.field(repr=False)
    remember: bool = False


class PasscodeDialog(QDialog):
    """Asks for a (moderator) passcode, masked, with a Show toggle and "remember".

    When asking again after a wrong passcode, pass what was typed as *text*: the field
    keeps it, selected, so typing replaces it and a small fix needs no retyping.
    """

    def __init__(
        self,
        parent: QWidget | None,
        message: str,
        *,
        moderator: bool = False,
        retry: bool = False,
        text: str = "",
        remember: bool = False,
        subject: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passcode_dialog")
        if retry:
            title = "Passcode not accepted"
        elif moderator:
            title = "Moderator passcode needed to start"
        else:
            title = "Passcode needed"
        prepare(self, title, min_width=440)
        outer = _layout(self)
        pixmap = (
            QStyle.StandardPixmap.SP_MessageBoxWarning
            if retry
            else QStyle.StandardPixmap.SP_MessageBoxQuestion
        )
        header, column = header_layout(self, title, message, subject=subject, pixmap=pixmap)
        outer.addLayout(header)

        self._edit = QLineEdit(text)
        self._edit.setObjectName("passcode")
        self._edit.setEchoMode(QLineEdit.EchoMode.Password)
        self._edit.setPlaceholderText("Letters and digits")
        self._edit.setMaxLength(64)
        self._show = QPushButton("Show")
        self._show.setObjectName("show_passcode")
        self._show.setCheckable(True)
        self._show.setAutoDefault(False)
        self._show.setToolTip("Show the passcode as you type it")
        self._message = FieldMessage()
        self._message.setObjectName("passcode_message")
        self._remember = QCheckBox("Remember for this meeting")
        self._remember.setObjectName("remember")
        self._remember.setChecked(remember)
        self._remember.setToolTip("Keep the passcode in your system's secret store")
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        label = "Moderator passcode:" if moderator else "Passcode:"
        self._outline = Outline(self._edit)
        form.addRow(label, field_box(self._outline, self._show, message=self._message))
        form.addRow("", self._remember)
        column.addSpacing(4)
        column.addLayout(form)

        self._ok = accept_row(self, outer, "Join")
        self._edit.textChanged.connect(self._on_edit_text_changed)
        self._show.toggled.connect(self._on_show_toggled)
        self._validate()
        self._edit.setFocus()
        self._edit.selectAll()

    def passcode(self) -> str:
        """Return the passcode typed (only meaningful when accepted)."""
        return self._edit.text()

    def remember(self) -> bool:
        """Return whether the user asked to remember the passcode for this meeting."""
        return self._remember.isChecked()

    def is_valid(self) -> bool:
        """Return whether the field holds a passcode that may be sent."""
        return self._problem() is None and bool(self._edit.text())

    def _problem(self) -> str | None:
        text = self._edit.text()
        if not text:
            return None
        if not _PASSCODE.fullmatch(text):
            return "Passcode may contain only letters and digits (no spaces or symbols)"
        if len(text) > MAX_PASSCODE:
            return f"Passcode must be at most {MAX_PASSCODE} characters (got {len(text)})"
        return None

    def accept(self) -> None:
        """Close with OK, but only with a valid passcode (Enter cannot bypass the check)."""
        if self.is_valid():
            super().accept()

    def showEvent(self, event: QShowEvent) -> None:
        """Select what is already typed, so typing replaces it."""
        super().showEvent(event)
        self._edit.setFocus()
        self._edit.selectAll()

    def _validate(self) -> None:
        show_problem(self._outline, self._message, self._problem())
        self._ok.setEnabled(self.is_valid())

    def _on_edit_text_changed(self, _text: str) -> None:
        self._validate()

    def _on_show_toggled(self, checked: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if checked else QLineEdit.EchoMode.Password
        self._edit.setEchoMode(mode)
        self._show.setText("Hide" if checked else "Show")

    @classmethod
    async def ask(
        cls,
        parent: QWidget | None,
        message: str,
        *,
        moderator: bool = False,
        retry: bool = False,
        text: str = "",
        remember: bool = False,
        subject: str | None = None,
    ) -> PasscodeAnswer | None:
        """Ask without blocking the event loop; None when the user cancels."""
        dialog = cls(
            parent,
            message,
            moderator=moderator,
            retry=retry,
            text=text,
            remember=remember,
            subject=subject,
        )
        try:
            if not accepted(await run_dialog(dialog)):
                return None
            return PasscodeAnswer(dialog.passcode(), dialog.remember())
        finally:
            dialog.deleteLater()


# ---- join a link ----------------------------------------------------------------------


def link_problem(text: str, web_bases: Iterable[WebBase] = ()) -> str | None:
    """Say why *text* can be neither joined nor opened; None when it can."""
    if parse_target(text, web_bases) is not None:
        return None
    try:
        check_openable(text)
    except InvalidInput as exc:
        return (
            "is not a meeting link, a web link (https://…) or a BlueJeans meeting ID: "
            f"it {exc.reason}"
        )
    return None


class JoinLinkDialog(QDialog):
    """Asks for a meeting link or a BlueJeans meeting ID; OK only for something joinable.

    *check* returns None for text that can be joined or opened, else the reason it
    cannot (shown under the field, which is marked). Empty text just keeps OK off.
    """

    def __init__(
        self, parent: QWidget | None, check: Callable[[str], str | None], *, text: str = ""
    ) -> None:
        super().__init__(parent)
        self.setObjectName("join_link_dialog")
        self._check = check
        prepare(self, "Join a meeting link", min_width=520)
        outer = _layout(self)
        header, column = header_layout(
            self,
            "Join a meeting link",
            "Paste a meeting link (BlueJeans, join.me, Whereby, Skype for Business or any web "
            "link) or a BlueJeans meeting ID.",
        )
        outer.addLayout(header)
        self._edit = QLineEdit(text)
        self._edit.setObjectName("link")
        self._edit.setPlaceholderText("https://… or a meeting ID")
        self._edit.setMaxLength(8192)  # longer than allowed, so the rule can speak
        self._message = FieldMessage()
        self._message.setObjectName("link_message")
        self._outline = Outline(self._edit)
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Link:", field_box(self._outline, message=self._message))
        column.addLayout(form)
        self._ok = accept_row(self, outer, "Join")
        self._edit.textChanged.connect(self._on_edit_text_changed)
        self._validate()
        self._edit.setFocus()
        self._edit.selectAll()

    def value(self) -> str:
        """Return the link typed, without surrounding white space."""
        return self._edit.text().strip()

    def error(self) -> str | None:
        """Return what is wrong with the text now (None when it is fine or empty)."""
        text = self.value()
        return self._check(text) if text else None

    def is_valid(self) -> bool:
        """Return whether OK may be pressed."""
        return bool(self.value()) and self.error() is None

    def accept(self) -> None:
        """Close with OK only for a link that can be joined (Enter cannot bypass it)."""
        if self.is_valid():
            super().accept()

    def _validate(self) -> None:
        problem = self.error()
        show_problem(self._outline, self._message, None if problem is None else f"Link {problem}")
        self._ok.setEnabled(self.is_valid())

    def _on_edit_text_changed(self, _text: str) -> None:
        self._validate()

    @classmethod
    async def ask(
        cls, parent: QWidget | None, check: Callable[[str], str | None], *, text: str = ""
    ) -> str | None:
        """Ask without blocking the loop; the link, or None when cancelled."""
        dialog = cls(parent, check, text=text)
        try:
            return dialog.value() if accepted(await run_dialog(dialog)) else None
        finally:
            dialog.deleteLater()


# ---- sign in -----------------------------------------------------------------------------

_LOGIN_WORDS: dict[JoinFlowAction, tuple[str, str]] = {
    JoinFlowAction.LOGIN_REQUIRED_FOR_INVITEE_ONLY_SECURE_MEETING: (
        "Sign-in needed",
        "Only invited people can join this meeting",
    ),
    JoinFlowAction.LOGIN_REQUIRED_FOR_ENTERPRISE_ONLY_SECURE_MEETING: (
        "Sign-in needed",
        "Only people from the organiser's company can join this meeting",
    ),
    JoinFlowAction.INVALID_PASSCODE_FOR_INVITEE_ONLY_SECURE_MEETING: (
        "One-time passcode not accepted",
        "One-time passcode not accepted (invited people only)",
    ),
    JoinFlowAction.INVALID_PASSCODE_FOR_ENTERPRISE_ONLY_SECURE_MEETING: (
        "One-time passcode not accepted",
        "One-time passcode not accepted (company only)",
    ),
}


class SignInDialog(QDialog):
    """Explains why signing in is needed and offers Sign in…, Open in browser, Cancel."""

    def __init__(
        self,
        parent: QWidget | None,
        message: str,
        *,
        action: JoinFlowAction | str | None = None,
        can_sign_in: bool = True,
        subject: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sign_in_dialog")
        known = _known(action) or action_for(message)
        words = _LOGIN_WORDS.get(known) if known is not None else None
        title, head = words or ("Sign-in needed", "Sign in to join this meeting")
        prepare(self, title, min_width=460)
        outer = _layout(self)
        header, column = header_layout(
            self, head, message, subject=subject, pixmap=QStyle.StandardPixmap.SP_MessageBoxWarning
        )
        outer.addLayout(header)
        self._failed = body("", role="error")
        self._failed.setObjectName("sign_in_failed")
        self._failed.setStyleSheet(f"color: {ERROR_COLOR};")
        self._failed.hide()
        column.addWidget(self._failed)
        self._choice: str | None = None
        buttons = QDialogButtonBox()
        self._sign_in = add_button(
            buttons, "Sign in…", QDialogButtonBox.ButtonRole.AcceptRole, "sign_in"
        )
        self._browser = add_button(
            buttons, "Open in browser", QDialogButtonBox.ButtonRole.ActionRole, "browser"
        )
        add_button(buttons, "Cancel", QDialogButtonBox.ButtonRole.RejectRole, "cancel")
        self._sign_in.setVisible(can_sign_in)
        set_primary(self._sign_in if can_sign_in else self._browser)
        outer.addWidget(buttons)
        self._sign_in.clicked.connect(self._on_sign_in_clicked)
        self._browser.clicked.connect(self._on_browser_clicked)
        buttons.rejected.connect(self.reject)

    def choice(self) -> str | None:
        """Return ``"sign-in"`` (the user wants to sign in), ``"browser"`` or None."""
        return self._choice

    def show_sign_in_failed(self, text: str = "") -> None:
        """Say the last sign-in did not complete (the dialog is shown again after it)."""
        self._failed.setText(
            text or "Signing in did not complete. Try again, or open the meeting in the browser."
        )
        self._failed.show()

    def _on_sign_in_clicked(self) -> None:
        self._choice = "sign-in"
        self.done(_WANTS_SIGN_IN)

    def _on_browser_clicked(self) -> None:
        self._choice = BROWSER
        self.done(_WANTS_BROWSER)

    @classmethod
    async def ask(
        cls,
        parent: QWidget | None,
        message: str,
        *,
        sign_in: Callable[[], Awaitable[bool]] | None = None,
        action: JoinFlowAction | str | None = None,
        subject: str | None = None,
    ) -> str | None:
        """Ask; ``"signed-in"`` once *sign_in* succeeded, ``"browser"`` or None.

        "Sign in…" awaits *sign_in* (which shows its own UI); when it reports failure
        the prompt comes back saying so, so the user can retry or pick the browser.
        """
        dialog = cls(
            parent, message, action=action, can_sign_in=sign_in is not None, subject=subject
        )
        try:
            while True:
                dialog._choice = None
                await run_dialog(dialog)
                choice = dialog.choice()
                if choice == "sign-in" and sign_in is not None:
                    if await sign_in():
                        return SIGNED_IN
                    dialog.show_sign_in_failed()
                    continue
                return choice
        finally:
            dialog.deleteLater()


def _known(action: JoinFlowAction | str | None) -> JoinFlowAction | None:
    if action is None:
        return None
    try:
        return JoinFlowAction(action)
    except ValueError:
        return None


# ---- not invited ----------------------------------------------------------------------------


class NotInvitedDialog(QDialog):
    """Explains the user is not on the invitation list; offers the browser anyway."""

    def __init__(
        self,
        parent: QWidget | None,
        message: str,
        *,
        action: JoinFlowAction | str | None = None,
        subject: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("not_invited_dialog")
        known = _known(action) or action_for(message)
        if known is JoinFlowAction.USER_NOT_IN_LIST_FOR_ENTERPRISE_ONLY_SECURE_MEETING:
            head = "This meeting is only for the organiser's company"
        else:
            head = "You are not on the invitation list"
        prepare(self, "Not on the invitation list", min_width=500)
        outer = _layout(self)
        header, _column = header_layout(
            self, head, message, subject=subject, pixmap=QStyle.StandardPixmap.SP_MessageBoxWarning
        )
        outer.addLayout(header)
        self._browser = accept_row(self, outer, "Open in browser anyway", name="browser")

    @classmethod
    async def ask(
        cls,
        parent: QWidget | None,
        message: str,
        *,
        action: JoinFlowAction | str | None = None,
        subject: str | None = None,
    ) -> str | None:
        """Ask; ``"browser"`` to open the meeting page anyway, None to cancel."""
        dialog = cls(parent, message, action=action, subject=subject)
        try:
            return BROWSER if accepted(await run_dialog(dialog)) else None
        finally:
            dialog.deleteLater()


# ---- waiting room ---------------------------------------------------------------------------


class WaitingRoomNotice(QDialog):
    """Says the user will wait (waiting room, or until the moderator starts); Join/Cancel."""

    def __init__(self, parent: QWidget | None, message: str, *, subject: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waiting_room_notice")
        if action_for(message) is JoinFlowAction.WAITING_ROOM_ENABLED:
            title, head = "Waiting room", "This meeting has a waiting room"
        elif "moderator" in message.lower():
            title, head = "Waiting for the moderator", "The moderator has not started the meeting"
        else:
            title, head = "Waiting room", "You will wait until you are let in"
        prepare(self, title, min_width=480)
        outer = _layout(self)
        header, _column = header_layout(
            self,
            head,
            message,
            subject=subject,
            pixmap=QStyle.StandardPixmap.SP_MessageBoxInformation,
        )
        outer.addLayout(header)
        self._join = accept_row(self, outer, "Join")

    @classmethod
    async def ask(cls, parent: QWidget | None, message: str, *, subject: str | None = None) -> bool:
        """Ask; True to go on and join, False when the user cancels."""
        dialog = cls(parent, message, subject=subject)
        try:
            return accepted(await run_dialog(dialog))
        finally:
            dialog.deleteLater()


# ---- Skype for Business join progress ---------------------------------------------------------

_STEPS = (("connecting", "Connecting"), ("lobby", "In the lobby"), ("joined", "Joined"))
_DONE_COLOR = "#2e7d32"
_HEADLINES = {
    "connecting": "Joining the meeting",
    "lobby": "Waiting in the lobby",
    "joined": "You are in the meeting",
    "failed": "Could not join the meeting",
}


class SkypeJoinDialog(QDialog):
    """Live progress of a Skype for Business (UCWA) join, with a browser fallback.

    Emits ``cancel_requested`` when closed while the join is under way, and
    ``browser_requested`` when "Open in browser instead" is pressed; the owner stops
    the join (and opens the link). After the join ended, Cancel reads "Close".
    """

    browser_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, subject: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("skype_join_dialog")
        prepare(self, "Joining Skype for Business meeting", min_width=460)
        self._state = ""
        self._visited: set[str] = set()
        outer = _layout(self)
        header, column = header_layout(
            self,
            _HEADLINES["connecting"],
            "Contacting Skype for Business…",
            subject=subject,
            pixmap=QStyle.StandardPixmap.SP_MessageBoxInformation,
        )
        outer.addLayout(header)
        self._headline = self.findChild(QLabel, "headline")
        self._text = self.findChild(QLabel, "message")
        self._icon = self.findChild(QLabel, "icon")
        steps = QHBoxLayout()
        steps.setSpacing(18)
        self._steps: dict[str, QLabel] = {}
        for key, _caption in _STEPS:
            step = QLabel()
            step.setObjectName(f"step_{key}")
            self._steps[key] = step
            steps.addWidget(step)
        steps.addStretch(1)
        column.addLayout(steps)
        self._bar = QProgressBar()
        self._bar.setObjectName("busy")
        self._bar.setRange(0, 0)
        self._bar.setTextVisible(False)
        self._bar.setMaximumHeight(10)
        column.addWidget(self._bar)
        buttons = QDialogButtonBox()
        self._browser = add_button(
            buttons,
            "Open in browser instead",
            QDialogButtonBox.ButtonRole.ActionRole,
            "browser",
        )
        self._cancel = add_button(
            buttons, "Cancel", QDialogButtonBox.ButtonRole.RejectRole, "cancel"
        )
        set_primary(self._cancel)
        outer.addWidget(buttons)
        self._browser.clicked.connect(self._on_browser_clicked)
        buttons.rejected.connect(self.reject)
        self._close_timer = QTimer(self)
        self._close_timer.setSingleShot(True)
        self._close_timer.timeout.connect(self.accept)
        self._paint_steps()

    def state(self) -> str:
        """Return ``""`` (not started), ``connecting``, ``lobby``, ``joined`` or ``failed``."""
        return self._state

    def in_progress(self) -> bool:
        """Return whether the join is still under way."""
        return self._state not in ("joined", "failed")

    def set_progress(self, progress: JoinProgress) -> None:
        """Show one progress report (its state, and its message in words)."""
        if progress.state == "joined":
            self.set_joined(progress.message)
            return
        self._state = progress.state
        self._visited.add(progress.state)
        self._set_text(_HEADLINES.get(progress.state, _HEADLINES["connecting"]), progress.message)
        self._paint_steps()

    def set_failed(self, message: str) -> None:
        """Show that the join failed, with the reason in words."""
        self._state = "failed"
        self._set_text(_HEADLINES["failed"], message)
        if self._headline is not None:
            self._headline.setStyleSheet(f"color: {ERROR_COLOR};")
        if self._icon is not None:
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
            self._icon.setPixmap(icon.pixmap(self._icon.pixmap().size()))
        self._bar.hide()
        self._cancel.setText("Close")
        self._cancel.setAutoDefault(False)
        set_primary(self._browser)
        self._browser.setFocus()
        self._paint_steps()

    def set_joined(
        self, message: str = "You are in the meeting.", *, close_after_ms: int | None = None
    ) -> None:
        """Show that the join completed; optionally close by itself a moment later."""
        self._state = "joined"
        self._visited.add("joined")
        self._set_text(_HEADLINES["joined"], message)
        self._bar.hide()
        self._browser.hide()
        self._cancel.setText("Close")
        set_primary(self._cancel)
        self._paint_steps()
        if close_after_ms is not None:
            self._close_timer.start(close_after_ms)

    def reject(self) -> None:
        """Close; while the join runs, ask (``cancel_requested``) to stop it."""
        if self.in_progress():
            self.cancel_requested.emit()
        super().reject()

    def _set_text(self, head: str, message: str) -> None:
        if self._headline is not None:
            self._headline.setText(head)
        if self._text is not None:
            # The provider's words often repeat the headline ("You are in the meeting.").
            same = message.strip().rstrip(".…").casefold() == head.casefold()
            self._text.setText("" if same else message)
            self._text.setVisible(not same)

    def _paint_steps(self) -> None:
        order = [key for key, _ in _STEPS]
        reached = max((order.index(k) for k in self._visited if k in order), default=-1)
        for i, (key, caption) in enumerate(_STEPS):
            if key in self._visited and i < reached:
                mark, color = "✓", _DONE_COLOR
            elif i == reached and self._state == "failed":
                mark, color = "✗", ERROR_COLOR
            elif i == reached and self._state == "joined":
                mark, color = "✓", _DONE_COLOR
            elif i == reached:
                mark, color = "●", "palette(highlight)"
            else:
                mark, color = "○", "palette(placeholder-text)"
            label = self._steps[key]
            label.setText(f"{mark} {caption}")
            label.setStyleSheet(f"color: {color};")

    def _on_browser_clicked(self) -> None:
        self.browser_requested.emit()
        self.done(_WANTS_BROWSER)

    @classmethod
    async def ask(
        cls,
        parent: QWidget | None,
        updates: AsyncIterable[JoinProgress],
        *,
        subject: str | None = None,
    ) -> str | None:
        """Show the progress of *updates* until joined; ``"joined"``, ``"browser"`` or None.

        A failure (a ProviderError such as JoinFailed) is shown in the dialog, which then
        waits for the user: "Open in browser instead" answers ``"browser"``, Close None.
        """
        dialog = cls(parent, subject=subject)
        wanted: list[str] = []
        dialog.browser_requested.connect(lambda: wanted.append(BROWSER))

        async def follow() -> None:
            try:
                async for progress in updates:
                    dialog.set_progress(progress)
            except ProviderError as exc:
                dialog.set_failed(exc.reason)
                return
            dialog.set_joined(close_after_ms=1200)

        follower = asyncio.create_task(follow())
        try:
            await run_dialog(dialog)
        finally:
            follower.cancel()
            await asyncio.wait({follower})
            dialog.deleteLater()
        if wanted:
            return BROWSER
        return "joined" if dialog.state() == "joined" else None
