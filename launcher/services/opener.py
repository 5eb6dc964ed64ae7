"""The one function that opens a link: system browser, ``$BROWSER``, or a meeting app."""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import shutil
import subprocess
import webbrowser
from collections.abc import Mapping

from launcher.core.errors import LauncherError
from launcher.core.links import check_openable

log = logging.getLogger("launcher.opener")


class OpenFailed(LauncherError):
    """No browser or app could be started for a link."""


async def open_url(url: str, *, env: Mapping[str, str] | None = None) -> None:
    """Open *url* without blocking the event loop.

    Only http(s) and known meeting-app schemes are opened, never a URL with embedded
    credentials. ``$BROWSER`` (a list of commands separated by the path separator, each
    optionally with ``%s``) is honoured before the system's default handler.
    """
    check_openable(url)
    env = os.environ if env is None else env
    await asyncio.to_thread(_open_blocking, url, env.get("BROWSER", ""))


def _open_blocking(url: str, browser_var: str) -> None:
    for entry in [e for e in browser_var.split(os.pathsep) if e.strip()]:
        try:
            argv = shlex.split(entry)
        except ValueError:
            continue
        if not argv or shutil.which(argv[0]) is None:
            continue
        if any("%s" in a for a in argv):
            argv = [a.replace("%s", url) for a in argv]
        else:
            argv.append(url)
        try:
            # Detached: the browser must outlive us and never hold our stdin/stdout.
            subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            continue
        return
    try:
        opened = webbrowser.open(url, new=2)
    except webbrowser.Error as exc:
        raise OpenFailed(f"Could not start a browser: {exc}") from exc
    if not opened:
        raise OpenFailed(
            "Could not start a browser. Set the BROWSER environment variable, "
            "or use --no-open and open the link yourself."
        )


__all__ = ["OpenFailed", "open_url"]
