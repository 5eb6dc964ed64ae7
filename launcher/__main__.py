"""Entry point: ``meeting-launcher`` and ``python -m launcher``."""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Run the command line (the window arrives with the desktop-app issue)."""
    # qasync picks its Qt binding from QT_API; never let it probe for PyQt.
    os.environ.setdefault("QT_API", "pyside6")
    from launcher.cli import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
