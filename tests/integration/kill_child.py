"""The kill test's pieces: a child that writes sync results until SIGKILLed, and the check.

    python -m tests.integration.kill_child HOME      (the child; the parent kills it)

The child opens the profile's database as the app does and then, in a loop, writes what a
sync of 4 accounts x 1,000 meetings writes, through the same store code (rows encoded by
``encode_meetings``, one transaction on the database's writer thread), alternating two
distinct data sets. Before each write it prints ``begin N``, after the commit ``commit N``,
so the parent can tell how many kills landed inside a write.

After each kill, :func:`verify` opens the database as the next start would and checks:
nothing moved aside, ``PRAGMA integrity_check`` ok, the accounts as written, and every
account's cached meetings exactly one of the two complete sets (never a mix, never empty),
with the fetch time written in the same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from launcher.core.models import API_PROVIDERS, Account, AudioConference, Meeting, Provider, Role
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache, MeetingRow, encode_meetings
from launcher.store.db import open_database
from launcher.store.paths import Paths

REPO = Path(__file__).resolve().parents[2]
PER_ACCOUNT = 1000
EPOCH = dt.datetime(2026, 11, 21, 8, tzinfo=dt.UTC)
ACCOUNTS = [
    Account(f"Kill {provider.label}", provider, f"https://{provider.value}.example/api",
            username="user@example.com" if provider is Provider.SKYPE else None)
    for provider in API_PROVIDERS
]


def dataset(account: Account, which: int) -> tuple[Meeting, ...]:
    """One of two distinct complete meeting lists of *account* (*which* is 0 or 1)."""
    tag = "AB"[which]
    return tuple(
        Meeting(
            f"{tag}{i}", account.name, account.provider, f"{tag} meeting {i}",
            EPOCH + dt.timedelta(hours=i % 500, minutes=which),
            EPOCH + dt.timedelta(hours=i % 500, minutes=45),
            join_url=f"https://{account.provider.value}.example/{tag}/{i}",
            participants=(f"p{i}@example.com",) if i % 3 else (),
            role=Role.VIEWER if i % 2 else Role.PRESENTER,
            conference=AudioConference(str(i), None) if i % 5 == 0 else None,
            description=f"set {tag} #{i}",
        )
        for i in range(PER_ACCOUNT)
    )


def fetched_at(iteration: int, which: int) -> dt.datetime:
    """A fetch time whose minute's parity tells which set it was written with."""
    return EPOCH + dt.timedelta(minutes=2 * iteration + which)


def paths_of(home: Path) -> Paths:
    return Paths.under(home).ensure()


def seed(home: Path) -> None:
    """The accounts and a first complete sync (set A), before any kill."""
    with open_database(paths_of(home)) as db:
        AccountStore(db).save(ACCOUNTS)
        parts = {a.name: (fetched_at(0, 0), encode_meetings(dataset(a, 0))) for a in ACCOUNTS}
        MeetingCache(db).submit(parts).result()


def child(home: Path) -> None:
    """Write sync results forever (until killed)."""
    db = open_database(paths_of(home))
    cache = MeetingCache(db)
    rows: dict[int, dict[str, list[MeetingRow]]] = {
        which: {a.name: encode_meetings(dataset(a, which)) for a in ACCOUNTS}
        for which in (0, 1)
    }
    out = sys.stdout
    out.write("ready\n")
    out.flush()
    iteration = 1
    while True:
        which = iteration % 2
        parts = {name: (fetched_at(iteration, which), r) for name, r in rows[which].items()}
        out.write(f"begin {iteration}\n")
        out.flush()
        cache.submit(parts).result()
        out.write(f"commit {iteration}\n")
        out.flush()
        iteration += 1


@dataclasses.dataclass
class KillResult:
    """What one kill left behind."""

    problems: list[str]
    mid_write: bool
    sets: tuple[int, ...]


def verify(home: Path) -> tuple[list[str], tuple[int, ...]]:
    """Open the database as the app does; return the problems found and each account's set."""
    problems: list[str] = []
    sets: list[int] = []
    db = open_database(paths_of(home))
    try:
        if db.notices:
            problems.append(f"database not usable as it was: {db.notices}")
        check = db.connection().execute("PRAGMA integrity_check").fetchall()
        if check != [("ok",)]:
            problems.append(f"integrity_check: {check[:3]}")
        accounts = AccountStore(db).load()
        if accounts != ACCOUNTS:
            problems.append(f"accounts changed: {[a.name for a in accounts]}")
        cached = MeetingCache(db).load()
        for account in ACCOUNTS:
            entry = cached.get(account.name)
            if entry is None:
                problems.append(f"{account.name}: no cached meetings")
                continue
            got = sorted(entry.meetings, key=lambda m: (m.id[0], int(m.id[1:])))
            which = next((w for w in (0, 1) if tuple(got) == dataset(account, w)), None)
            if which is None:
                tags = sorted({m.id[0] for m in got})
                problems.append(f"{account.name}: {len(got)} meetings, not one complete set "
                                f"(sets seen: {tags})")
                continue
            minute = int((entry.fetched_at - EPOCH).total_seconds() // 60)
            if minute % 2 != which:
                problems.append(f"{account.name}: fetch time of the other set")
            sets.append(which)
    finally:
        db.close()
    return problems, tuple(sets)


def kill_once(
    home: Path, rng: random.Random, *, max_delay: float = 0.25, early: float = 0.15
) -> KillResult:
    """Start a child, SIGKILL it at a random moment, check the database.

    Mostly while it writes (within *max_delay* after it opened the database); in a
    fraction *early* of the runs before that, while it starts and opens the database
    (which replays the WAL the previous kill left).
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.kill_child", str(home)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=env,
    )
    assert proc.stdout is not None
    try:
        if rng.random() < early:
            time.sleep(rng.uniform(0, 0.2))  # the random moment: start-up or opening
            proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            problems, sets = verify(home)
            return KillResult(problems, False, sets)
        first = proc.stdout.readline()
        if first.strip() != "ready":
            proc.kill()
            _, err = proc.communicate(timeout=30)
            raise RuntimeError(f"the child did not start: {first!r} {err[-2000:]}")
        time.sleep(rng.uniform(0, max_delay))  # the random moment of the kill
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    said = rest.strip().splitlines()
    mid_write = bool(said) and said[-1].startswith("begin")
    problems, sets = verify(home)
    return KillResult(problems, mid_write, sets)


if __name__ == "__main__":
    child(Path(sys.argv[1]))
