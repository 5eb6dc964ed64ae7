"""Answers the join flow's questions with the window's dialogs (a services.join.Prompter)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtWidgets import QWidget

from launcher.core.errors import ProviderError
from launcher.core.joinflow import AskLogin, AskPasscode, ExplainNotInvited
from launcher.providers.base import JoinProgress
from launcher.ui.dialogs.join import (
    BROWSER,
    NotInvitedDialog,
    PasscodeDialog,
    SignInDialog,
    SkypeJoinDialog,
    WaitingRoomNotice,
)

if TYPE_CHECKING:
    from launcher.services.join import Prompter

T = TypeVar("T")

_CANCEL = "cancel"


class JoinCancelled(Exception):
    """The user stopped a join in one of the dialogs; nothing more should happen.

    ``open_in_browser`` is True when they asked to open the meeting in the browser
    instead (Skype for Business fallback): the caller then opens the join link.
    """

    def __init__(
        self, reason: str = "The join was cancelled.", *, open_in_browser: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.open_in_browser = open_in_browser


class DialogPrompter:
    """A :class:`launcher.services.join.Prompter` that asks with non-blocking dialogs.

    Make one per join. *remembered* is the passcode stored for this meeting (it fills
    the first passcode prompt, with "remember" ticked); *sign_in* signs the user in to
    BlueJeans and says whether that worked; *subject* (the meeting's title) is shown
    in every prompt. Afterwards, ``last_passcode`` is the last passcode the user typed
    and ``remember_requested`` whether "remember" was ticked, so the caller can store
    (or forget) a passcode that worked.

    Skype for Business joins report progress in one :class:`SkypeJoinDialog`; wrap the
    join in :meth:`run` so "Cancel" and "Open in browser instead" stop it at once
    (they raise :class:`JoinCancelled`) and a failure is shown with its reason.
    """

    #: How long the Skype dialog stays after "joined" before closing by itself.
    joined_close_ms = 1500

    def __init__(
        self,
        parent: QWidget | None,
        *,
        sign_in: Callable[[], Awaitable[bool]] | None = None,
        remembered: str | None = None,
        subject: str | None = None,
    ) -> None:
        self._parent = parent
        self._sign_in = sign_in
        self._subject = subject
        self._typed = remembered or ""
        self.remember_requested: bool = remembered is not None
        self.last_passcode: str | None = None
        #: "cancel" or "browser" once the user stopped a Skype join from its dialog.
        self.interrupted: str | None = None
        self._skype: SkypeJoinDialog | None = None
        self._join_task: asyncio.Task[Any] | None = None
        self._choice: asyncio.Future[str | None] | None = None

    @property
    def skype_dialog(self) -> SkypeJoinDialog | None:
        """Return the Skype join progress dialog, once the first progress arrived."""
        return self._skype

    # ---- the Prompter protocol ------------------------------------------------------------

    async def ask_passcode(self, step: AskPasscode) -> str | None:
        """Ask for the (moderator) passcode; keeps what was typed when asking again."""
        answer = await PasscodeDialog.ask(
            self._parent,
            step.message,
            moderator=step.moderator,
            retry=step.retry,
            text=self._typed,
            remember=self.remember_requested,
            subject=self._subject,
        )
        if answer is None:
            return None
        self._typed = answer.passcode
        self.last_passcode = answer.passcode
        self.remember_requested = answer.remember
        return answer.passcode

    async def ask_login(self, step: AskLogin) -> str | None:
        """Offer to sign in (then re-check), the browser, or cancel."""
        return await SignInDialog.ask(
            self._parent, step.message, sign_in=self._sign_in, subject=self._subject
        )

    async def explain_not_invited(self, step: ExplainNotInvited) -> str | None:
        """Explain; ``"browser"`` to open the meeting page anyway."""
        return await NotInvitedDialog.ask(self._parent, step.message, subject=self._subject)

    async def note(self, message: str) -> None:
        """Say the user will wait (waiting room); Cancel raises :class:`JoinCancelled`."""
        if not await WaitingRoomNotice.ask(self._parent, message, subject=self._subject):
            raise JoinCancelled("You chose not to wait in the waiting room.")

    async def progress(self, progress: JoinProgress) -> None:
        """Show Skype join progress in one dialog, opened on the first report."""
        dialog = self._skype
        if dialog is None:
            dialog = self._open_skype_dialog()
            self._join_task = asyncio.current_task()
        if progress.state == "joined":
            dialog.set_joined(progress.message, close_after_ms=self.joined_close_ms)
        else:
            dialog.set_progress(progress)

    # ---- running a join ---------------------------------------------------------------------

    async def run(self, join: Coroutine[Any, Any, T]) -> T:
        """Await *join* (e.g. ``JoinService.join(target, self)``) with stop buttons working.

        Raises:
            JoinCancelled: the user pressed Cancel or "Open in browser instead" in the
                Skype dialog (``open_in_browser`` tells which), also after a failure.
            ProviderError: the join failed and the user closed the dialog showing why.

        """
        task = asyncio.create_task(join)
        try:
            await asyncio.wait({task})
        except asyncio.CancelledError:
            task.cancel()
            self.close()
            raise
        if task.cancelled():
            if self.interrupted is not None:
                raise JoinCancelled(
                    "Opened in the browser instead."
                    if self.interrupted == BROWSER
                    else "The join was cancelled.",
                    open_in_browser=self.interrupted == BROWSER,
                )
            raise asyncio.CancelledError
        error = task.exception()
        if error is None:
            return task.result()
        dialog = self._skype
        if isinstance(error, ProviderError) and dialog is not None and dialog.isVisible():
            self.show_failure(error.reason)
            if await self.wants_browser():
                raise JoinCancelled(
                    "Opened in the browser instead.", open_in_browser=True
                ) from error
        raise error

    def show_failure(self, message: str) -> None:
        """Show a failed join with its reason (for callers not using :meth:`run`)."""
        dialog = self._skype or self._open_skype_dialog()
        dialog.set_failed(message)
        dialog.show()

    async def wants_browser(self) -> bool:
        """After :meth:`show_failure`, wait for the user: True for "Open in browser"."""
        dialog = self._skype
        if dialog is None or not dialog.isVisible():
            return self.interrupted == BROWSER
        self._choice = asyncio.get_running_loop().create_future()
        return await self._choice == BROWSER

    def close(self) -> None:
        """Close the Skype dialog, if open."""
        if self._skype is not None:
            self._skype.blockSignals(True)
            self._skype.close()
            self._skype.deleteLater()
            self._skype = None

    def _open_skype_dialog(self) -> SkypeJoinDialog:
        dialog = self._skype = SkypeJoinDialog(self._parent, subject=self._subject)
        dialog.cancel_requested.connect(self._on_skype_cancel_requested)
        dialog.browser_requested.connect(self._on_skype_browser_requested)
        dialog.finished.connect(self._on_skype_finished)
        dialog.show()
        return dialog

    # ---- slots ---------------------------------------------------------------------------------

    def _interrupt(self, kind: str) -> None:
        task = self._join_task
        if task is not None and not task.done():
            self.interrupted = kind
            task.cancel()
        elif kind == BROWSER:
            self.interrupted = kind
        if self._choice is not None and not self._choice.done():
            self._choice.set_result(kind)

    def _on_skype_cancel_requested(self) -> None:
        self._interrupt(_CANCEL)

    def _on_skype_browser_requested(self) -> None:
        self._interrupt(BROWSER)

    def _on_skype_finished(self, _result: int) -> None:
        if self._choice is not None and not self._choice.done():
            self._choice.set_result(None)


if TYPE_CHECKING:

    def _is_a_prompter(prompter: DialogPrompter) -> Prompter:
        return prompter
