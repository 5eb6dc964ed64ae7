"""Cold start to the first painted window, against a bare PySide6 window, alternating runs.

    python benchmarks/startup.py [--runs 10]

Each run is a new process (offscreen Qt). The time is measured from spawning the process
to the line it prints right after its first paint, so interpreter start-up and imports
count for both; the app prints a second line once the month calendar and the details,
built right after the first paint, are painted too ("window complete"). Three apps: a
bare QMainWindow; `meeting-launcher --demo`; and a profile with 4 accounts and 4,000
cached meetings (painting from the cache). Prints the medians and the median of the
per-pair ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
w = QMainWindow(); w.resize(1280, 800); w.setWindowTitle("bare"); w.show()
app.processEvents()
print("first-paint", flush=True)
"""


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float | None, str]:
    """Spawn *argv*; the time to its first-paint line and to its complete line (if any)."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env)
    assert proc.stdout is not None
    painted: float | None = None
    complete: float | None = None
    probe = ""
    for line in proc.stdout:
        if line.startswith("first-paint"):
            painted = time.perf_counter() - started
            probe = line.strip()
        elif line.startswith("complete"):
            complete = time.perf_counter() - started
    proc.wait(timeout=30)
    assert painted is not None, f"{argv} printed no first-paint line"
    return painted, complete, probe


def cached_profile(root: Path) -> None:
    """4 accounts and 1,000 cached meetings each, written with the app's own stores."""
    from launcher.core.models import API_PROVIDERS, Account, Meeting
    from launcher.store.accounts import AccountStore
    from launcher.store.cache import CachedAccount, MeetingCache
    from launcher.store.db import open_database
    from launcher.store.paths import resolve_paths

    paths = resolve_paths({"MEETING_LAUNCHER_HOME": str(root)}).ensure()
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    accounts, cache = [], {}
    for provider in API_PROVIDERS:
        name = f"Bench {provider.label}"
        accounts.append(Account(name, provider, "https://example.invalid/api"))
        meetings = tuple(
            Meeting(str(i), name, provider, f"{provider.label} meeting {i}",
                    now + dt.timedelta(hours=i % 700),
                    now + dt.timedelta(hours=i % 700, minutes=45),
                    join_url=f"https://example.invalid/{provider.value}/{i}")
            for i in range(1000)
        )
        cache[name] = CachedAccount(meetings, now)
    with open_database(paths) as db:
        AccountStore(db).save(accounts)
        MeetingCache(db).save(cache)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bare = root / "bare.py"
        bare.write_text(BARE)
        # A real install has bytecode caches; this machine sets PYTHONDONTWRITEBYTECODE,
        # which would make every run recompile the app (and not the bare script's Qt).
        base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env = dict(base_env, QT_QPA_PLATFORM="offscreen", QT_API="pyside6",
                   MEETING_LAUNCHER_STARTUP_PROBE="1", XDG_RUNTIME_DIR=str(root),
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        cached_home = root / "cached"
        cached_profile(cached_home)
        demo_env = dict(env, MEETING_LAUNCHER_HOME=str(root / "unused"))
        cached_env = dict(env, MEETING_LAUNCHER_HOME=str(cached_home))
        cases = {
            "bare PySide6 window": ([sys.executable, str(bare)], env),
            "meeting-launcher --demo": ([sys.executable, "-m", "launcher", "--demo"], demo_env),
            "meeting-launcher, 4,000 cached meetings": ([sys.executable, "-m", "launcher"],
                                                        cached_env),
        }
        times: dict[str, list[float]] = {k: [] for k in cases}
        complete: dict[str, list[float]] = {k: [] for k in cases}
        notes: dict[str, str] = {}
        for argv, e in cases.values():  # warm the OS file cache once
            timed(argv, e)
        for _ in range(runs):
            for name, (argv, e) in cases.items():
                painted, done, line = timed(argv, e)
                times[name].append(painted)
                complete[name].append(done if done is not None else painted)
                notes[name] = line
        base = times["bare PySide6 window"]

        def ratio(values: list[float]) -> float:
            return statistics.median(v / b for v, b in zip(values, base, strict=True))

        print(f"Cold start to first paint, {runs} alternating runs each, offscreen, "
              f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
        print("| app | first paint: median (s) | min (s) | median ratio to bare | "
              "window complete: median (s) | ratio | probe line |")
        print("|---|---|---|---|---|---|---|")
        for name, values in times.items():
            print(f"| {name} | {statistics.median(values):.3f} | {min(values):.3f} | "
                  f"{ratio(values):.2f}x | {statistics.median(complete[name]):.3f} | "
                  f"{ratio(complete[name]):.2f}x | {notes[name]} |")
        print("First paint: the agenda from the cache, before the network stack. Window "
              "complete: the month calendar and the details built and painted after it.")


if __name__ == "__main__":
    main()
