"""open_detected: the native app when one is registered, the browser otherwise or on failure."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from launcher.core.catalogue import native_schemes
from launcher.core.errors import InvalidInput
from launcher.core.linkscan import DetectedLink, match_url
from launcher.services import opener
from launcher.services.opener import (
    OpenFailed,
    allowed_schemes,
    open_detected,
    scheme_handler_registered,
)

ZOOM = "https://us02web.zoom.us/j/84512345678?pwd=abc"


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record what would have been opened in the browser."""
    opened: list[str] = []
    monkeypatch.setattr(opener, "_open_blocking", lambda url, _var: opened.append(url))
    return opened


def zoom_link() -> DetectedLink:
    link = match_url(ZOOM)
    assert link is not None
    assert link.native_url is not None
    return link


async def test_native_app_used_when_registered(browser: list[str]) -> None:
    asked: list[str] = []
    natives: list[str] = []

    def lookup(scheme: str) -> bool:
        asked.append(scheme)
        return True

    how = await open_detected(zoom_link(), handler_lookup=lookup, native_opener=natives.append)
    assert how == "native"
    assert asked == ["zoommtg"]
    assert natives == ["zoommtg://us02web.zoom.us/join?action=join&confno=84512345678&pwd=abc"]
    assert browser == []


async def test_browser_when_no_app_is_registered(browser: list[str]) -> None:
    natives: list[str] = []
    how = await open_detected(zoom_link(), handler_lookup=lambda _s: False,
                              native_opener=natives.append)
    assert (how, natives, browser) == ("browser", [], [ZOOM])


async def test_browser_when_the_app_fails(browser: list[str]) -> None:
    def failing(_url: str) -> None:
        raise OpenFailed("no")

    how = await open_detected(zoom_link(), handler_lookup=lambda _s: True, native_opener=failing)
    assert (how, browser) == ("browser", [ZOOM])


async def test_browser_when_native_not_preferred_or_absent(browser: list[str]) -> None:
    def never(_s: str) -> bool:
        raise AssertionError("not asked")

    await open_detected(zoom_link(), prefer_native=False, handler_lookup=never)
    meet = match_url("https://meet.google.com/abc-defg-hij")
    assert meet is not None
    await open_detected(meet, handler_lookup=never)
    assert browser == [ZOOM, "https://meet.google.com/abc-defg-hij"]


async def test_bad_links_are_refused(browser: list[str]) -> None:
    bad = DetectedLink("zoom", "Zoom", ZOOM, "1", native_url="javascript:alert(1)")
    with pytest.raises(InvalidInput):
        await open_detected(bad, handler_lookup=lambda _s: True, native_opener=lambda _u: None)
    with pytest.raises(InvalidInput):
        await open_detected(DetectedLink("link", "Link", "file:///etc/passwd", None))
    assert browser == []


def test_catalogue_schemes_are_allowed() -> None:
    assert native_schemes() <= allowed_schemes()
    assert {"http", "https", "zoommtg", "msteams", "chime"} <= allowed_schemes()


@pytest.mark.skipif(sys.platform in {"darwin", "win32"}, reason="xdg-mime lookup")
def test_xdg_mime_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tool = tmp_path / "xdg-mime"
    tool.write_text(
        "#!/bin/sh\n"
        'if [ "$3" = "x-scheme-handler/zoommtg" ]; then echo Zoom.desktop; fi\n'
    )
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert scheme_handler_registered("zoommtg") is True
    assert scheme_handler_registered("msteams") is False
    assert scheme_handler_registered("bad scheme;rm") is False
    monkeypatch.setenv("PATH", str(tmp_path / "none"))
    assert scheme_handler_registered("zoommtg") is False
