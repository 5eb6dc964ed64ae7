"""Install the desktop entry, app icon and AppStream metainfo for the current user."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

from launcher import APP_ID
from launcher.core.errors import ConfigError, InvalidInput
from launcher.store.atomic import write_atomic

#: The command name installed by the package (``[project.scripts]``).
COMMAND = "meeting-launcher"
DESKTOP_TEMPLATE = f"{APP_ID}.desktop.in"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
EXEC_PLACEHOLDER = "@EXEC@"

#: Characters that force an Exec argument into double quotes (Desktop Entry spec).
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
#: Characters escaped with a backslash inside a quoted Exec argument.
_QUOTED_ESCAPES = set('"`$\\')


def default_data_home(env: Mapping[str, str] | None = None) -> Path:
    """Return ``$XDG_DATA_HOME``, or ``~/.local/share`` when unset or not absolute."""
    env = os.environ if env is None else env
    value = env.get("XDG_DATA_HOME", "").strip()
    # The XDG spec says a relative path is invalid and must be ignored.
    if value and Path(value).is_absolute():
        return Path(value)
    home = env.get("HOME", "").strip()
    return (Path(home) if home else Path.home()) / ".local" / "share"


def desktop_entry_paths(data_home: Path) -> tuple[Path, Path, Path]:
    """Return where the desktop file, the icon and the metainfo go under *data_home*."""
    return (
        data_home / "applications" / f"{APP_ID}.desktop",
        data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        data_home / "metainfo" / METAINFO_FILE,
    )


def find_executable(
    argv0: str | None = None,
    *,
    python: str = sys.executable,
    which: Callable[[str], str | None] = shutil.which,
) -> str:
    """Return the absolute path of the ``meeting-launcher`` command, for ``Exec=``.

    Tries, in order: *argv0* when it is that command, the command next to the running
    Python (a virtual environment's ``bin/``), then ``$PATH``.

    Raises:
        ConfigError: The command cannot be found.

    """
    if argv0 and Path(argv0).name == COMMAND:
        found = argv0 if os.sep in argv0 else which(argv0)
        if found:
            return str(Path(found).absolute())
    sibling = Path(python).parent / COMMAND
    if sibling.is_file() and os.access(sibling, os.X_OK):
        return str(sibling.absolute())
    on_path = which(COMMAND)
    if on_path:
        return str(Path(on_path).absolute())
    raise ConfigError(f"cannot find the {COMMAND} command; is the package installed?")


def exec_quote(arg: str) -> str:
    """Quote one argument for an ``Exec=`` value (quoting, ``%%`` and string escapes).

    Raises:
        InvalidInput: The argument contains a line break or a control character.

    """
    if not arg or any(ord(c) < 0x20 or c == "\x7f" for c in arg):
        raise InvalidInput("executable", "must be a non-empty path without line breaks")
    if any(c in _RESERVED for c in arg):
        arg = '"' + "".join("\\" + c if c in _QUOTED_ESCAPES else c for c in arg) + '"'
    arg = arg.replace("%", "%%")
    # The desktop file's string type unescapes "\\" before Exec's own quoting is read.
    return arg.replace("\\", "\\\\")


def render_desktop_file(executable: str) -> str:
    """Return the desktop file text with ``Exec`` pointing at *executable*."""
    template = _asset_text("desktop", DESKTOP_TEMPLATE)
    return template.replace(EXEC_PLACEHOLDER, exec_quote(executable))


def install_desktop_entry(*, executable: str, data_home: Path) -> list[Path]:
    """Install the desktop file, the scalable icon and the metainfo under *data_home*.

    Args:
        executable: Absolute path of the ``meeting-launcher`` command (see
            :func:`find_executable`).
        data_home: Usually :func:`default_data_home`.

    Returns:
        The paths written: desktop file, icon, metainfo.

    Raises:
        InvalidInput: *executable* is not an absolute path.

    """
    if not Path(executable).is_absolute():
        raise InvalidInput("executable", f"must be an absolute path, not {executable!r}")
    desktop_path, icon_path, metainfo_path = desktop_entry_paths(data_home)
    contents = (
        (desktop_path, render_desktop_file(executable).encode("utf-8")),
        (icon_path, _asset_bytes("icons", "app.svg")),
        (metainfo_path, _asset_bytes("desktop", METAINFO_FILE)),
    )
    for path, data in contents:
        write_atomic(path, data, mode=0o644)
    return [path for path, _ in contents]


def uninstall_desktop_entry(*, data_home: Path) -> list[Path]:
    """Remove what :func:`install_desktop_entry` wrote; return the paths removed."""
    removed = []
    for path in desktop_entry_paths(data_home):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        removed.append(path)
    return removed


def _asset_bytes(*parts: str) -> bytes:
    return resources.files("launcher").joinpath("assets", *parts).read_bytes()


def _asset_text(*parts: str) -> str:
    return _asset_bytes(*parts).decode("utf-8")
