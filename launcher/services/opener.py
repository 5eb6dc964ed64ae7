"""The one function that opens a link: system browser, ``$BROWSER``, or a meeting app."""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import shutil
import subprocess
import sys
import threading
import webbrowser
from collections.abc import Callable, Mapping

from launcher.core.catalogue import native_schemes
from launcher.core.errors import LauncherError
from launcher.core.links import APP_SCHEMES, check_openable, check_role_link
from launcher.core.linkscan import DetectedLink
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


#: Tells whether an app is registered for a URL scheme (``"zoommtg"``). Blocking.
HandlerLookup = Callable[[str], bool]
#: Hands a native link to the system, raising OpenFailed when nothing took it. Blocking.
NativeOpener = Callable[[str], None]



def allowed_schemes() -> frozenset[str]:
    """Every scheme the opener accepts: http(s), known meeting apps, catalogue apps."""
    # check_openable allows APP_SCHEMES; a test keeps the catalogue's schemes inside it.
    return frozenset({"http", "https"}) | APP_SCHEMES | native_schemes()


def scheme_handler_registered(scheme: str) -> bool:
    """Return True when an app is registered for URLs of *scheme* on this system.

    Linux and other freedesktop systems: ``xdg-mime query default
    x-scheme-handler/<scheme>`` prints a desktop file. Windows: the scheme's key in
    ``HKEY_CLASSES_ROOT`` has a ``URL Protocol`` value. macOS: there is no command-line
    query without extra libraries, so the answer is True and a failed ``open`` falls
    back to the browser (best effort).
    """
    if not scheme.isascii() or not scheme.replace("-", "").replace("+", "").isalnum():
        return False
    if sys.platform == "darwin":
        return True
    if sys.platform == "win32":  # pragma: no cover - not run on the Linux CI
        try:
            import winreg

            with winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, scheme) as key:
                winreg.QueryValueEx(key, "URL Protocol")
        except OSError:
            return False
        return True
    if shutil.which("xdg-mime") is None:
        return False
    try:
        done = subprocess.run(
            ["xdg-mime", "query", "default", f"x-scheme-handler/{scheme}"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=5, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0 and bool(done.stdout.strip())


def open_native_blocking(url: str) -> None:
    """Hand *url* to the system's handler of its scheme; raise OpenFailed if none took it."""
    if sys.platform == "win32":  # pragma: no cover - not run on the Linux CI
        try:
            os.startfile(url)  # type: ignore[attr-defined]
        except OSError as exc:
            raise OpenFailed("No app opened the meeting link.") from exc
        return
    tool = "open" if sys.platform == "darwin" else "xdg-open"
    if shutil.which(tool) is None:
        raise OpenFailed(f"{tool} is not available to open the meeting app.")
    try:
        proc = subprocess.Popen(
            [tool, url], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, start_new_session=True,
        )
    except OSError as exc:
        raise OpenFailed("No app opened the meeting link.") from exc
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        return  # still starting the app: it took the link
    if code != 0:
        raise OpenFailed("No app opened the meeting link.")


async def open_detected(
    link: DetectedLink,
    prefer_native: bool = True,
    *,
    env: Mapping[str, str] | None = None,
    handler_lookup: HandlerLookup | None = None,
    native_opener: NativeOpener | None = None,
) -> str:
    """Open a detected meeting link; return ``"native"`` or ``"browser"``.

    The service's app is used when *prefer_native*, the link has a native form and an
    app is registered for its scheme; when that fails, the web link opens in the
    browser (``$BROWSER`` honoured, see :func:`open_url`).
    """
    lookup = handler_lookup or scheme_handler_registered
    opener = native_opener or open_native_blocking
    native = link.native_url
    if prefer_native and native:
        scheme = native.split(":", 1)[0].lower()
        check_openable(native)
        if await asyncio.to_thread(lookup, scheme):
            try:
                await asyncio.to_thread(opener, native)
            except OpenFailed:
                log.info("The %s app did not open the link; using the browser", link.service)
            else:
                log.info("Opened a %s link in its app", link.service)
                return "native"
    await open_url(link.url, env=env)
    return "browser"


__all__ = [
    "HandlerLookup",
    "NativeOpener",
    "OpenFailed",
    "allowed_schemes",
    "open_detected",
    "open_native_blocking",
    "open_url",
    "scheme_handler_registered",
    "trusted_role_link",
]
