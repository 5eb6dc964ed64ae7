"""The window's side of single instance: a QLocalServer, and a Qt client for Windows."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket


class InstanceServer(QObject):
    """Listens for a second launch: raise the window, join a link, report, quit."""

    command_received = Signal(dict, QObject)

    def __init__(self, address: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._address = address
        self._server.newConnection.connect(self._on_server_new_connection)
        self.handler: Any = None

    def listen(self) -> bool:
        """Start listening; a stale socket from a crashed run is removed first."""
        if self._server.listen(self._address):
            return True
        QLocalServer.removeServer(self._address)
        return self._server.listen(self._address)

    def close(self) -> None:
        """Stop listening and remove the socket."""
        self._server.close()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: self._on_socket_ready_read(s))
            sock.disconnected.connect(sock.deleteLater)

    def _on_socket_ready_read(self, sock: QLocalSocket) -> None:
        if not sock.canReadLine():
            return
        raw = bytes(sock.readLine().data())
        try:
            message = json.loads(raw.decode("utf-8"))
            if not isinstance(message, dict):
                raise ValueError("not an object")
        except (UnicodeDecodeError, ValueError):
            reply: dict[str, Any] = {"ok": False, "error": "bad request"}
        else:
            reply = self.handler(message) if self.handler else {"ok": False}
        sock.write(QByteArray(json.dumps(reply).encode("utf-8") + b"\n"))
        sock.flush()
        sock.disconnectFromServer()


def ask_running_instance(address: str, message: dict[str, Any]) -> dict[str, Any] | None:
    """Send *message* to a running window through Qt (works on every platform)."""
    sock = QLocalSocket()
    sock.connectToServer(address)
    if not sock.waitForConnected(500):
        return None
    sock.write(QByteArray(json.dumps(message).encode("utf-8") + b"\n"))
    sock.flush()
    if not sock.waitForReadyRead(3000):
        return None
    try:
        reply = json.loads(bytes(sock.readLine().data()).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    sock.disconnectFromServer()
    return reply if isinstance(reply, dict) else None
