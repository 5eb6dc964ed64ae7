"""Entry point: ``meeting-launcher`` and ``python -m launcher``.

No arguments (or only window options) open the window; a bare link, as a desktop file's
``%u`` passes it, joins that link in the window; anything else is the command line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

_WINDOW_FLAGS = {"--demo", "--debug", "--minimized", "--join-clipboard"}


def wants_window(argv: Sequence[str]) -> list[str] | None:
    """Return the window's arguments if *argv* asks for the window, else None."""
    args = list(argv)
    if len(args) == 1 and "://" in args[0]:
        return ["--join", args[0]]
    rest = []
    i = 0
    while i < len(args):
        if args[i] in _WINDOW_FLAGS:
            rest.append(args[i])
        elif args[i] == "--join" and i + 1 < len(args):
            rest.extend(args[i : i + 2])
            i += 1
        else:
            return None
        i += 1
    return rest


def main() -> None:
    """Open the window or run a command."""
    # qasync picks its Qt binding from QT_API; never let it probe for PyQt.
    os.environ.setdefault("QT_API", "pyside6")
    window_args = wants_window(sys.argv[1:])
    if window_args is not None:
        from launcher.app import main as app_main

        sys.exit(app_main(window_args))
    from launcher.cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
