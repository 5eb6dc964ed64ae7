"""Run the sandbox with uvicorn: in a background thread (tests, demo) or in the foreground."""

from __future__ import annotations

import socket
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

import uvicorn
from starlette.applications import Starlette

from launcher.sandbox.app import create_app
from launcher.sandbox.demo import provider_urls
from launcher.sandbox.state import SandboxState

_LABELS = {
    "bluejeans": "BlueJeans REST",
    "bluejeans_relay": "BlueJeans relay",
    "joinme": "join.me",
    "whereby": "Whereby",
    "skype": "Skype for Business (UCWA discovery)",
    "ics": "Demo calendar (ICS)",
}


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP (not 0) so asyncio sets TCP_NODELAY on accepted connections
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # Listen now, so connections made as soon as the URL is printed wait in the
        # backlog until uvicorn accepts them, instead of being refused.
        sock.listen(2048)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def _config(app: Starlette) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        log_config=None,
        lifespan="off",
        http="h11",
        ws="none",
        loop="asyncio",
        timeout_graceful_shutdown=2,
    )


class RunningSandbox:
    """A sandbox served by uvicorn on its own thread and event loop.

    Use as a context manager, or call :meth:`stop`. ``base_url`` is
    ``http://127.0.0.1:<port>``; ``state`` is the live :class:`SandboxState`.
    """

    def __init__(
        self,
        server: uvicorn.Server,
        thread: threading.Thread,
        app: Starlette,
        state: SandboxState,
        base_url: str,
    ) -> None:
        self._server = server
        self._thread = thread
        self._app = app
        self.state = state
        self.base_url = base_url

    def provider_urls(self) -> dict[str, str]:
        """Return the API bases: bluejeans, bluejeans_relay, joinme, whereby, skype."""
        return provider_urls(self.base_url)

    @property
    def running(self) -> bool:
        """Whether the server thread is still serving."""
        return self._thread.is_alive()

    @property
    def port(self) -> int:
        """The loopback port the sandbox serves (and keeps while refusing)."""
        return int(self.base_url.rsplit(":", 1)[1])

    def refuse_connections(self) -> None:
        """Close the listening socket: connecting is refused until :meth:`accept_connections`.

        Open connections are closed too. The state (data, faults, counters) is kept; a
        client sees exactly what a server that is down looks like ("connection refused").
        """
        self.stop()

    def accept_connections(self) -> None:
        """Listen again on the same port, serving the same state (idempotent)."""
        if self.running:
            return
        host = self.base_url.split("://", 1)[1].rsplit(":", 1)[0].strip("[]")
        fresh = start_in_thread(self.state, host, self.port)
        self._server, self._thread, self._app = fresh._server, fresh._thread, fresh._app

    def stop(self, timeout: float = 10.0) -> None:
        """Shut the server down and wait for its thread (idempotent)."""
        self._app.state.closing.set()
        self._server.should_exit = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            self._server.force_exit = True
            self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError("the sandbox server did not stop")

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RunningSandbox({self.base_url!r}, running={self.running})"


def start_in_thread(
    state: SandboxState | None = None, host: str = "127.0.0.1", port: int = 0
) -> RunningSandbox:
    """Serve a sandbox on *host*:*port* (0 = any free port) from a background thread."""
    state = state if state is not None else SandboxState()
    app = create_app(state)
    sock = _bind(host, port)
    base_url = _url(sock)
    server = uvicorn.Server(_config(app))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)
        finally:
            sock.close()

    thread = threading.Thread(target=run, name=f"sandbox-{base_url}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10.0
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5.0)
            raise RuntimeError("the sandbox server did not start") from (
                failure[0] if failure else None
            )
        time.sleep(0.005)
    return RunningSandbox(server, thread, app, state, base_url)


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    state: SandboxState | None = None,
    out: TextIO | None = None,
) -> None:
    """Serve the sandbox in the foreground until interrupted.

    Prints each API base first, then ``Sandbox: <base url>`` (web pages, control API).
    """
    out = out if out is not None else sys.stdout
    app = create_app(state)
    sock = _bind(host, port)
    try:
        base_url = _url(sock)
        for key, url in provider_urls(base_url).items():
            print(f"{_LABELS[key]}: {url}", file=out)
        print(f"Sandbox: {base_url}", file=out, flush=True)
        server = uvicorn.Server(_config(app))
        try:
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            pass  # uvicorn re-raises Ctrl+C after its graceful shutdown; that is our exit
    finally:
        sock.close()


__all__ = ["RunningSandbox", "serve", "start_in_thread"]
