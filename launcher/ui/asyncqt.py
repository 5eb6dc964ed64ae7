"""Await Qt signals and dialogs from coroutines without nesting an event loop.

Never call ``QDialog.exec()``, static ``QMessageBox`` helpers or ``processEvents`` in a
coroutine: a nested loop breaks every other task (STYLE.md rule 7). Use
:func:`run_dialog`, which opens the dialog window-modally and awaits ``finished``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import Any

from PySide6.QtCore import QCoreApplication, SignalInstance
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


def new_event_loop(app: QCoreApplication) -> asyncio.AbstractEventLoop:
    """Create the qasync loop for *app*, with a plain thread pool as default executor.

    qasync's own default executor runs jobs on QThreads; a QThread object collected
    while its thread still runs makes Qt abort the process ("QThread: Destroyed while
    thread is still running"). ``asyncio.to_thread`` jobs go to Python threads instead.
    """
    import qasync

    loop: asyncio.AbstractEventLoop = qasync.QEventLoop(app)
    loop.set_default_executor(
        concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="launcher")
    )
    return loop
