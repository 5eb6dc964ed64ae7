"""CLI: ICS accounts, saved links (add-meeting, saved list/remove), merged entries."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from launcher.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "ics"
WINDOW = ("--from", "2025-01-01T00:00:00Z", "--to", "2025-03-01T00:00:00Z")


def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(args), stdout=out, stderr=err)
    finally:
        sys.stdin = old
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _home(home: Path) -> Path:
    return home


def add_calendar(name: str = "Cal") -> None:
    code, out, err = run("accounts", "add", "ics", "--name", name,
                         "--file", str(DATA / "recurrence.ics"), "--username", "me@example.test")
    assert code == 0, err
    assert "Added Calendar (ICS) account" in out


def test_an_ics_file_account_lists_its_events_with_calendar_fields() -> None:
    add_calendar()
    code, out, _ = run("accounts", "list", "--json")
    [row] = json.loads(out)
    assert row["provider"] == "ics" and row["base_url"].startswith("file:///")
    code, out, err = run("meetings", *WINDOW, "--json")
    assert code == 0, err
    meetings = json.loads(out)["meetings"]
    assert [m["title"] for m in meetings][:2] == ["Weekly stand-up", "Weekly stand-up (moved)"]
    first = meetings[0]
    assert first["calendar"] == "Team" and first["attendance"] == "accepted"
    assert first["uid"] == "weekly-standup@example.test"
    assert [m["status"] for m in meetings].count("cancelled") == 1
    # The text form says which occurrence is cancelled.
    code, text, _ = run("meetings", *WINDOW)
    assert "Cancelled: Weekly stand-up" in text


@pytest.mark.parametrize(
    ("args", "option"),
    [(("--file", "/nonexistent/x.ics"), "--file"),
     (("--url", "ftp://cal.example/x.ics"), "--url"),
     ((), "--url"),
     (("--url", "https://cal.example/a.ics", "--file", str(DATA / "dst.ics")), "--file"),
     (("--base-url", "https://cal.example/a.ics"), "--base-url"),
     (("--file", str(DATA / "dst.ics"), "--username", "not-an-address"), "--username"),
     (("--file", str(DATA / "dst.ics"), "--api-key", "k"), "--api-key")],
)
def test_bad_ics_options_are_named_and_nothing_is_saved(
    args: tuple[str, ...], option: str
) -> None:
    code, _, err = run("accounts", "add", "ics", "--name", "Cal", *args)
    assert code == 2, err
    assert f"error: {option}:" in err
    assert json.loads(run("accounts", "list", "--json")[1]) == []


def test_a_file_that_is_not_a_calendar_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.ics"
    page.write_text("<html><body>Sign in</body></html>")
    code, _, err = run("accounts", "add", "ics", "--name", "Cal", "--file", str(page))
    assert code == 2
    assert "--file:" in err and "is not a calendar" in err and ".ics file" in err
    assert json.loads(run("accounts", "list", "--json")[1]) == []


def test_url_and_file_are_for_calendars_only() -> None:
    code, _, err = run("accounts", "add", "whereby", "--name", "W", "--url", "https://x.test")
    assert code == 2 and "--url:" in err


def test_add_meeting_then_list_and_remove() -> None:
    code, out, err = run("add-meeting", "https://example.zoom.us/j/42", "--title", "Coffee",
                         "--start", "2025-02-01T10:00:00+01:00", "--json")
    assert code == 0, err
    saved = json.loads(out)
    assert saved["title"] == "Coffee" and saved["end"] is None
    code, out, _ = run("saved", "list", "--json")
    assert [r["id"] for r in json.loads(out)] == [saved["id"]]
    code, out, _ = run("meetings", *WINDOW, "--json")
    [meeting] = json.loads(out)["meetings"]
    assert meeting["provider"] == "local" and meeting["account"] == "Saved links"
    assert meeting["start"] == "2025-02-01T09:00:00+00:00"
    assert meeting["end"] == "2025-02-01T09:30:00+00:00"
    assert meeting["join_url"] == "https://example.zoom.us/j/42"
    code, out, _ = run("saved", "remove", str(saved["id"]))
    assert code == 0 and "Removed" in out
    assert json.loads(run("saved", "list", "--json")[1]) == []
    code, _, err = run("saved", "remove", str(saved["id"]))
    assert code == 1 and "No saved meeting link" in err


@pytest.mark.parametrize(
    ("args", "option"),
    [(("ftp://files.example/x", "--title", "T", "--start", "2025-02-01T10:00"), "URL"),
     (("zoommtg://zoom.us/join?confno=1", "--title", "T", "--start", "2025-02-01T10:00"), "URL"),
     (("https://x.test/j", "--title", " ", "--start", "2025-02-01T10:00"), "--title"),
     (("https://x.test/j", "--title", "T", "--start", "tomorrowish"), "--start"),
     (("https://x.test/j", "--title", "T", "--start", "2025-02-01T10:00",
       "--end", "2025-02-01T09:00"), "--end")],
)
def test_add_meeting_validation_names_the_option(args: tuple[str, ...], option: str) -> None:
    code, _, err = run("add-meeting", *args)
    assert code == 2, err
    assert f"error: {option}:" in err
    assert json.loads(run("saved", "list", "--json")[1]) == []


def test_a_saved_link_matching_a_calendar_event_is_merged() -> None:
    add_calendar()
    code, _, err = run("add-meeting", "https://example.zoom.us/j/1234567890", "--title", "Mine",
                       "--start", "2025-02-03T09:00:00Z", "--end", "2025-02-03T09:30:00Z")
    assert code == 0, err
    code, out, _ = run("meetings", *WINDOW, "--json")
    meetings = json.loads(out)["meetings"]
    on_day = [m for m in meetings if m["start"].startswith("2025-02-03")]
    assert len(on_day) == 1
    assert on_day[0]["sources"] == ["Cal", "Saved links"]
    assert on_day[0]["title"] == "Weekly stand-up"  # the calendar's copy is richer
