"""SIGKILL a process writing sync results, many times; check the database after each kill.

    PYTHONPATH=$PWD python benchmarks/kill_test.py [--runs 200] [--seed N] [--max-delay 0.25]

The child (tests/integration/kill_child.py) opens the profile's database as the app does
and writes 4 accounts x 1,000 meetings per sync through the real store code, alternating
two distinct data sets, until it is killed at a random moment. After every kill the
database is opened as the next start would open it: nothing moved aside, integrity_check
ok, accounts intact, each account's meetings exactly one complete set. Prints a summary.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.kill_child import PER_ACCOUNT, kill_once, seed, verify


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--max-delay", type=float, default=0.25,
                        help="kill within this many seconds after the child is ready")
    opts = parser.parse_args()
    seed_value = opts.seed if opts.seed is not None else random.randrange(2**32)
    rng = random.Random(seed_value)
    failures: list[tuple[int, list[str]]] = []
    mid_write = 0
    sets: Counter[str] = Counter()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        seed(home)
        problems, _ = verify(home)
        if problems:
            print(f"the seeded database is already wrong: {problems}")
            return 1
        for run in range(1, opts.runs + 1):
            result = kill_once(home, rng, max_delay=opts.max_delay)
            mid_write += result.mid_write
            sets.update("AB"[s] for s in result.sets)
            if result.problems:
                failures.append((run, result.problems))
                print(f"run {run}: {result.problems}", flush=True)
        size = sum(p.stat().st_size for p in (home / "data").iterdir())
    elapsed = time.perf_counter() - began
    print(f"kill test: {opts.runs} runs, SIGKILL at a random moment (85%: within "
          f"{opts.max_delay:.2f} s after the child opened the database and began writing; "
          f"15%: while it starts and opens it), seed {seed_value}; "
          f"4 accounts x {PER_ACCOUNT:,} meetings per sync write")
    print(f"runs {opts.runs}, intact {opts.runs - len(failures)}, failures {len(failures)}")
    print(f"kills that landed inside a write transaction: {mid_write}; account sets found "
          f"after the kills: A {sets['A']}, B {sets['B']}; database files {size / 1e6:.1f} MB; "
          f"{elapsed:.1f} s")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
