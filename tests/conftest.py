"""Test-wide setup: no real keyring, offscreen Qt, Hypothesis profiles, qasync hook."""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# Never touch a developer's real keyring, display or home from a test.
os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_API"] = "pyside6"

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "nightly", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck)
)
settings.register_profile("dev", max_examples=50, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A throw-away MEETING_LAUNCHER_HOME."""
    monkeypatch.setenv("MEETING_LAUNCHER_HOME", str(tmp_path / "home"))
    yield tmp_path / "home"


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync event loop on the test QApplication (for async UI tests)."""
    from launcher.ui.asyncqt import new_event_loop

    qapp.setQuitOnLastWindowClosed(False)
    loop = new_event_loop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()
    asyncio.set_event_loop(None)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run ``async def`` tests: on the qasync loop if requested, else with asyncio.run."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    argnames = pyfuncitem._fixtureinfo.argnames
    kwargs = {name: pyfuncitem.funcargs[name] for name in argnames}
    coro = asyncio.wait_for(pyfuncitem.obj(**kwargs), timeout=60)
    loop = pyfuncitem.funcargs.get("qloop")
    if loop is not None:
        loop.run_until_complete(coro)  # type: ignore[attr-defined]
    else:
        asyncio.run(coro)
    return True


def require_reference(path: Path) -> Path:
    """Return an official spec from ../shared/reference, which lies beside the checkout.

    CI always has it there: missing in CI is a failure. A clone made elsewhere (a
    contributor's machine) does not: the few spec-validation tests then report
    themselves as skipped, with the reason, instead of failing the whole run.
    """
    if path.exists():
        return path
    message = (
        f"the official spec {path.name} is not beside this checkout ({path.resolve()}); "
        "it ships in the project's shared/reference folder"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _collect_qt_garbage(request: pytest.FixtureRequest) -> Iterator[None]:
    """After a test that used Qt, collect its garbage and deliver its deferred deletes.

    Qt wrappers left in reference cycles were otherwise freed by a garbage collection
    much later, in the middle of an unrelated test, while Qt still held events for them
    (a segmentation fault in pytest-qt's event processing, at a fixed place of the run).
    """
    yield
    if "qtbot" not in request.fixturenames and "qapp" not in request.fixturenames:
        return
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    app = QCoreApplication.instance()
    gc.collect()
    if app is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
