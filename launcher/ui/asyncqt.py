"""Await Qt signals and dialogs from coroutines without nesting an event loop.

Never call ``QDialog.exec()``, static ``QMessageBox`` helpers or ``processEvents`` in a
coroutine: a nested loop breaks every other task (STYLE.md rule 7). Use
:func:`run_dialog`, which opens the dialog window-modally and awaits ``finished``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QDialog


async def wait_signal(signal: SignalInstance) -> tuple[Any, ...]:
    """Return the arguments of the next emission of *signal* (wrap in asyncio.timeout)."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def _on_emit(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    signal.connect(_on_emit)
    try:
        return await future
    finally:
        signal.disconnect(_on_emit)


async def run_dialog(dialog: QDialog) -> int:
    """Open *dialog* (window-modal, non-blocking) and return its result code when done."""
    dialog.open()
    (result,) = await wait_signal(dialog.finished)
    return int(result)


def accepted(result: int) -> bool:
    """Whether a dialog result code means "OK"."""
    return result == int(QDialog.DialogCode.Accepted)
