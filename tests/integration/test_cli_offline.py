"""`meetings` with every provider unreachable: the last cached meetings, marked, exit 0.

The CLI runs as a subprocess against a sandbox served from this process; "unreachable"
is the real thing: the sandbox closes its listening socket, so every connection is refused.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.sandbox.server import RunningSandbox
from launcher.services.demo import start_demo
from launcher.store.paths import Paths
from tests.integration.conftest import _env

pytestmark = [pytest.mark.end2end, pytest.mark.slow]

def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "launcher", *args], capture_output=True, text=True,
        env=_env(home), timeout=90,
    )


def key(meeting: dict[str, object]) -> tuple[object, ...]:
    return tuple(meeting[k] for k in ("account", "id", "title", "start", "end", "join_url",
                                      "number", "online_meeting_uri"))


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[Path, RunningSandbox]]:
    """A profile with the demo accounts, and the sandbox they point at."""
    home = tmp_path / "home"
    with start_demo(Paths.under(home).ensure()) as running:
        running.state.bluejeans.relay_rate_limit = False
        yield home, running


def test_every_provider_unreachable_shows_the_cached_meetings(
    demo: tuple[Path, RunningSandbox],
) -> None:
    home, sandbox = demo
    first = run(home, "meetings", "--json")
    assert first.returncode == 0, first.stderr
    before = json.loads(first.stdout)
    assert {a["state"] for a in before["accounts"]} == {"up to date"}
    fetched = {a["account"]: a["since"] for a in before["accounts"]}

    sandbox.refuse_connections()
    began = time.monotonic()
    offline = run(home, "meetings", "--json")
    took = time.monotonic() - began
    assert offline.returncode == 0, offline.stderr  # cached data was shown
    doc = json.loads(offline.stdout)
    # The same meetings (the cache keeps no passcode or host link, so compare the rest).
    assert [key(m) for m in doc["meetings"]] == [key(m) for m in before["meetings"]]
    for account in doc["accounts"]:
        assert account["state"] == "offline" and not account["fresh"] and account["cached"]
        assert account["since"] == fetched[account["account"]]
        assert "could not connect" in account["message"]
    warnings = [x for x in offline.stderr.splitlines() if x.startswith("warning:")]
    assert len(warnings) == len(fetched) == 5  # four services and the demo calendar
    for name, line in zip(sorted(fetched), sorted(warnings), strict=True):
        assert line.startswith(f"warning: {name}: offline since ")
        assert "showing the meetings fetched then" in line
    assert "Traceback" not in offline.stderr
    assert took < 30  # refused at once; only the short retries of the GETs

    text = run(home, "meetings")
    assert text.returncode == 0
    assert "Meeting spaces" in text.stdout  # the cached agenda, as text

    sandbox.accept_connections()
    back = run(home, "meetings", "--json")
    assert back.returncode == 0
    assert {a["state"] for a in json.loads(back.stdout)["accounts"]} == {"up to date"}
    assert "warning:" not in back.stderr


def test_unreachable_with_nothing_cached_exits_1(demo: tuple[Path, RunningSandbox]) -> None:
    home, sandbox = demo
    sandbox.refuse_connections()
    result = run(home, "meetings", "--json")
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert doc["meetings"] == []
    assert all(a["state"] == "offline" and not a["cached"] and a["since"] is None
               for a in doc["accounts"])
    assert all("no saved meetings to show" in line
               for line in result.stderr.splitlines() if line.startswith("warning:"))
