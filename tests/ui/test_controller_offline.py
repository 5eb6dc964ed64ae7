"""The window offline: cached meetings stay, marked; re-syncs back off; a refresh replaces one.

Real sandbox on loopback (the demo accounts), real MainWindow, real services. "Every
provider unreachable" is the sandbox closing its listening socket (connection refused).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtNetwork import QNetworkInformation

from launcher.sandbox.state import Fault
from launcher.services.backoff import Backoff
from launcher.services.sync import SyncState
from launcher.ui.models import meeting_key
from tests.ui.test_controller import DEMO_ACCOUNTS, Demo, demo, status_text
from tests.ui.test_dialogs_join import wait_for

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def shown(app: Demo) -> list[str]:
    return sorted(meeting_key(m) for m in app.window.model.meetings())


async def go_offline(app: Demo) -> None:
    """Close the sandbox and sync: every account ends offline with a retry due."""
    app.sandbox.refuse_connections()
    app.controller.refresh()
    await wait_for(lambda: set(app.statuses().values()) == {SyncState.OFFLINE}, limit=15)
    await wait_for(lambda: app.controller.retry_pending is not None, limit=5)


async def retry_now(app: Demo) -> None:
    """Fire the backoff timer now instead of waiting for it; wait for that sync to end."""
    failures = app.controller.backoff.failures
    app.controller._retry_timer.timeout.emit()
    await wait_for(lambda: app.controller.runner.active == 0
                   and SyncState.SYNCING not in app.statuses().values(), limit=15)
    await wait_for(lambda: app.controller.backoff.failures != failures
                   or app.controller.retry_pending is None, limit=5)


async def test_every_provider_unreachable_keeps_the_window_and_backs_off(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        controller = app.controller
        assert controller.retry_pending is None
        controller.backoff = Backoff(jitter=lambda: 0.5)  # exactly 30 s, 60 s, 120 s ...
        before = shown(app)
        fetched = {n: s.since for n, s in controller.sync.statuses.items()}

        loop = asyncio.get_running_loop()
        gaps: list[float] = []
        done = asyncio.Event()

        async def heartbeat() -> None:
            last = loop.time()
            while not done.is_set():
                await asyncio.sleep(0.02)
                gaps.append(loop.time() - last)
                last = loop.time()

        beating = loop.create_task(heartbeat())
        await go_offline(app)
        done.set()
        await beating
        assert max(gaps) < 0.3  # the event loop (the window) never stalled

        # Everything fetched before is still shown, each account marked.
        assert shown(app) == before
        for name in DEMO_ACCOUNTS:
            since = fetched[name]
            assert since is not None
            assert f"offline since {since.astimezone():%H:%M}" in status_text(app.window, name)
        banner = app.window.banner.text()
        assert "still shown" in banner and "tries again by itself" in banner
        assert "could not connect" in banner and "Traceback" not in banner

        # First retry after 30 s; still offline, so the next one after 60 s.
        pending = controller.retry_pending
        assert pending == 30.0
        await retry_now(app)
        pending = controller.retry_pending
        assert pending == 60.0
        assert controller.backoff.failures == 2

        # The periodic refresh leaves the decision to the backoff while offline.
        controller._on_refresh_timer_timeout()
        assert controller.runner.active == 0

        # Back online: the next retry brings every account up to date and resets.
        app.sandbox.accept_connections()
        await retry_now(app)
        await app.synced()
        assert controller.retry_pending is None and controller.backoff.failures == 0
        await wait_for(lambda: not app.window.banner.isVisible())


async def test_a_manual_refresh_starts_the_backoff_over(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        controller = app.controller
        controller.backoff = Backoff(jitter=lambda: 0.5)
        await go_offline(app)
        await retry_now(app)
        assert controller.backoff.failures == 2
        app.window.refresh_requested.emit()  # the Refresh button
        await wait_for(lambda: controller.backoff.failures == 1
                       and controller.retry_pending is not None, limit=15)
        pending = controller.retry_pending
        assert pending == 30.0


async def test_the_network_coming_back_syncs_at_once(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with demo(tmp_path, qtbot, monkeypatch) as app:
        await app.synced()
        controller = app.controller
        await go_offline(app)
        app.sandbox.accept_connections()
        # The failed refresh's last steps (cache write, tray) end first.
        await wait_for(lambda: controller.runner.active == 0)
        controller._on_reachability_changed(QNetworkInformation.Reachability.Disconnected)
        assert controller.runner.active == 0  # going down does not trigger anything
        controller._on_reachability_changed(QNetworkInformation.Reachability.Online)
        await app.synced()
        assert controller.retry_pending is None and controller.backoff.failures == 0


async def test_a_refresh_while_one_runs_replaces_it(
    qtbot: Any, qloop: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slow = {p: Fault("latency", delay=0.5)
            for p in ("bluejeans", "joinme", "whereby", "skype", "ics")}
    async with demo(tmp_path, qtbot, monkeypatch, faults=slow) as app:
        controller = app.controller
        await wait_for(lambda: set(app.statuses().values()) == {SyncState.SYNCING})
        await asyncio.sleep(0.1)  # every account's first request is under way
        first = controller.runner._latest["refresh"]
        first_fetches = [t for t in asyncio.all_tasks()
                         if getattr(t.get_coro(), "__name__", "") == "fetch_account"]
        assert len(first_fetches) == len(DEMO_ACCOUNTS)
        controller.refresh()
        second = controller.runner._latest["refresh"]
        assert second is not first
        await asyncio.gather(first, *first_fetches, return_exceptions=True)
        assert first.cancelled()
        assert all(t.cancelled() for t in first_fetches)  # no fetch of the old one goes on
        app.sandbox.state.clear_faults()
        await app.synced()
        assert not second.cancelled()
        assert controller.runner.active == 0
