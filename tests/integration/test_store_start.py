"""The database seen from the command line and the window's start: notices, imports."""

from __future__ import annotations

import io
import json
from pathlib import Path

from launcher import cli
from launcher.store.paths import resolve_paths


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_says_on_stderr_that_a_damaged_database_was_moved_aside(home: Path) -> None:
    paths = resolve_paths().ensure()
    paths.database.write_bytes(b"not a database " * 500)
    code, out, err = run("accounts", "list", "--json")
    assert code == 0
    assert json.loads(out) == []  # stdout stays clean for scripts
    assert "was damaged" in err and ".corrupt-" in err and "accounts add" in err
    assert len([p for p in paths.data.iterdir() if ".corrupt-" in p.name]) == 1
    code, _, err = run("accounts", "list")
    assert code == 0 and err == ""  # said once


def test_cli_takes_over_the_accounts_of_an_earlier_version(home: Path) -> None:
    paths = resolve_paths().ensure()
    paths.accounts_file.write_text(json.dumps({"version": 1, "accounts": [
        {"name": "Rooms", "provider": "whereby", "base_url": "https://api.whereby.dev/v1"}
    ]}))
    code, out, err = run("accounts", "list", "--json")
    assert code == 0 and err == ""
    assert [row["name"] for row in json.loads(out)] == ["Rooms"]
    assert not paths.accounts_file.exists()
    assert paths.config.joinpath("accounts.json.imported").exists()


def test_the_demo_profile_gets_its_accounts_without_an_open_database(tmp_path: Path) -> None:
    from launcher.services.demo import start_demo
    from launcher.store.accounts import AccountStore
    from launcher.store.db import open_database
    from launcher.store.paths import Paths

    paths = Paths.under(tmp_path).ensure()
    running = start_demo(paths)
    try:
        with open_database(paths) as db:
            assert len(AccountStore(db).load()) == 5
    finally:
        running.stop()
