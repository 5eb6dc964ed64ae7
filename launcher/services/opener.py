"""The one function that opens a link: system browser, ``$BROWSER``, or a meeting app."""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import shutil
import subprocess
import threading
import webbrowser
from collections.abc import Mapping

from launcher.core.errors import LauncherError
from launcher.core.links import check_openable, check_role_link
from launcher.core.models import Account, Provider

log = logging.getLogger("launcher.opener")


class OpenFailed(LauncherError):
    """No browser or app could be started for a link."""


async def open_url(url: str, *, env: Mapping[str, str] | None = None) -> None:
    """Open *url* without blocking the event loop.

    Only http(s) and known meeting-app schemes are opened, never a URL with embedded
    credentials. ``$BROWSER`` (a list of commands separated by the path separator, each
    optionally with ``%s``) is honoured before the system's default handler.
    """
    url = check_openable(url)
    env = os.environ if env is None else env
    await asyncio.to_thread(_open_blocking, url, env.get("BROWSER", ""))


def trusted_role_link(url: str, provider: Provider, account: Account | None) -> str:
    """Return *url*, a role link (presenter, host, moderator), if it may be opened.

    It must come from the account's own servers (web, API or relay address), from the
    provider's public domains over https, or for Skype for Business from the account's
    sign-in domain; otherwise ProtocolViolation says where it pointed (the link itself,
    which carries the role, is never put in a message).
    """
    urls: tuple[str | None, ...] = ()
    domain = None
    if account is not None:
        urls = (account.web_url, account.base_url, account.relay_url)
        if account.username and "@" in account.username:
            domain = account.username.rsplit("@", 1)[1]
    return check_role_link(url, provider, account_urls=urls, domain=domain)


async def open_role_link(
    url: str,
    provider: Provider,
    account: Account | None,
    *,
    env: Mapping[str, str] | None = None,
) -> None:
    """Open a role link only if :func:`trusted_role_link` accepts it."""
    await open_url(trusted_role_link(url, provider, account), env=env)


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
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError:
            continue
        # Reap it when it ends (launchers such as xdg-open end at once), so a window that
        # runs for days does not collect a zombie process per link opened.
        threading.Thread(target=process.wait, name="opener-reaper", daemon=True).start()
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


__all__ = ["OpenFailed", "open_role_link", "open_url", "trusted_role_link"]
