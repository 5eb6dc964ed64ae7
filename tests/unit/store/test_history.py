from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.core.errors import ConfigError, InvalidInput
from launcher.core.models import Account, Provider
from launcher.store import history as history_module
from launcher.store.accounts import AccountStore
from launcher.store.db import Database
from launcher.store.history import JoinHistory, LocalMeetings, public_link

NOW = dt.datetime(2026, 11, 21, 9, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    with Database.open(tmp_path / "test.sqlite3") as database:
        yield database


def test_local_meetings_add_list_remove(db: Database) -> None:
    saved = LocalMeetings(db, clock=lambda: NOW)
    later = saved.add("  Design review ", "https://meet.example.com/design",
                      NOW + dt.timedelta(days=1), NOW + dt.timedelta(days=1, hours=1))
    sooner = saved.add("Call", "zoommtg://zoom.us/join?confno=123", NOW + dt.timedelta(hours=2))
    assert later.title == "Design review" and later.created == NOW
    assert saved.list() == (sooner, later)
    assert saved.list(window=(NOW, NOW + dt.timedelta(hours=3))) == (sooner,)
    assert LocalMeetings(db).list() == (sooner, later)  # read back from the database
    assert saved.remove(sooner.id) == sooner
    assert saved.list() == (later,)
    with pytest.raises(ConfigError, match=str(sooner.id)):
        saved.remove(sooner.id)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("", "https://x.example", NOW), "title"),
        (("x" * 201, "https://x.example", NOW), "title"),
        (("T", "", NOW), "url"),
        (("T", "javascript:alert(1)", NOW), "url"),
        (("T", "https://user:pw@x.example", NOW), "url"),
        (("T", "https://x.example", dt.datetime(2026, 1, 1)), "start"),
        (("T", "https://x.example", NOW, NOW), "end"),
    ],
)
def test_local_meetings_refuse_bad_input(
    db: Database, args: tuple[object, ...], field: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        LocalMeetings(db).add(*args)  # type: ignore[arg-type]
    assert info.value.field == field
    assert LocalMeetings(db).list() == ()


@pytest.mark.parametrize(
    ("url", "provider", "kept"),
    [
        ("https://bluejeans.com/9036439807/1629", None, "https://bluejeans.com/9036439807"),
        ("https://acme.bluejeans.com/9036439807.1629/webrtc", None,
         "https://acme.bluejeans.com/9036439807/webrtc"),
        ("http://127.0.0.1:8765/bluejeans/web/123456789/42", Provider.BLUEJEANS,
         "http://127.0.0.1:8765/bluejeans/web/123456789"),
        ("https://bluejeans.com/9036439807", None, "https://bluejeans.com/9036439807"),
        ("https://bjn.example/9036439807/1629", Provider.BLUEJEANS,
         "https://bjn.example/9036439807"),
        ("https://team.whereby.com/room-1?roomKey=SECRET", None, "https://team.whereby.com/room-1"),
        ("https://zoom.us/j/123?pwd=SECRET#frag", None, "https://zoom.us/j/123"),
        ("https://join.me/123-456-789", Provider.JOINME, "https://join.me/123-456-789"),
    ],
)
def test_public_link_drops_what_is_not_public(
    url: str, provider: Provider | None, kept: str
) -> None:
    assert public_link(url, provider) == kept


def test_join_history_keeps_only_public_links(db: Database) -> None:
    AccountStore(db).add(Account("BJ", Provider.BLUEJEANS, "https://api.bluejeans.com"))
    joins = JoinHistory(db, clock=lambda: NOW)
    record = joins.record("https://bluejeans.com/9036439807/1629", title=" Weekly ",
                          provider=Provider.BLUEJEANS, account="BJ", meeting_id="9036439807")
    assert record == history_module.JoinRecord(NOW, "https://bluejeans.com/9036439807",
                                               "Weekly", Provider.BLUEJEANS, "BJ", "9036439807")
    joins.record("https://x.whereby.com/r?roomKey=SECRETKEY", provider=Provider.WHEREBY,
                 account="Nobody", when=NOW + dt.timedelta(minutes=1))
    recent = joins.recent()
    assert [r.url for r in recent] == ["https://x.whereby.com/r",
                                       "https://bluejeans.com/9036439807"]
    assert recent[0].account is None  # no such account: recorded without one
    assert recent[1] == record
    db.close()
    raw = b"".join(p.read_bytes() for p in db.path.parent.iterdir())
    assert b"1629" not in raw and b"SECRETKEY" not in raw
    with pytest.raises(InvalidInput):
        JoinHistory(db).record("file:///etc/passwd")


def test_recent_lists_each_link_once_newest_first(db: Database) -> None:
    joins = JoinHistory(db)
    for minute, url in enumerate(["https://a.example/1", "https://b.example/2",
                                  "https://a.example/1", "https://c.example/3"]):
        joins.record(url, when=NOW + dt.timedelta(minutes=minute))
    joins.record("https://old.example/0", when=NOW - dt.timedelta(days=1))  # recorded late
    assert [r.url for r in joins.recent()] == [
        "https://c.example/3", "https://a.example/1", "https://b.example/2",
        "https://old.example/0",
    ]
    assert [r.url for r in joins.recent(2)] == ["https://c.example/3", "https://a.example/1"]
    assert joins.recent(0) == ()
    joins.clear()
    assert joins.recent() == ()


def test_history_follows_renames_and_outlives_the_account(db: Database) -> None:
    accounts = AccountStore(db)
    account = Account("Old", Provider.WHEREBY, "https://api.whereby.dev/v1")
    accounts.add(account)
    joins = JoinHistory(db, clock=lambda: NOW)
    joins.record("https://x.whereby.com/r", account="Old")
    accounts.update("Old", dataclasses.replace(account, name="New"))
    assert joins.recent()[0].account == "New"
    accounts.remove("New")
    assert [(r.url, r.account) for r in joins.recent()] == [("https://x.whereby.com/r", None)]


def test_history_is_capped(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "HISTORY_LIMIT", 5)
    joins = JoinHistory(db)
    for i in range(8):
        joins.record(f"https://x.example/{i}", when=NOW + dt.timedelta(minutes=i))
    assert [r.url for r in joins.recent(100)] == [f"https://x.example/{i}"
                                                 for i in (7, 6, 5, 4, 3)]
