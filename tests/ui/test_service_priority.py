"""Service priority and app-or-browser per service: the setting, Settings › Meeting links,
and LinkInfo ranking and opening by them (the real catalogue, not a stand-in)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

import launcher.services.opener as opener_module
from launcher.core.catalogue import CATALOGUE
from launcher.core.models import Meeting, Provider
from launcher.store.settings import Settings, SettingsStore
from launcher.ui.linkinfo import LinkInfo, service_key
from launcher.ui.services_page import OPEN_COLUMN, ServicesPage, default_order
from launcher.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

START = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
ZOOM = "https://acme.zoom.us/j/81234567890?pwd=abcDEF123"
WEBEX = "https://acme.webex.com/meet/dana.lee"


def both_links() -> Meeting:
    return Meeting(
        id="m1", account="Work calendar", provider=Provider.ICS, title="Review",
        start=START, end=START + dt.timedelta(minutes=30),
        description=f"<p>Join Webex: <a href='{WEBEX}'>{WEBEX}</a></p><p>or Zoom: {ZOOM}</p>",
    )


# ---- the setting ------------------------------------------------------------------------------


def test_unknown_services_are_dropped_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({
        "service_priority": ["webex", "no-such-service", "zoom", "webex"],
        "browser_only_services": ["teams", "myspace"],
    }))
    store = SettingsStore(path)
    settings = store.load()
    assert settings.service_priority == ("webex", "zoom")
    assert settings.browser_only_services == ("teams",)
    assert len(store.problems) == 2
    assert "'no-such-service'" in store.problems[0] and "service_priority" in store.problems[0]
    assert "'myspace'" in store.problems[1]
    store.save(settings)
    again = SettingsStore(path)
    assert again.load() == settings and again.problems == []


def test_a_priority_that_is_not_a_list_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"service_priority": "zoom"}))
    store = SettingsStore(path)
    assert store.load().service_priority == ()
    assert store.problems and "service_priority" in store.problems[0]


# ---- Settings › Meeting links --------------------------------------------------------------


@pytest.fixture
def page(qtbot: Any) -> ServicesPage:
    widget = ServicesPage(None, ("webex",), ("teams",))
    qtbot.addWidget(widget)
    widget.show()
    return widget


def row_of(page: ServicesPage, key: str) -> int:
    return page.keys().index(key)


def test_every_service_is_listed_the_users_first(page: ServicesPage) -> None:
    assert sorted(page.keys()) == sorted(s.key for s in CATALOGUE)
    assert page.keys()[0] == "webex"
    assert page.keys()[1:] == tuple(k for k in default_order() if k != "webex")
    assert page.priority() == page.keys()
    assert page.browser_only() == ("teams",)
    assert not page.up.isEnabled() and page.down.isEnabled()


def test_move_up_and_down_reorder_and_default_order_resets(
    qtbot: Any, page: ServicesPage
) -> None:
    page.set_current_row(row_of(page, "jitsi"))
    before = row_of(page, "jitsi")
    qtbot.mouseClick(page.up, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.up, Qt.MouseButton.LeftButton)
    assert row_of(page, "jitsi") == before - 2
    assert page.current_row() == before - 2
    qtbot.mouseClick(page.down, Qt.MouseButton.LeftButton)
    assert row_of(page, "jitsi") == before - 1
    for _ in range(before):
        page.move_selected(-1)
    assert page.keys()[0] == "jitsi" and not page.up.isEnabled()
    page.set_current_row(page.list.topLevelItemCount() - 1)
    assert not page.down.isEnabled()
    qtbot.mouseClick(page.reset, Qt.MouseButton.LeftButton)
    assert page.keys() == default_order() and page.priority() == ()
    assert page.browser_only() == ("teams",)  # the app/browser choices stay


def test_untick_means_always_the_browser(page: ServicesPage) -> None:
    zoom = page.list.topLevelItem(row_of(page, "zoom"))
    assert zoom is not None and zoom.text(OPEN_COLUMN) == "the app when installed"
    zoom.setCheckState(OPEN_COLUMN, Qt.CheckState.Unchecked)
    assert zoom.text(OPEN_COLUMN) == "always the browser"
    assert page.browser_only() == ("teams", "zoom")
    no_app = page.list.topLevelItem(row_of(page, "jitsi"))
    assert no_app is not None and not no_app.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert no_app.text(OPEN_COLUMN) == "the browser"


def test_the_settings_dialog_returns_the_order_and_choices(qtbot: Any) -> None:
    dialog = SettingsDialog(None, Settings(service_priority=("zoom",)))
    qtbot.addWidget(dialog)
    assert dialog.tabs.tabText(dialog.tabs.indexOf(dialog.services)) == "Meeting links"
    services = dialog.services
    services.set_current_row(row_of(services, "webex"))
    while services.current_row() > 0:
        services.move_selected(-1)
    teams = services.list.topLevelItem(row_of(services, "teams"))
    assert teams is not None
    teams.setCheckState(OPEN_COLUMN, Qt.CheckState.Unchecked)
    result = dialog.result_value()
    assert result.service_priority[:2] == ("webex", "zoom")
    assert result.browser_only_services == ("teams",)


# ---- LinkInfo ranks and opens by them ------------------------------------------------------


def test_detection_ranks_by_the_users_priority() -> None:
    info = LinkInfo()
    meeting = both_links()
    assert [service_key(x) for x in info.links(meeting)] == ["zoom", "webex"]
    info.set_preferences(("webex",), ())
    assert [service_key(x) for x in info.links(meeting)] == ["webex", "zoom"]
    info.set_preferences((), ())
    assert [service_key(x) for x in info.links(meeting)] == ["zoom", "webex"]


async def test_a_browser_only_service_never_opens_its_app(
    qloop: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, bool]] = []

    async def fake_open_detected(link: Any, prefer_native: bool = True) -> str:
        calls.append((link.url, prefer_native))
        return "browser"

    monkeypatch.setattr(opener_module, "open_detected", fake_open_detected)
    info = LinkInfo()
    zoom = info.links(both_links())[0]
    fallback_calls: list[str] = []

    async def fallback(url: str) -> None:
        fallback_calls.append(url)

    await info.opener(fallback)(zoom)
    info.set_preferences((), ("zoom",))
    await info.opener(fallback)(zoom)
    assert calls == [(ZOOM, True), (ZOOM, False)]
    assert fallback_calls == []


async def test_saved_settings_reach_the_window_links(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ui.test_controller import demo

    async with demo(tmp_path, qtbot, monkeypatch) as app:
        app.controller.apply_settings(Settings(service_priority=("webex", "zoom"),
                                               browser_only_services=("teams",)))
        links = app.window.links
        assert links.priority == ("webex", "zoom") and links.browser_only == {"teams"}
        saved = json.loads((tmp_path / "config" / "settings.json").read_text())
        assert saved["service_priority"] == ["webex", "zoom"]
        assert saved["browser_only_services"] == ["teams"]
