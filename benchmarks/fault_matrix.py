"""The fault matrix: each provider x each network fault, through the real sync and cache.

For every cell: one demo account of that provider in a fresh profile, the real
``SyncService`` and ``MeetingCache``, the app's HTTP client (with short timeouts and
quick retries so the run stays short) and a sandbox over real loopback HTTP. The cell
syncs once (up to date), turns the fault on and syncs again (what the window shows,
whether the account's cached meetings are still listed, in memory and in the cache a
restart would load), then clears the fault and syncs a third time (recovered = up to
date with the same meetings). Prints a Markdown table.

    PYTHONPATH=. python benchmarks/fault_matrix.py [--timeout 0.5] [--provider P] [--fault F]

``tests/integration/test_fault_matrix.py`` asserts the same matrix, cell by cell.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from launcher.core.models import Account, Provider
from launcher.providers.http import RetryPolicy, Timeouts
from launcher.sandbox.demo import demo_accounts
from launcher.sandbox.server import RunningSandbox, start_in_thread
from launcher.sandbox.state import Fault, SandboxState
from launcher.services.context import Context, new_http_client
from launcher.services.sync import SyncService, SyncState
from launcher.store.accounts import AccountStore
from launcher.store.cache import MeetingCache
from launcher.store.db import Database, open_database
from launcher.store.paths import Paths
from launcher.store.secrets import SecretStore

PROVIDERS = ("bluejeans", "joinme", "whereby", "skype")
FAULTS = ("timeout", "refused", "5xx", "429", "malformed body", "401", "dropped mid-body")


@dataclasses.dataclass(frozen=True)
class Cell:
    """What one provider did under one fault."""

    provider: str
    fault: str
    state: str  # the account's state during the fault: "offline", "sign-in needed", ...
    shown: str  # what the sidebar says ("offline since 14:05")
    message: str  # the error text the window's banner shows
    data_kept: bool  # the previously fetched meetings still listed (window and cache)
    recovered: bool  # the sync after clearing the fault is up to date, same meetings
    seconds: float  # how long the failing sync took


def _fault_of(name: str, read_timeout: float) -> Fault | None:
    return {
        "timeout": Fault("latency", delay=max(5.0, read_timeout * 10)),
        "refused": None,  # the listener is closed instead
        "5xx": Fault("status", status=503),
        "429": Fault("rate_limit", retry_after=30),
        "malformed body": Fault("malformed"),
        "401": Fault("unauthorized"),
        "dropped mid-body": Fault("drop"),
    }[name]


def _profile(
    root: Path, gate: RunningSandbox, provider: str
) -> tuple[Paths, Account, Database]:
    """A fresh profile with the demo account of *provider*, pointing at *gate*."""
    paths = Paths.under(root).ensure()
    demo = next(d for d in demo_accounts(gate.base_url) if d.provider == provider)
    account = Account(
        name=demo.name, provider=Provider(demo.provider), base_url=demo.base_url,
        relay_url=demo.relay_url, web_url=demo.web_url, username=demo.username,
    )
    secrets = SecretStore(paths.secrets_file, backend="file")
    for kind, value in demo.secrets.items():
        secrets.set(demo.name, kind, value)
    db = open_database(paths)
    AccountStore(db).save([account])
    return paths, account, db


def _keys(sync: SyncService) -> list[tuple[str, str, str]]:
    return sorted((m.account, m.id, m.title) for m in sync.meetings)


def _short(text: str, provider: str, limit: int = 90) -> str:
    label = Provider(provider).label + ": "
    text = text.removeprefix(label)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


async def run_cell(
    state: SandboxState,
    provider: str,
    fault: str,
    root: Path,
    *,
    read_timeout: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
) -> Cell:
    """Run one cell of the matrix (see the module docstring) and return what happened."""
    state.clear_faults()
    # Each cell has its own server over the shared state, so "refused" can close it.
    gate = await asyncio.to_thread(start_in_thread, state)
    try:
        paths, account, db = _profile(root, gate, provider)
        bound = max(read_timeout, 0.2)
        http = new_http_client(
            timeouts=Timeouts(connect=bound, read=read_timeout, write=bound, pool=bound),
            retry=RetryPolicy(base_delay=0.05, max_delay=0.2, budget=3.0, jitter=lambda: 0.5),
        )
        ctx = Context(paths, AccountStore(db),
                      SecretStore(paths.secrets_file, backend="file"), http)
        try:
            cache = MeetingCache(db)
            sync = SyncService(ctx, cache)
            sync.load_cache([account])
            await sync.refresh([account])
            first = sync.statuses[account.name]
            if first.state is not SyncState.UP_TO_DATE:
                raise RuntimeError(f"{provider}: the first sync failed: {first.message}")
            before = _keys(sync)

            injected = _fault_of(fault, read_timeout)
            if injected is None:
                await asyncio.to_thread(gate.refuse_connections)
            else:
                state.set_fault(provider, injected)
            began = clock()
            await sync.refresh([account])
            seconds = clock() - began
            during = sync.statuses[account.name]
            kept_in_window = _keys(sync) == before
            restarted = SyncService(ctx, MeetingCache(db))
            restarted.load_cache([account])
            kept_in_cache = _keys(restarted) == before

            if injected is None:
                await asyncio.to_thread(gate.accept_connections)
            else:
                state.clear_faults(provider)
            await sync.refresh([account])
            after = sync.statuses[account.name]
            recovered = after.state is SyncState.UP_TO_DATE and _keys(sync) == before
        finally:
            await ctx.aclose()
            db.close()
    finally:
        state.clear_faults()
        await asyncio.to_thread(gate.stop)
    return Cell(
        provider=provider,
        fault=fault,
        state=during.state.value,
        shown=during.describe(),
        message=during.message,
        data_kept=kept_in_window and kept_in_cache,
        recovered=recovered,
        seconds=seconds,
    )


async def run_matrix(
    providers: tuple[str, ...] = PROVIDERS,
    faults: tuple[str, ...] = FAULTS,
    *,
    read_timeout: float = 0.5,
) -> list[Cell]:
    """Run every requested cell, one after another, on one shared sandbox state."""
    state = SandboxState()
    state.bluejeans.relay_rate_limit = False
    cells = []
    with tempfile.TemporaryDirectory(prefix="fault-matrix-") as tmp:
        for provider in providers:
            for fault in faults:
                root = Path(tmp) / f"{provider}-{fault.replace(' ', '-')}"
                cells.append(await run_cell(state, provider, fault, root,
                                            read_timeout=read_timeout))
    return cells


def table(cells: list[Cell]) -> str:
    """Render *cells* as a Markdown table."""
    yes = {True: "yes", False: "**NO**"}
    lines = [
        "| provider | fault | state shown | message shown | data kept | recovered | failing sync |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in cells:
        lines.append(
            f"| {Provider(c.provider).label} | {c.fault} | {c.shown} | "
            f"{_short(c.message, c.provider)} | {yes[c.data_kept]} | {yes[c.recovered]} | "
            f"{c.seconds:.2f} s |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--timeout", type=float, default=0.5, help="read timeout, seconds")
    parser.add_argument("--provider", choices=PROVIDERS, action="append")
    parser.add_argument("--fault", choices=FAULTS, action="append")
    args = parser.parse_args(argv)
    providers = tuple(args.provider or PROVIDERS)
    faults = tuple(args.fault or FAULTS)
    began = time.perf_counter()
    cells = asyncio.run(run_matrix(providers, faults, read_timeout=args.timeout))
    print(table(cells))
    print(f"\n{len(cells)} cells in {time.perf_counter() - began:.1f} s "
          f"(read timeout {args.timeout:g} s, 3 attempts for idempotent requests)")
    return 0 if all(c.data_kept and c.recovered for c in cells) else 1


if __name__ == "__main__":
    sys.exit(main())
