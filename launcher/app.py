"""Composition root of the desktop app: builds everything and owns the qasync loop.

Start-up order matters for speed: the window is built from the local cache and painted
before qasync, httpx or any provider module is imported. The month calendar (the
costliest widget) and the details of the agenda's current meeting (whose link scan
loads the link catalogue) are built right after that paint (``MainWindow.complete``);
then the network side is built and refreshes every account concurrently.

Quitting is two-phase (../shared/examples/qasync/two_phase_shutdown.py): the app's life
ends when an asyncio Event is set (tray "Quit", SIGTERM, a second launch's "quit", or
the OS quitting Qt); async clean-up then runs in a second ``runner.run``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The store before Qt: once PySide6 is imported, it reads the source of every module
# imported after it (to see whether it uses PySide's __feature__ switches).
from launcher import APP_ID, APP_NAME, __version__
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache
from launcher.store.db import Database, open_database
from launcher.store.paths import Paths, instance_address, resolve_paths

# isort: split
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from launcher.ui.main_window import MainWindow

if TYPE_CHECKING:
    from launcher.ui.controller import AppController
    from launcher.ui.instance import InstanceServer

log = logging.getLogger("launcher.app")

#: Set by the start-up benchmark: print the time of the first paint and quit.
PROBE_ENV = "MEETING_LAUNCHER_STARTUP_PROBE"


def tune_runtime() -> None:
    """Settle the interpreter for a responsive window, once start-up is done.

    - The modules, Qt wrappers and widgets made at start-up live until exit; left in the
      oldest generation they make every full collection walk them. Frozen, full
      collections only see new objects.
    - Large answers are parsed and the merged list built in worker threads; a 1 ms GIL
      switch interval (the default is 5 ms) hands the GIL back to the window sooner
      (``benchmarks/loop_stall.py``, side by side: the median longest stall of a sync
      went from 12-20 ms to 8-13 ms).
    """
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(0.001)


def _ask_running(address: str, message: dict[str, Any]) -> dict[str, Any] | None:
    """Ask a running window; a plain Unix socket where possible (no QtNetwork needed)."""
    if address.startswith("/"):
        if not os.path.exists(address):  # nobody listens: no need to load sockets
            return None
        from launcher.services.instance import send_command

        return send_command(address, message)
    from launcher.ui.instance import ask_running_instance

    return ask_running_instance(address, message)


@contextlib.contextmanager
def _profile(demo: bool) -> Iterator[Paths]:
    if not demo:
        yield resolve_paths().ensure()
        return
    import tempfile

    with tempfile.TemporaryDirectory(prefix="meeting-launcher-demo-") as home:
        root = Path(home)
        yield Paths.under(root).ensure()


@dataclasses.dataclass(frozen=True, slots=True)
class WindowOptions:
    """The window's command-line options (``__main__.wants_window`` picks them out)."""

    demo: bool = False
    debug: bool = False
    minimized: bool = False
    join: str | None = None
    join_clipboard: bool = False


_FLAGS = {"--demo": "demo", "--debug": "debug", "--minimized": "minimized",
          "--join-clipboard": "join_clipboard"}


def _parse(argv: Sequence[str]) -> WindowOptions:
    """Read the window's options; anything else exits with status 2, as the CLI does.

    Five options do not need argparse, whose import (with gettext) would come before the
    first paint.
    """
    values: dict[str, Any] = {}
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _FLAGS:
            values[_FLAGS[arg]] = True
        elif arg == "--join" and i + 1 < len(args):
            values["join"] = args[i + 1]
            i += 1
        elif arg.startswith("--join="):
            values["join"] = arg.partition("=")[2]
        else:
            print(f"meeting-launcher: {arg!r} is not an option of the window; run "
                  "'meeting-launcher --help' for the commands", file=sys.stderr)
            raise SystemExit(2)
        i += 1
    return WindowOptions(**values)


def main(argv: Sequence[str] | None = None) -> int:
    """Open the window (``--demo``: on the built-in sandbox); return the exit code."""
    started = time.perf_counter()
    os.environ.setdefault("QT_API", "pyside6")
    args = _parse(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME])
    assert isinstance(app, QApplication)
    app.setApplicationName("meeting-launcher")  # the window class (StartupWMClass)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)  # a tray app; also keeps qasync alive

    with _profile(args.demo) as paths:
        # The demo's profile is new each time; one demo window per user is enough.
        address = instance_address(paths, demo=args.demo)
        join_url = args.join
        if args.join_clipboard:
            join_url = app.clipboard().text().strip() or None
        request = {"cmd": "join", "url": join_url} if join_url else {"cmd": "raise"}
        if _ask_running(address, request) is not None:
            print(f"{APP_NAME} is already running; handed it over.")
            return 0

        try:
            db = open_database(paths)
        except Exception as exc:  # no usable database at all (disk full, no permission)
            log.error("the database could not be opened: %s", exc)
            print(f"{APP_NAME}: the database {paths.database} could not be opened ({exc}). "
                  "Check that the disk has space and the folder can be written.",
                  file=sys.stderr)
            return 1
        try:
            return _start(app, db, paths, address, args, started)
        finally:
            db.close()


def _start(
    app: QApplication,
    db: Database,
    paths: Paths,
    address: str,
    args: WindowOptions,
    started: float,
) -> int:
    """Paint the window from the database, then run the app until it quits."""
    accounts = AccountStore(db)
    try:
        names = [a.name for a in accounts.load()]
    except Exception as exc:  # shown in the window once it runs
        log.warning("accounts could not be read: %s", exc)
        names = []
    cache = MeetingCache(db)
    now = dt.datetime.now(dt.UTC)
    # Paint the coming days at once (one indexed query); the rest follows after the paint.
    try:
        cached = cache.load(window=(now - dt.timedelta(days=1), now + dt.timedelta(days=8)))
    except Exception as exc:
        log.warning("cached meetings could not be read: %s", exc)
        cached = {}
    window = MainWindow(defer_month=True)
    window.set_accounts(names)
    if args.demo:
        window.pages.setCurrentIndex(1)
        window.show_message("Starting the demo sandbox…")
    window.set_meetings(
        [m for name in names if name in cached for m in cached[name].meetings]
    )
    if db.notices:  # the database was moved aside, or old files could not be imported
        window.show_message(" ".join(db.notices), error=True)
    if not args.minimized:
        window.show()
    app.processEvents()  # the first paint, from the cache, before the network stack
    painted = time.perf_counter()
    probe = bool(os.environ.get(PROBE_ENV))
    if probe:
        heavy = [m for m in ("httpx", "qasync", "starlette") if m in sys.modules]
        print(f"first-paint {painted - started:.4f} rows {window.model.rowCount()} "
              f"loaded-before-paint {','.join(heavy) or 'none'}", flush=True)
    window.complete()  # the month calendar and the details, which the paint did without
    if probe:
        app.processEvents()
        print(f"complete {time.perf_counter() - started:.4f}", flush=True)
        window.close()
        return 0

    from launcher.ui.instance import InstanceServer

    server = InstanceServer(address)
    if not server.listen():
        log.warning("could not listen for a second launch at %s", address)
    try:
        return _run(app, window, server, paths, db, args)
    finally:
        server.close()


def _run(
    app: QApplication,
    window: MainWindow,
    server: InstanceServer,
    paths: Paths,
    db: Database,
    args: WindowOptions,
) -> int:
    import asyncio
    import signal

    # Imported after the first paint on purpose: qasync and the network stack.
    from launcher.ui.asyncqt import new_event_loop
    from launcher.ui.controller import AppController
    from launcher.ui.crash import CrashHandler

    crash = CrashHandler(lambda text: window.show_message(text, error=True),
                         paths.logs / "meeting-launcher.log")
    crash.install()

    holder: list[AppController] = []

    async def life() -> None:
        controller = await AppController.create(window, paths, db, demo=args.demo,
                                                debug=args.debug)
        holder.append(controller)
        tune_runtime()
        server.handler = controller.handle_instance_command
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(crash.on_loop_exception)
        if os.name != "nt":
            for signum in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(signum, controller.request_quit)
        app.aboutToQuit.connect(controller.request_quit)
        join_url = args.join or (app.clipboard().text().strip() if args.join_clipboard else None)
        if join_url:
            controller.handle_instance_command({"cmd": "join", "url": join_url})
        await controller.run_until_quit()
        # Clean up while the loop still runs (qasync runs leftover Qt events after the
        # loop stops, outside any running loop, where async code must not run).
        await controller.aclose()

    with asyncio.Runner(loop_factory=lambda: new_event_loop(app)) as runner:
        # Qt may stop the loop under us when the OS quits it; phase 2 runs regardless.
        with contextlib.suppress(RuntimeError):
            runner.run(life())
        if holder and not holder[0].closed:
            runner.run(holder[0].aclose())
        QTimer.singleShot(0, window.deleteLater)
    crash.uninstall()
    return 0
