"""A provider that echoes a secret back in an error never gets it printed or logged."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

import launcher.cli as cli_module
from launcher.cli import main

TOKEN = "tok-echoed-SECRET-4821"
API = "https://api.example.test"


def _echo(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/joinme/user"):  # the token check when it is added
        return httpx.Response(200, json={"email": "j@example.test"})
    # A 400 whose message repeats the token the client sent (some APIs do that).
    sent = request.headers.get("authorization", "").removeprefix("Bearer ")
    return httpx.Response(400, json={"Message": f"token {sent} may not schedule this"})


def test_an_echoed_token_is_masked_in_errors_notes_and_the_log(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli_module, "new_http_client",
                        lambda: httpx.AsyncClient(transport=httpx.MockTransport(_echo)))
    out, err = io.StringIO(), io.StringIO()
    assert main(["accounts", "add", "joinme", "--name", "J", "--token", TOKEN,
                 "--base-url", f"{API}/joinme"], stdout=out, stderr=err) == 0
    for argv in (["--debug", "schedule", "--account", "J", "--title", "T",
                  "--start", "2030-01-01T10:00Z", "--end", "2030-01-01T11:00Z"],
                 ["--debug", "meetings", "--account", "J"]):
        out, err = io.StringIO(), io.StringIO()
        code = main(argv, stdout=out, stderr=err)
        assert code == 1
        assert "may not schedule this" in err.getvalue()  # the provider's words are kept
        assert TOKEN not in out.getvalue() + err.getvalue()
        assert "token *** may not" in err.getvalue()
    log = (home / "logs" / "meeting-launcher.log").read_text()
    assert TOKEN not in log
