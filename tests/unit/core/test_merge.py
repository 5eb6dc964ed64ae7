"""Merging one meeting found in several sources."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from launcher.core.merge import merge_duplicates, normalise_link
from launcher.core.models import Meeting, Provider, Role

T = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)


def mk(mid: str, account: str, provider: Provider = Provider.ICS, **kw: object) -> Meeting:
    values: dict[str, object] = {"start": T, "end": T + dt.timedelta(hours=1), "title": mid}
    values.update(kw)
    return Meeting(id=mid, account=account, provider=provider, **values)  # type: ignore[arg-type]


def test_same_uid_and_start_across_calendars_is_one_entry() -> None:
    a = mk("u/1", "Google", uid="u", location="Room 1", calendar="Work")
    b = mk("u/1", "DAV", Provider.CALDAV, uid="u", attendance="accepted")
    [merged] = merge_duplicates([a, b])
    assert merged.sources == ("Google", "DAV")
    assert merged.location == "Room 1"
    assert merged.attendance == "accepted"  # filled from the other copy


def test_same_uid_different_start_are_different_occurrences() -> None:
    a = mk("u/1", "Google", uid="u")
    b = mk("u/2", "Google", uid="u", start=T + dt.timedelta(days=7),
           end=T + dt.timedelta(days=7, hours=1))
    assert merge_duplicates([a, b]) == [a, b]


def test_same_link_and_start_prefers_the_api_entry() -> None:
    api = mk("123", "BJN", Provider.BLUEJEANS, title="Planning",
             join_url="https://bluejeans.com/123", passcode="4567", role=Role.PRESENTER)
    copy = mk("ev/1", "Cal", uid="ev", title="Planning (calendar)",
              join_url="https://www.BlueJeans.com/123/?utm_source=mail", location="Room 9")
    [merged] = merge_duplicates([copy, api])
    assert merged.provider is Provider.BLUEJEANS
    assert merged.id == "123"
    assert merged.title == "Planning"
    assert merged.passcode == "4567"
    assert merged.location == "Room 9"
    assert merged.uid == "ev"
    assert merged.sources == ("Cal", "BJN")


def test_links_differing_only_by_passcode_match_but_other_meetings_do_not() -> None:
    assert normalise_link("https://zoom.us/j/1?pwd=abc") == normalise_link("https://zoom.us/j/1")
    assert normalise_link("https://zoom.us/j/1") != normalise_link("https://zoom.us/j/2")
    assert normalise_link("https://x.webex.com/j.php?MTID=a") != normalise_link(
        "https://x.webex.com/j.php?MTID=b")
    assert normalise_link(None) is None
    assert normalise_link("not a link") is None


def test_same_link_at_another_time_is_kept_apart() -> None:
    a = mk("a", "Cal", join_url="https://meet.google.com/abc-defg-hij")
    b = mk("b", "Cal", join_url="https://meet.google.com/abc-defg-hij",
           start=T + dt.timedelta(days=1), end=T + dt.timedelta(days=1, hours=1))
    assert len(merge_duplicates([a, b])) == 2


def test_chains_merge_transitively_and_keep_order() -> None:
    first = mk("x", "A", join_url="https://zoom.us/j/9")
    other = mk("y", "B", uid="u")
    a = mk("a", "C", uid="u", join_url="https://zoom.us/j/9?pwd=1")
    merged = merge_duplicates([first, mk("solo", "Z"), other, a])
    assert [m.id for m in merged] == ["a", "solo"]  # the richest copy, in the first place
    assert merged[0].sources == ("A", "B", "C")


def test_conference_url_counts_as_a_link_and_sources_do_not_repeat() -> None:
    a = mk("a", "A", conference_url="https://teams.microsoft.com/l/meetup-join/x")
    b = mk("b", "B", join_url="https://teams.microsoft.com/l/meetup-join/x?context=%7b%7d",
           sources=("B", "A"))
    [merged] = merge_duplicates([a, b])
    assert merged.sources == ("A", "B")


def test_timeless_meetings_never_merge() -> None:
    a = mk("a", "A", start=None, end=None, join_url="https://x.test/r")
    b = mk("b", "B", start=None, end=None, join_url="https://x.test/r")
    assert merge_duplicates([a, b]) == [a, b]


@given(st.lists(st.tuples(st.sampled_from(["u", "v", None]), st.integers(0, 2),
                          st.sampled_from(["https://z.test/j/1", "https://z.test/j/2", None]),
                          st.sampled_from(["A", "B", "C"])), max_size=12))
def test_merging_never_loses_a_source_and_is_idempotent(
    rows: list[tuple[str | None, int, str | None, str]],
) -> None:
    meetings = [
        mk(f"m{i}", acc, uid=uid, join_url=link, start=T + dt.timedelta(hours=h),
           end=T + dt.timedelta(hours=h + 1))
        for i, (uid, h, link, acc) in enumerate(rows)
    ]
    merged = merge_duplicates(meetings)
    assert {a for m in merged for a in (m.sources or (m.account,))} == {m.account for m in meetings}
    assert len(merged) <= len(meetings)
    assert merge_duplicates(merged) == merged
