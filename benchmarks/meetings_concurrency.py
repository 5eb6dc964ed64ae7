"""Time and requests of `meetings --json`, 4 accounts x 1,000 meetings, concurrent vs sequential.

Runs a sandbox process, adds 1,000 meetings to each provider's demo user, sets up a
profile with one account per provider, then runs the CLI as a subprocess, alternating
concurrent and one-account-after-another runs so machine noise hits both alike. It
repeats the comparison with 100 ms of added latency per request (closer to a real
network than loopback). Prints medians, the ratio and the requests per run.

    python benchmarks/meetings_concurrency.py [--runs 5] [--per-provider 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PROVIDERS = ("bluejeans", "joinme", "whereby", "skype")


def control(base: str, method: str, path: str, body: object | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:  # loopback only
        raw = resp.read()
    return json.loads(raw) if raw else None


def start_sandbox(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "launcher", "sandbox", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("Sandbox:"):
            return proc, line.split(":", 1)[1].strip()
    raise SystemExit("sandbox did not start")


def cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "launcher", *args], input=stdin,
                          capture_output=True, text=True, env=env, timeout=600)


def add_accounts(env: dict[str, str], base: str) -> None:
    adds = [
        (["accounts", "add", "joinme", "--name", "JM", "--base-url", f"{base}/joinme/v1",
          "--token", "-"], "demo-joinme-token"),
        (["accounts", "add", "whereby", "--name", "WB", "--base-url", f"{base}/whereby/v1",
          "--api-key", "-"], "demo-whereby-key"),
        (["accounts", "add", "bluejeans", "--name", "BJ", "--base-url", f"{base}/bluejeans/rest",
          "--relay-url", f"{base}/bluejeans/relay/api", "--username", "demo@bluejeans.test",
          "--password-stdin"], "demo-bluejeans-password"),
        (["accounts", "add", "skype", "--name", "SfB", "--discovery-url",
          f"{base}/skype/autodiscover/root", "--username", "demo@contoso.test",
          "--password-stdin"], "demo-skype-password"),
    ]
    for args, secret in adds:
        result = cli(env, *args, stdin=secret + "\n")
        if result.returncode != 0:
            raise SystemExit(result.stderr)


def one_run(env: dict[str, str], base: str, sequential: bool) -> tuple[float, int, int]:
    now = dt.datetime.now(dt.UTC)
    args = ["meetings", "--json", "--from", (now - dt.timedelta(days=1)).isoformat(),
            "--to", (now + dt.timedelta(days=60)).isoformat()]
    if sequential:
        args.append("--sequential")
    control(base, "POST", "/_sandbox/stats/reset")
    started = time.perf_counter()
    result = cli(env, *args)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    stats = control(base, "GET", "/_sandbox/stats")
    assert isinstance(stats, dict)
    return elapsed, sum(stats["requests"].values()), len(json.loads(result.stdout)["meetings"])


def compare(env: dict[str, str], base: str, runs: int, label: str) -> None:
    times: dict[bool, list[float]] = {False: [], True: []}
    requests: dict[bool, int] = {}
    counts: dict[bool, int] = {}
    one_run(env, base, False)  # warm up caches (Python bytecode, sandbox)
    for _ in range(runs):
        for sequential in (False, True):
            elapsed, nreq, nmeet = one_run(env, base, sequential)
            times[sequential].append(elapsed)
            requests[sequential] = nreq
            counts[sequential] = nmeet
    conc, seq = statistics.median(times[False]), statistics.median(times[True])
    print(f"\n{label}")
    print("| mode | median wall time (s) | runs | requests per run | meetings listed |")
    print("|---|---|---|---|---|")
    print(f"| concurrent | {conc:.3f} | {runs} | {requests[False]} | {counts[False]} |")
    print(f"| sequential | {seq:.3f} | {runs} | {requests[True]} | {counts[True]} |")
    print(f"sequential / concurrent = {seq / conc:.2f}x "
          f"(all times: concurrent {[round(t, 3) for t in times[False]]}, "
          f"sequential {[round(t, 3) for t in times[True]]})")


def in_process(env: dict[str, str], runs: int, label: str) -> None:
    """The same fetch without process start-up: the services layer alone, in process."""
    import asyncio

    from launcher.services.context import Context, new_http_client
    from launcher.services.sync import fetch_meetings
    from launcher.store.accounts import AccountStore
    from launcher.store.db import open_database
    from launcher.store.paths import resolve_paths
    from launcher.store.secrets import SecretStore

    paths = resolve_paths(env)
    now = dt.datetime.now(dt.UTC)
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=60)

    async def once(sequential: bool) -> tuple[float, int]:
        db = open_database(paths)
        ctx = Context(paths, AccountStore(db),
                      SecretStore(paths.secrets_file, backend="file"), new_http_client())
        try:
            accounts = ctx.accounts.load()
            began = time.perf_counter()
            result = await fetch_meetings(ctx, accounts, start, end, concurrent=not sequential)
            return time.perf_counter() - began, len(result.meetings)
        finally:
            await ctx.aclose()
            db.close()

    times: dict[bool, list[float]] = {False: [], True: []}
    asyncio.run(once(False))
    for _ in range(runs):
        for sequential in (False, True):
            elapsed, _count = asyncio.run(once(sequential))
            times[sequential].append(elapsed)
    conc, seq = statistics.median(times[False]), statistics.median(times[True])
    print(f"{label}, in process (services layer only): concurrent {conc * 1000:.0f} ms, "
          f"sequential {seq * 1000:.0f} ms, ratio {seq / conc:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--per-provider", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.1)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env["MEETING_LAUNCHER_HOME"] = str(Path(tmp) / "home")
        env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
        proc, base = start_sandbox(env)
        try:
            for provider in PROVIDERS:
                control(base, "POST", "/_sandbox/bulk",
                        {"provider": provider, "count": opts.per_provider})
            add_accounts(env, base)
            print(f"{len(PROVIDERS)} accounts x {opts.per_provider} bulk meetings "
                  f"(plus the demo ones), CLI as a subprocess, {sys.platform}, "
                  f"{os.cpu_count()} CPUs")
            compare(env, base, opts.runs, "Loopback, no added latency")
            in_process(env, opts.runs, "Loopback, no added latency")
            for provider in PROVIDERS:
                control(base, "PUT", f"/_sandbox/faults/{provider}",
                        {"kind": "latency", "delay": opts.latency})
            label = f"With {opts.latency * 1000:.0f} ms added to every request"
            compare(env, base, opts.runs, label)
            in_process(env, opts.runs, label)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
