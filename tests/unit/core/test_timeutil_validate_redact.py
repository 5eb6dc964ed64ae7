from __future__ import annotations

import datetime as dt
import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from launcher.core.errors import InvalidInput
from launcher.core.models import Meeting, Provider
from launcher.core.redact import RedactingFilter, redact
from launcher.core.timeutil import (
    format_iso_z,
    from_epoch_ms,
    parse_iso,
    parse_ms_date,
    parse_user_datetime,
    to_epoch_ms,
)
from launcher.core.validate import is_email, require_http_url, require_text

UTC = dt.UTC


def test_parse_iso_forms() -> None:
    expected = dt.datetime(2025, 5, 12, 16, 42, 49, tzinfo=UTC)
    assert parse_iso("2025-05-12T16:42:49Z") == expected
    assert parse_iso("2025-05-12T16:42:49.000Z") == expected
    assert parse_iso("2025-05-12T11:42:49-05:00") == expected
    assert parse_iso("2025-05-12T16:42:49") == expected  # join.me registrationDate
    with pytest.raises(ValueError, match="empty"):
        parse_iso("")


def test_epoch_and_ms_date() -> None:
    when = from_epoch_ms(1474932029051)
    assert to_epoch_ms(when) == 1474932029051
    assert parse_ms_date("/Date(1474932029051)/") == when
    assert parse_ms_date("\\/Date(1474932029051)\\/") == when
    assert parse_ms_date("2016-09-26T23:20:29.051Z") == when
    with pytest.raises(ValueError, match="number"):
        from_epoch_ms(True)


@given(st.datetimes(min_value=dt.datetime(1971, 1, 1), max_value=dt.datetime(2400, 1, 1),
                    timezones=st.just(UTC)))
def test_roundtrips(value: dt.datetime) -> None:
    back = from_epoch_ms(to_epoch_ms(value))
    assert abs(back - value) <= dt.timedelta(microseconds=500)
    assert parse_iso(format_iso_z(value)) == value.replace(microsecond=0)


def test_user_datetime() -> None:
    cet = dt.timezone(dt.timedelta(hours=1))
    assert parse_user_datetime("2026-11-21T15:00", local_tz=cet) == dt.datetime(
        2026, 11, 21, 14, 0, tzinfo=UTC
    )
    assert parse_user_datetime("2026-11-21T15:00Z") == dt.datetime(2026, 11, 21, 15, tzinfo=UTC)
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_user_datetime("tomorrow at 3")


@pytest.mark.parametrize("good", ["a@b.co", "first.last+tag@sub.example.org", "x_y@x-y.io"])
def test_emails_ok(good: str) -> None:
    assert is_email(good)


@pytest.mark.parametrize("bad", ["", "a", "a@", "@b.co", "a@b", "a b@c.de", "a..b@c.de",
                                 ".a@b.co", "a.@b.co", "a@b..co"])
def test_emails_bad(bad: str) -> None:
    assert not is_email(bad)


def test_require_helpers() -> None:
    assert require_text("title", "  hi ") == "hi"
    with pytest.raises(InvalidInput, match="title"):
        require_text("title", "   ")
    with pytest.raises(InvalidInput, match="at most 3"):
        require_text("title", "abcd", max_len=3)
    assert require_http_url("--base-url", "https://api.x.com/v1/") == "https://api.x.com/v1"
    for bad in ("ftp://x", "x.com", "https://u:p@x.com", "https://"):
        with pytest.raises(InvalidInput, match="--base-url"):
            require_http_url("--base-url", bad)


def test_redact_patterns_and_values() -> None:
    text = (
        "GET https://relay/x?accesstoken=SECRETTOKEN&passcode=1629 "
        "Authorization: Bearer abc.def presenter https://secure.join.me/API/Public/"
        "StartMeeting.aspx?token=123456789 key demo-whereby-key"
    )
    out = redact(text, frozenset({"demo-whereby-key"}))
    for secret in ("SECRETTOKEN", "1629", "abc.def", "123456789", "demo-whereby-key"):
        assert secret not in out
    assert "accesstoken=***" in out


def test_filter_masks_records_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    flt = RedactingFilter()
    flt.add_secret("hunter2-password")
    logger = logging.getLogger("launcher.test.redact")
    handler = logging.StreamHandler()
    handler.addFilter(flt)
    record = logger.makeRecord(
        logger.name, logging.INFO, __file__, 1, "password %s", ("hunter2-password",), None
    )
    assert flt.filter(record)
    assert "hunter2-password" not in record.getMessage()
    try:
        raise RuntimeError("boom hunter2-password")
    except RuntimeError:
        import sys

        rec = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "x", (), sys.exc_info())
    flt.filter(rec)
    assert rec.exc_text is not None and "hunter2-password" not in rec.exc_text


def test_meeting_requires_aware_times_and_sorts() -> None:
    t0 = dt.datetime(2026, 1, 1, 9, tzinfo=UTC)
    a = Meeting("1", "x", Provider.JOINME, "B", t0, t0)
    b = Meeting("2", "x", Provider.JOINME, "A", t0 - dt.timedelta(hours=1), t0)
    c = Meeting("3", "x", Provider.SKYPE, "Space", None, None)
    assert sorted([c, a, b], key=Meeting.sort_key) == [b, a, c]
    with pytest.raises(ValueError, match="aware"):
        Meeting("4", "x", Provider.JOINME, "naive", dt.datetime(2026, 1, 1), None)
    assert "9999" not in repr(Meeting("5", "x", Provider.BLUEJEANS, "t", t0, t0, passcode="9999"))
