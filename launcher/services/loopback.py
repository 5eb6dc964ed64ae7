"""A one-shot HTTP listener on 127.0.0.1 for an OAuth redirect (RFC 8252, loopback).

The browser is sent to the provider's consent page with ``redirect_uri`` pointing
here (a random free port); the provider redirects the browser back with ``code`` and
``state``. The first such request is handed to the caller, who checks it, finishes the
sign-in and then answers the browser with a short page ("signed in, you can close this
tab", or what went wrong). Anything else (another path, a second answer) gets a plain
page and is otherwise ignored. Only ``asyncio`` streams: no Qt, no third-party server.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import urllib.parse
from types import TracebackType

log = logging.getLogger("launcher.signin")

#: Longest request head accepted (request line and headers).
MAX_HEAD = 16 * 1024
#: Seconds a connection may take to send its request head.
HEAD_TIMEOUT = 10.0
#: Seconds the browser waits for the final page before it gets a generic one.
FINISH_TIMEOUT = 60.0
CALLBACK_PATH = "/callback"

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem;color:#222}}
h1{{font-size:1.4rem}}</style></head>
<body><main><h1>{title}</h1><p>{text}</p></main>{script}</body></html>
"""
# Some servers put the answer in the URL fragment, which never reaches a server: this
# page hands it over as a query, once (the marker stops a loop).
_FRAGMENT_SCRIPT = (
    "<script>if (location.hash.length > 1 && location.search.indexOf('ml_fragment') < 0) {"
    "location.replace(location.pathname + '?ml_fragment=1&' + location.hash.substring(1));"
    "}</script>"
)


def page(title: str, text: str, *, script: str = "") -> bytes:
    """Render the small page the browser tab shows; every text is escaped."""
    return _PAGE.format(title=html.escape(title), text=html.escape(text), script=script).encode()


class Callback:
    """The redirect the browser made: its query, and the way to answer the browser."""

    def __init__(self, query: dict[str, str], writer: asyncio.StreamWriter) -> None:
        self.query = query
        self._writer: asyncio.StreamWriter | None = writer

    def __repr__(self) -> str:  # the query holds the code: never show it
        return f"Callback(keys={sorted(self.query)})"

    async def finish(self, ok: bool, title: str, text: str) -> None:
        """Answer the browser with a page and close the connection (once)."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        status = "200 OK" if ok else "400 Bad Request"
        await _respond(writer, status, page(title, text))


class LoopbackListener:
    """Listen on ``127.0.0.1:<random port>`` for one OAuth redirect.

    Use as ``async with LoopbackListener() as listener:``; give
    :attr:`redirect_uri` to the provider, then ``await listener.wait(timeout)``.
    Leaving the block closes the port and every connection still open.
    """

    def __init__(self, *, host: str = "127.0.0.1", path: str = CALLBACK_PATH) -> None:
        self._host = host
        self._path = path
        self._server: asyncio.Server | None = None
        self._port = 0
        self._result: asyncio.Future[Callback] | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._pending: Callback | None = None

    @property
    def redirect_uri(self) -> str:
        """Where the provider must send the browser back to."""
        if self._server is None:
            raise RuntimeError("the listener is not running")
        return f"http://{self._host}:{self._port}{self._path}"

    async def __aenter__(self) -> LoopbackListener:
        self._result = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._handle, self._host, 0)
        self._port = int(self._server.sockets[0].getsockname()[1])
        log.debug("sign-in listener on port %d", self._port)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Stop listening; a browser still waiting gets a generic page."""
        pending, self._pending = self._pending, None
        if pending is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(
                    pending.finish(
                        False, "Sign-in stopped",
                        "Meeting Launcher stopped this sign-in. You can close this tab.",
                    ),
                    2.0,
                )
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for writer in list(self._writers):
            writer.close()
        if server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2.0)
        if self._result is not None and not self._result.done():
            self._result.cancel()

    async def wait(self, seconds: float) -> Callback:
        """Return the first redirect that arrives; TimeoutError after *seconds*."""
        if self._result is None:
            raise RuntimeError("the listener is not running")
        return await asyncio.wait_for(asyncio.shield(self._result), seconds)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        handed_over = False
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT)
            except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                    ConnectionError):
                return
            if len(head) > MAX_HEAD:
                await _respond(writer, "431 Request Header Fields Too Large", b"")
                return
            request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
            parts = request_line.split(" ")
            if len(parts) != 3 or not parts[2].startswith("HTTP/"):
                await _respond(writer, "400 Bad Request", b"")
                return
            method, target = parts[0], parts[1]
            url = urllib.parse.urlsplit(target)
            if method != "GET" or url.path != self._path:
                await _respond(writer, "404 Not Found",
                               page("Not found", "This address is only for signing in."))
                return
            query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
            query.pop("ml_fragment", None)
            if not ({"code", "error", "state"} & set(query)):
                await _respond(
                    writer, "200 OK",
                    page("Finishing sign-in…",
                         "If nothing happens, go back to Meeting Launcher and try again.",
                         script=_FRAGMENT_SCRIPT),
                )
                return
            if self._result is None or self._result.done():
                await _respond(writer, "409 Conflict",
                               page("Already answered",
                                    "This sign-in has already had its answer. "
                                    "You can close this tab."))
                return
            callback = Callback(query, writer)
            self._pending = callback  # answered by the caller, or by aclose()
            self._result.set_result(callback)
            handed_over = True
        finally:
            if not handed_over:
                self._writers.discard(writer)
                with contextlib.suppress(Exception):
                    writer.close()


async def _respond(writer: asyncio.StreamWriter, status: str, body: bytes) -> None:
    head = (
        f"HTTP/1.1 {status}\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Cache-Control: no-store\r\n"
        "Referrer-Policy: no-referrer\r\n"
        "Connection: close\r\n\r\n"
    ).encode("ascii")
    try:
        writer.write(head + body)
        await asyncio.wait_for(writer.drain(), 5.0)
    except (ConnectionError, TimeoutError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()
