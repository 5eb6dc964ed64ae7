"""Talk to the running window (single instance): raise it, hand it a link, ask it to quit.

The window listens with a QLocalServer on the address from ``store.paths``; on POSIX that
is a Unix socket, which this module reaches without Qt, so the CLI can use it. The
protocol is one JSON line each way: ``{"cmd": "raise" | "join" | "status" | "quit", ...}``
answered by ``{"ok": true, ...}``.
"""

from __future__ import annotations

import json
import socket
from typing import Any

#: Longest answer we read, to never hang on a confused peer.
_MAX_REPLY = 64 * 1024


def send_command(
    address: str, message: dict[str, Any], *, timeout: float = 3.0
) -> dict[str, Any] | None:
    """Send *message* to the running window; None when no window is listening."""
    if not hasattr(socket, "AF_UNIX") or not address.startswith("/"):
        return None
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError:
            return None
        try:
            sock.sendall(json.dumps(message).encode("utf-8") + b"\n")
            data = b""
            while not data.endswith(b"\n") and len(data) < _MAX_REPLY:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        except OSError:
            return None
    try:
        reply = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return reply if isinstance(reply, dict) else None
