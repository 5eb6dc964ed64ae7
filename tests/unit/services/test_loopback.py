"""The loopback listener for OAuth redirects, over real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from launcher.services.loopback import LoopbackListener


async def test_first_callback_is_handed_over_and_answered() -> None:
    async with LoopbackListener() as listener:
        uri = listener.redirect_uri
        assert uri.startswith("http://127.0.0.1:") and uri.endswith("/callback")
        async with httpx.AsyncClient(timeout=5) as http:
            browser = asyncio.create_task(http.get(uri, params={"code": "c1", "state": "s"}))
            callback = await listener.wait(5)
            assert callback.query == {"code": "c1", "state": "s"}
            assert "c1" not in repr(callback)
            await callback.finish(True, "Signed in to join.me", "You can close this tab.")
            page = await browser
            assert page.status_code == 200 and "Signed in to join.me" in page.text
            assert page.headers["cache-control"] == "no-store"
            second = await http.get(uri, params={"code": "c2", "state": "s"})
            assert second.status_code == 409
            await callback.finish(False, "again", "ignored")  # a second answer is a no-op


async def test_other_paths_and_methods_are_not_callbacks() -> None:
    async with LoopbackListener() as listener:
        base = listener.redirect_uri.rsplit("/", 1)[0]
        async with httpx.AsyncClient(timeout=5) as http:
            assert (await http.get(f"{base}/favicon.ico")).status_code == 404
            assert (await http.post(listener.redirect_uri, data={"code": "x"})).status_code == 404
            page = await http.get(listener.redirect_uri)  # no code, error or state
            assert page.status_code == 200 and "location.hash" in page.text
            with pytest.raises(TimeoutError):
                await listener.wait(0.05)
            # The page hands a fragment over as a query: that is a callback.
            forwarded = asyncio.create_task(
                http.get(listener.redirect_uri + "?ml_fragment=1&error=access_denied&state=s"))
            callback = await listener.wait(5)
            assert callback.query == {"error": "access_denied", "state": "s"}
            await callback.finish(False, "Sign-in failed", "Access was not allowed <b>.")
            page = await forwarded
            assert page.status_code == 400 and "&lt;b&gt;" in page.text


async def test_garbage_and_silent_connections_do_not_disturb_it() -> None:
    async with LoopbackListener() as listener:
        port = int(listener.redirect_uri.split(":")[2].split("/")[0])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"NONSENSE\r\n\r\n")
        await writer.drain()
        assert (await reader.read()).startswith(b"HTTP/1.1 400")
        writer.close()
        idle_reader, idle = await asyncio.open_connection("127.0.0.1", port)  # says nothing
        async with httpx.AsyncClient(timeout=5) as http:
            got = asyncio.create_task(http.get(listener.redirect_uri, params={"code": "c"}))
            callback = await listener.wait(5)
            await callback.finish(True, "ok", "ok")
            assert (await got).status_code == 200
        idle.close()
        del idle_reader


async def test_closing_answers_a_waiting_browser_and_frees_the_port() -> None:
    listener = LoopbackListener()
    await listener.__aenter__()
    uri = listener.redirect_uri
    port = int(uri.split(":")[2].split("/")[0])
    async with httpx.AsyncClient(timeout=5) as http:
        browser = asyncio.create_task(http.get(uri, params={"code": "c", "state": "s"}))
        await listener.wait(5)
        await listener.aclose()
        page = await browser
        assert "stopped this sign-in" in page.text
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0
    with pytest.raises(RuntimeError):
        _ = listener.redirect_uri


async def test_a_cancelled_wait_leaves_the_listener_usable() -> None:
    async with LoopbackListener() as listener:
        waiter = asyncio.create_task(listener.wait(5))
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        async with httpx.AsyncClient(timeout=5) as http:
            got = asyncio.create_task(http.get(listener.redirect_uri, params={"code": "c"}))
            callback = await listener.wait(5)
            await callback.finish(True, "ok", "ok")
            assert (await got).status_code == 200
