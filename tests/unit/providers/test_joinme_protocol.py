"""Pure tests of the join.me protocol: builders, parsers, validation, error mapping.

Samples in tests/data/joinme/ are the documented examples of seeds 001 and 003 (and the
webhooks example of PROVIDERS.md 2.4). Where the docs show a placeholder
(``{meetingId}``, ``{9-digit audio bridge ID}``, ``{4-digit presenter PIN}``) a value of
that form was filled in. ``update_201_as_documented.json`` keeps the docs' typo
``2015-06-32``; ``update_201.json`` is the same answer with the date corrected.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from launcher.core.errors import (
    AuthenticationRequired,
    InvalidInput,
    NotFound,
    ProtocolViolation,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Rejected,
)
from launcher.core.models import Meeting, Provider, Role, StartedMeeting
from launcher.providers.http import HttpResponse
from launcher.providers.joinme import protocol as p
from launcher.providers.joinme.protocol import MeetingPatch, ScheduleDraft

DATA = Path(__file__).resolve().parents[2] / "data" / "joinme"
BASE = "https://api.join.me/v1"
TOKEN = "tok-SECRET-123"
ACCOUNT = "work"
UTC = dt.UTC
PRESENTER = "https://secure.join.me/API/Public/StartMeeting.aspx?token=123456789"


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def resp(
    status: int,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> HttpResponse:
    data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
    return HttpResponse(
        status=status, headers={k.lower(): v for k, v in (headers or {}).items()}, body=data
    )


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2015, 6, day, hour, minute, tzinfo=UTC)


def existing(start: dt.datetime, end: dt.datetime) -> Meeting:
    return Meeting(
        id="23", account=ACCOUNT, provider=Provider.JOINME, title="x", start=start, end=end
    )


# ---- parsing the documented examples ----------------------------------------------


def test_list_example_is_parsed() -> None:
    meetings = p.parse_list_meetings(resp(200, load("meetings_list_200.json")), ACCOUNT)
    assert [m.id for m in meetings] == ["12345", "12399"]
    first = meetings[0]
    assert first.title == "Weekly update with the boss"
    assert (first.start, first.end) == (at(2, 9), at(2, 10))
    assert first.provider is Provider.JOINME
    assert first.role is Role.PRESENTER
    assert first.account == ACCOUNT
    assert first.join_url is None
    assert first.number is None
    assert first.participants == ()


def test_list_accepts_a_bare_array_too() -> None:
    items = load("meetings_list_200.json")["meetings"]
    assert len(p.parse_list_meetings(resp(200, items), ACCOUNT)) == 2


def test_get_example_is_parsed() -> None:
    m = p.parse_get_meeting(resp(200, load("meeting_get_200.json")), ACCOUNT)
    assert m.id == "23"
    assert m.participants == ("worldsbestboss@join.me", "hardworker@join.me")
    assert m.number == "123456789"
    assert m.conference is not None
    assert m.conference.conference_id == "123456789"


def test_viewer_link_becomes_join_url() -> None:
    body = load("meeting_get_200.json") | {"viewerLink": "https://join.me/123-456-789"}
    assert p.parse_get_meeting(resp(200, body), ACCOUNT).join_url == "https://join.me/123-456-789"


def test_schedule_answer_is_parsed() -> None:
    m = p.parse_schedule_meeting(resp(201, load("schedule_201.json")), ACCOUNT)
    assert (m.id, m.title) == ("12400", "Follow up with our customer")
    assert m.participants == ("youremail@join.me", "the.best.customer@join.me")


@pytest.mark.parametrize("status", [200, 201])
def test_update_answer_is_parsed_with_200_or_201(status: int) -> None:
    m = p.parse_update_meeting(resp(status, load("update_201.json")), ACCOUNT)
    assert m.start == at(3, 10)
    assert len(m.participants) == 3


def test_update_example_as_documented_has_an_impossible_date() -> None:
    with pytest.raises(ProtocolViolation, match="meetingStart"):
        p.parse_update_meeting(resp(201, load("update_201_as_documented.json")), ACCOUNT)


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("start_adhoc_201.json", 201),
        ("start_adhoc_201.json", 200),
        ("start_scheduled_200.json", 200),
        ("start_scheduled_200.json", 201),
    ],
)
def test_start_example_is_parsed(name: str, status: int) -> None:
    started = p.parse_start_meeting(resp(status, load(name)))
    assert started.presenter_link == PRESENTER
    assert started.viewer_link == "https://secure.join.me/YourName"
    assert started.conference is not None
    assert started.conference.conference_id == "123456789"
    assert started.conference.organizer_code == "1234"
    assert started.conference.numbers_url is not None
    assert started.webhooks_status is None


def test_start_keeps_the_webhooks_status() -> None:
    status = {"meeting.start": {"success": True}, "meeting.end": {"success": False}}
    body = load("start_adhoc_201.json") | {"webhooksStatus": status}
    assert p.parse_start_meeting(resp(201, body)).webhooks_status == status


def test_started_meeting_repr_hides_presenter_link_and_organizer_code() -> None:
    started = p.parse_start_meeting(resp(201, load("start_adhoc_201.json")))
    text = repr(started)
    assert "StartMeeting.aspx" not in text
    assert "token=" not in text
    assert "1234'" not in text
    assert "organizer_code" not in text
    assert "YourName" in text  # the viewer link is not a secret


def test_start_without_audio_conference() -> None:
    body = {"presenterLink": PRESENTER, "viewerLink": "https://join.me/x"}
    assert p.parse_start_meeting(resp(201, body)).conference is None


@pytest.mark.parametrize(
    "body",
    [
        {"viewerLink": "https://join.me/x"},
        {"presenterLink": PRESENTER},
        {"presenterLink": 5, "viewerLink": "https://join.me/x"},
        {"presenterLink": PRESENTER, "viewerLink": "v", "audioConference": "1234"},
        {"presenterLink": PRESENTER, "viewerLink": "v", "audioConference": {"organizerCode": [1]}},
        {"presenterLink": PRESENTER, "viewerLink": "v", "webhooksStatus": [1]},
        [PRESENTER],
    ],
)
def test_malformed_start_answer_is_a_protocol_violation_without_secrets(body: Any) -> None:
    with pytest.raises(ProtocolViolation) as info:
        p.parse_start_meeting(resp(201, body))
    assert "StartMeeting" not in str(info.value)
    assert "token" not in str(info.value)


@pytest.mark.parametrize(
    "patch",
    [
        {"meetingId": None},
        {"meetingId": True},
        {"meetingId": -1},
        {"meetingId": 1.5},
        {"meetingId": "12a"},
        {"meetingName": 7},
        {"meetingStart": None},
        {"meetingStart": "yesterday"},
        {"meetingEnd": "9999-12-31T23:59:59-01:00"},  # overflows when moved to UTC
        {"meetingStart": "0001-01-01T00:00:00+01:00"},
        {"participants": "a@b.c"},
        {"participants": [1]},
        {"conferenceId": {"x": 1}},
        {"viewerLink": 3},
    ],
)
def test_malformed_meeting_is_a_protocol_violation(patch: dict[str, Any]) -> None:
    body = load("meeting_get_200.json") | patch
    with pytest.raises(ProtocolViolation):
        p.parse_get_meeting(resp(200, body), ACCOUNT)


def test_meeting_id_as_digit_string_and_missing_name_are_tolerated() -> None:
    body = load("meeting_get_200.json") | {"meetingId": "23"}
    del body["meetingName"]
    m = p.parse_get_meeting(resp(200, body), ACCOUNT)
    assert (m.id, m.title) == ("23", "")


@pytest.mark.parametrize(
    "body", [{"meetings": "none"}, {"meetings": [1]}, {"other": []}, "x", None, 3]
)
def test_malformed_list_is_a_protocol_violation(body: Any) -> None:
    with pytest.raises(ProtocolViolation):
        p.parse_list_meetings(resp(200, body), ACCOUNT)


def test_non_json_answer_is_a_protocol_violation() -> None:
    with pytest.raises(ProtocolViolation):
        p.parse_list_meetings(resp(200, raw=b"<html>oops</html>"), ACCOUNT)


@pytest.mark.parametrize("status", [200, 204])
def test_delete_success(status: int) -> None:
    assert p.parse_delete_meeting(resp(status)) is None


def test_delete_of_unknown_meeting_is_not_found() -> None:
    with pytest.raises(NotFound):
        p.parse_delete_meeting(resp(404))


# ---- error mapping -----------------------------------------------------------------


def _raised(response: HttpResponse) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        p.raise_for_error(response)
    return info.value


def test_stale_token_asks_to_renew_the_authorization() -> None:
    body = {"Message": "The access token is stale", "ErrorCode": "stale_token"}
    for status in (401, 403):
        err = _raised(resp(status, body))
        assert type(err) is AuthenticationRequired
        assert "renewed" in err.message
        assert err.status == status


@pytest.mark.parametrize(
    ("status", "body", "headers"),
    [
        (401, {"Message": "Invalid token", "ErrorCode": "invalid_token"}, {}),
        (401, None, {}),
        (403, {"Message": "x", "ErrorCode": "invalid_token"}, {}),
        (
            403,
            None,
            {
                "Server": "Mashery Proxy",
                "WWW-Authenticate": 'Bearer realm="api.join.me", error="invalid_token"',
                "X-Error-Detail-Header": "Account Inactive",
                "X-Mashery-Error-Code": "ERR_403_DEVELOPER_INACTIVE",
            },
        ),
        (403, {"Message": "Forbidden"}, {}),
    ],
)
def test_refused_credentials_need_sign_in(status: int, body: Any, headers: dict[str, str]) -> None:
    err = _raised(resp(status, body, headers=headers))
    assert type(err) is AuthenticationRequired
    assert "renewed" not in err.message


@pytest.mark.parametrize(
    ("headers", "retry_after"),
    [
        ({"X-Mashery-Error-Code": "ERR_403_DEVELOPER_OVER_QPS"}, 1.0),
        ({"X-Mashery-Error-Code": "ERR_403_DEVELOPER_OVER_RATE"}, None),
        ({"X-Mashery-Error-Code": "ERR_403_DEVELOPER_OVER_RATE", "Retry-After": "30"}, 30.0),
    ],
)
def test_mashery_throttling_403_is_rate_limited(
    headers: dict[str, str], retry_after: float | None
) -> None:
    headers = headers | {"X-Error-Detail-Header": "Account Over Queries Per Second Limit"}
    err = _raised(resp(403, None, headers=headers))
    assert isinstance(err, RateLimited)
    assert err.retry_after == retry_after
    assert err.status == 403


def test_429_is_rate_limited_with_retry_after() -> None:
    err = _raised(resp(429, None, headers={"Retry-After": "7"}))
    assert isinstance(err, RateLimited)
    assert err.retry_after == 7.0


def test_404_is_not_found() -> None:
    assert type(_raised(resp(404, {"Message": "Not found"}))) is NotFound


def test_400_is_rejected_with_the_message_and_code() -> None:
    body = {"Message": "The meetingEnd must be after  the\nmeetingStart", "ErrorCode": "bad"}
    err = _raised(resp(400, body))
    assert isinstance(err, Rejected)
    assert err.reason == "The meetingEnd must be after the meetingStart"
    assert err.code == "bad"
    assert err.status == 400


def test_400_without_body_is_rejected() -> None:
    assert isinstance(_raised(resp(400, raw=b"nope")), Rejected)


def test_long_server_message_is_shortened() -> None:
    err = _raised(resp(400, {"Message": "x" * 5000}))
    assert len(err.reason) <= 300


def test_other_4xx_is_rejected() -> None:
    err = _raised(resp(409, {"Message": "Conflict"}))
    assert isinstance(err, Rejected)
    assert err.reason == "Conflict"


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_is_unavailable(status: int) -> None:
    err = _raised(resp(status, {"Message": "boom"}))
    assert type(err) is ProviderUnavailable
    assert err.status == status


@pytest.mark.parametrize("status", [100, 302, 304])
def test_unexpected_status_is_a_protocol_violation(status: int) -> None:
    assert type(_raised(resp(status))) is ProtocolViolation


def test_success_status_of_another_call_is_a_protocol_violation() -> None:
    with pytest.raises(ProtocolViolation):
        p.parse_get_meeting(resp(204), ACCOUNT)


# ---- building requests -------------------------------------------------------------

HEADERS = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}


def test_list_request() -> None:
    req = p.build_list_meetings(BASE, TOKEN)
    assert (req.method, req.url, dict(req.params)) == ("GET", f"{BASE}/meetings", {})
    assert dict(req.headers) == HEADERS
    assert req.json is None


def test_list_request_with_end_date_in_utc_z() -> None:
    end = dt.datetime(2015, 6, 2, 12, 30, 15, 999, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    req = p.build_list_meetings(BASE + "/", TOKEN, end=end)
    assert req.url == f"{BASE}/meetings"
    assert dict(req.params) == {"endDate": "2015-06-02T10:30:15Z"}


def test_list_request_rejects_naive_end() -> None:
    with pytest.raises(InvalidInput) as info:
        p.build_list_meetings(BASE, TOKEN, end=dt.datetime(2015, 6, 2))
    assert info.value.field == "end"


def test_token_is_not_in_request_repr() -> None:
    assert TOKEN not in repr(p.build_list_meetings(BASE, TOKEN))


def test_get_request() -> None:
    req = p.build_get_meeting(BASE, TOKEN, " 23 ")
    assert (req.method, req.url) == ("GET", f"{BASE}/meetings/23")
    assert dict(req.headers) == HEADERS


@pytest.mark.parametrize("bad", ["", "  ", "abc", "12a", "1/2", "../x", "١٢", "-5", "1" * 21])
def test_meeting_ids_must_be_digits(bad: str) -> None:
    with pytest.raises(InvalidInput) as info:
        p.build_get_meeting(BASE, TOKEN, bad)
    assert info.value.field == "meeting_id"


def test_schedule_request_matches_the_documented_example() -> None:
    draft = ScheduleDraft(
        title="Follow up with our customer",
        start=at(2, 10),
        end=at(2, 11),
        participants=("youremail@join.me", "the.best.customer@join.me"),
    )
    req = p.build_schedule_meeting(BASE, TOKEN, draft)
    assert (req.method, req.url) == ("POST", f"{BASE}/meetings")
    assert dict(req.headers) == HEADERS
    assert req.json == load("schedule_request.json")
    assert req.retryable is False


def test_schedule_request_normalises_offsets_to_utc() -> None:
    plus2 = dt.timezone(dt.timedelta(hours=2))
    draft = ScheduleDraft(
        title="  T  ",
        start=dt.datetime(2016, 6, 21, 16, 0, tzinfo=plus2),
        end=dt.datetime(2016, 6, 21, 17, 0, tzinfo=plus2),
        personal_url=True,
    )
    body = p.build_schedule_meeting(BASE, TOKEN, draft).json
    assert body == {
        "meetingName": "T",
        "meetingStart": "2016-06-21T14:00:00Z",
        "meetingEnd": "2016-06-21T15:00:00Z",
        "startWithPersonalUrl": True,
        "participants": [],
    }


def test_update_request_matches_the_documented_example() -> None:
    patch = MeetingPatch(
        title="Follow up with our best customer",
        start=at(3, 10),
        end=at(3, 11),
        participants=(
            "youremail@join.me",
            "the.best.customer@join.me",
            "worldsbestboss@join.me",
        ),
        personal_url=True,
    )
    req = p.build_update_meeting(BASE, TOKEN, "12400", patch)
    assert (req.method, req.url) == ("PATCH", f"{BASE}/meetings/12400")
    assert dict(req.headers) == HEADERS
    assert req.json == load("update_request.json")
    assert req.retryable is False


@pytest.mark.parametrize(
    ("patch", "body"),
    [
        (MeetingPatch(title="New"), {"meetingName": "New"}),
        (MeetingPatch(start=at(3, 9)), {"meetingStart": "2015-06-03T09:00:00Z"}),
        (MeetingPatch(participants=()), {"participants": []}),
        (MeetingPatch(personal_url=False), {"startWithPersonalUrl": False}),
    ],
)
def test_update_request_sends_only_the_fields_set(
    patch: MeetingPatch, body: dict[str, Any]
) -> None:
    assert p.build_update_meeting(BASE, TOKEN, "1", patch).json == body


def test_delete_request() -> None:
    req = p.build_delete_meeting(BASE, TOKEN, "23")
    assert (req.method, req.url, req.json) == ("DELETE", f"{BASE}/meetings/23", None)
    assert dict(req.headers) == HEADERS


def test_start_ad_hoc_request_matches_the_documented_example() -> None:
    req = p.build_start_meeting(BASE, TOKEN, personal_url=True)
    assert (req.method, req.url) == ("POST", f"{BASE}/meetings/start")
    assert dict(req.headers) == HEADERS
    assert req.json == load("start_request_adhoc.json")
    assert req.retryable is False


def test_start_ad_hoc_always_sends_the_required_personal_url_flag() -> None:
    assert p.build_start_meeting(BASE, TOKEN).json == {"startWithPersonalUrl": False}


def test_start_scheduled_request_matches_the_documented_example() -> None:
    req = p.build_start_meeting(BASE, TOKEN, "23")
    assert (req.method, req.url, req.json) == ("POST", f"{BASE}/meetings/23/start", {})
    assert req.retryable is False


def test_start_scheduled_on_personal_url_is_an_input_error() -> None:
    with pytest.raises(InvalidInput) as info:
        p.build_start_meeting(BASE, TOKEN, "23", personal_url=True)
    assert info.value.field == "personal_url"


@pytest.mark.parametrize(
    ("headless", "detection", "expected"),
    [
        (True, None, {"viewerMode": "headless", "viewerAppDetection": False}),
        (True, True, {"viewerMode": "headless", "viewerAppDetection": True}),
        (False, False, {"viewerAppDetection": False}),
        (False, True, {"viewerAppDetection": True}),
        (False, None, {}),
    ],
)
def test_start_viewer_options(
    headless: bool, detection: bool | None, expected: dict[str, Any]
) -> None:
    req = p.build_start_meeting(
        BASE, TOKEN, "23", headless=headless, viewer_app_detection=detection
    )
    assert req.json == expected


def test_start_with_the_documented_webhooks_example() -> None:
    example = load("start_request_webhooks.json")
    req = p.build_start_meeting(BASE, TOKEN, personal_url=True, webhooks=example["webhooks"])
    assert req.json == example


@pytest.mark.parametrize(
    "hooks",
    [
        {"meeting.paused": {"callbackUrl": "https://x.test/h"}},
        {"meeting.start": {}},
        {"meeting.start": "https://x.test/h"},
        {"meeting.start": {"callbackUrl": "/relative"}},
        {"meeting.start": {"callbackUrl": "ftp://x.test/h"}},
        {"meeting.start": {"callbackUrl": "https://x.test/h", "customCallbackData": {1, 2}}},
        {"meeting.start": {"callbackUrl": "https://x.test/h", "customCallbackData": float("nan")}},
        ["meeting.start"],
    ],
)
def test_bad_webhooks_are_input_errors(hooks: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        p.build_start_meeting(BASE, TOKEN, webhooks=hooks)
    assert info.value.field == "webhooks"


# ---- validation --------------------------------------------------------------------


def draft(**changes: Any) -> ScheduleDraft:
    base = ScheduleDraft(title="Standup", start=at(2, 9), end=at(2, 10))
    fields = {
        "title": base.title,
        "start": base.start,
        "end": base.end,
        "participants": base.participants,
        "personal_url": base.personal_url,
    } | changes
    return ScheduleDraft(**fields)


def field_of(d: ScheduleDraft) -> str:
    with pytest.raises(InvalidInput) as info:
        p.validate_schedule(d)
    return info.value.field


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 256}, "title"),
        ({"start": dt.datetime(2015, 6, 2, 9)}, "start"),
        ({"start": "2015-06-02T09:00:00Z"}, "start"),
        ({"end": dt.datetime(2015, 6, 2, 10)}, "end"),
        ({"end": at(2, 9)}, "end"),
        ({"end": at(2, 8)}, "end"),
        ({"end": at(16, 9) + dt.timedelta(seconds=1)}, "end"),
        ({"participants": ("ok@join.me", "not-an-address")}, "participant"),
        ({"participants": ("a@b",)}, "participant"),
        ({"participants": ("a..b@join.me",)}, "participant"),
        ({"participants": "ok@join.me"}, "participant"),
        ({"participants": (None,)}, "participant"),
    ],
)
def test_schedule_validation_names_the_field(changes: dict[str, Any], field: str) -> None:
    assert field_of(draft(**changes)) == field


def test_participant_error_names_the_address() -> None:
    with pytest.raises(InvalidInput, match="not-an-address"):
        p.validate_schedule(draft(participants=("ok@join.me", "not-an-address")))


def test_schedule_limits_are_inclusive() -> None:
    valid = p.validate_schedule(draft(title="x" * 255, end=at(16, 9)))
    assert valid.end - valid.start == dt.timedelta(days=14)


def test_schedule_validation_normalises() -> None:
    minus5 = dt.timezone(dt.timedelta(hours=-5))
    valid = p.validate_schedule(
        draft(
            title="  Standup ",
            start=dt.datetime(2015, 6, 2, 4, tzinfo=minus5),
            end=dt.datetime(2015, 6, 2, 5, tzinfo=minus5),
            participants=[" A@join.me", "a@join.me", "b@join.me "],
        )
    )
    assert valid.title == "Standup"
    assert valid.start == at(2, 9)
    assert valid.start.tzinfo is UTC
    assert valid.participants == ("A@join.me", "b@join.me")


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        (MeetingPatch(start=at(2, 10)), "end"),  # moves the start onto the current end
        (MeetingPatch(start=at(2, 11)), "end"),
        (MeetingPatch(end=at(2, 8)), "end"),
        (MeetingPatch(end=at(17, 0)), "end"),  # more than 14 days after the current start
        (MeetingPatch(start=at(1, 9), end=at(1, 8)), "end"),
        (MeetingPatch(title=""), "title"),
        (MeetingPatch(title="x" * 256), "title"),
        (MeetingPatch(start=dt.datetime(2015, 6, 2, 9)), "start"),
        (MeetingPatch(participants=("nope",)), "participant"),
    ],
)
def test_patch_is_validated_against_the_current_meeting(patch: MeetingPatch, field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        p.validate_patch(existing(at(2, 9), at(2, 10)), patch)
    assert info.value.field == field


def test_patch_without_current_checks_only_itself() -> None:
    assert p.validate_patch(None, MeetingPatch(start=at(2, 11))).start == at(2, 11)
    with pytest.raises(InvalidInput):
        p.validate_patch(None, MeetingPatch(start=at(2, 11), end=at(2, 10)))


def test_valid_patch_moving_one_side() -> None:
    valid = p.validate_patch(existing(at(2, 9), at(2, 10)), MeetingPatch(end=at(2, 12)))
    assert valid == MeetingPatch(end=at(2, 12))
    assert not valid.empty
    assert MeetingPatch().empty


def test_overlapping_filters_both_sides() -> None:
    meetings = p.parse_list_meetings(resp(200, load("meetings_list_200.json")), ACCOUNT)
    assert [m.id for m in p.overlapping(meetings, at(2, 10), None)] == ["12399"]
    assert [m.id for m in p.overlapping(meetings, at(2, 9, 59), None)] == ["12345", "12399"]
    assert [m.id for m in p.overlapping(meetings, None, at(2, 10))] == ["12345"]
    assert p.overlapping(meetings, at(3, 0), None) == []


# ---- properties --------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "meetings",
                    "meetingId",
                    "meetingName",
                    "meetingStart",
                    "meetingEnd",
                    "participants",
                    "conferenceId",
                    "viewerLink",
                    "presenterLink",
                    "audioConference",
                    "organizerCode",
                    "webhooksStatus",
                    "Message",
                    "ErrorCode",
                ]
            )
            | st.text(max_size=10),
            children,
            max_size=8,
        )
    ),
    max_leaves=30,
)
STATUSES = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 409, 429, 500, 503]) | st.integers(
    100, 599
)
HEADER_SETS = st.sampled_from(
    [
        {},
        {"x-mashery-error-code": "ERR_403_DEVELOPER_OVER_QPS"},
        {"retry-after": "soon"},
        {"www-authenticate": "Bearer error=invalid_token"},
    ]
)


def _meeting_like() -> st.SearchStrategy[dict[str, Any]]:
    iso = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()) | st.text(max_size=25)
    return st.fixed_dictionaries(
        {},
        optional={
            "meetingId": st.integers() | st.text(max_size=5),
            "meetingName": st.text(max_size=10) | st.none(),
            "meetingStart": iso,
            "meetingEnd": iso,
            "participants": st.lists(st.text(max_size=5)) | JSON,
            "conferenceId": st.text(max_size=9) | st.integers(),
            "viewerLink": st.text(max_size=5) | JSON,
        },
    )


@given(status=STATUSES, body=JSON, headers=HEADER_SETS)
def test_every_parser_raises_only_provider_errors(
    status: int, body: Any, headers: dict[str, str]
) -> None:
    response = HttpResponse(status=status, headers=headers, body=json.dumps(body).encode())
    parsers = [
        lambda r: p.parse_list_meetings(r, ACCOUNT),
        lambda r: p.parse_get_meeting(r, ACCOUNT),
        lambda r: p.parse_schedule_meeting(r, ACCOUNT),
        lambda r: p.parse_update_meeting(r, ACCOUNT),
        p.parse_delete_meeting,
        p.parse_start_meeting,
    ]
    for parse in parsers:
        try:
            result = parse(response)
        except ProviderError:
            continue
        assert result is None or isinstance(result, list | Meeting | StartedMeeting)


@given(items=st.lists(_meeting_like(), max_size=4))
def test_list_parser_on_meeting_like_objects(items: list[dict[str, Any]]) -> None:
    response = resp(200, {"meetings": items})
    try:
        meetings = p.parse_list_meetings(response, ACCOUNT)
    except ProtocolViolation:
        return
    assert len(meetings) == len(items)
    for m in meetings:
        assert m.id.isdigit()
        assert m.start is not None
        assert m.start.tzinfo is UTC


@given(raw=st.binary(max_size=64), status=STATUSES)
def test_parsers_survive_arbitrary_bytes(raw: bytes, status: int) -> None:
    response = HttpResponse(status=status, body=raw)
    for parse in (p.parse_start_meeting, lambda r: p.parse_get_meeting(r, ACCOUNT)):
        try:
            parse(response)
        except ProviderError:
            pass


OFFSETS = st.sampled_from(
    [UTC, dt.timezone(dt.timedelta(hours=2)), dt.timezone(dt.timedelta(hours=-7, minutes=-30))]
)
STARTS = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=OFFSETS
)
EMAILS = st.from_regex(r"[a-z0-9]{1,8}(\.[a-z0-9]{1,8})?@[a-z0-9]{1,8}\.[a-z]{2,6}", fullmatch=True)
TITLES = st.text(min_size=1, max_size=255).filter(lambda s: s.strip() != "")


@given(
    title=TITLES,
    start=STARTS,
    length=st.timedeltas(min_value=dt.timedelta(seconds=1), max_value=dt.timedelta(days=14)),
    participants=st.lists(EMAILS, max_size=5),
    personal=st.booleans(),
)
def test_valid_drafts_never_raise(
    title: str, start: dt.datetime, length: dt.timedelta, participants: list[str], personal: bool
) -> None:
    d = ScheduleDraft(title, start, start + length, tuple(participants), personal)
    valid = p.validate_schedule(d)
    assert valid.start < valid.end
    req = p.build_schedule_meeting(BASE, TOKEN, d)
    assert req.json["meetingName"] == title.strip()


@given(start=STARTS, back=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=30)))
def test_start_not_before_end_always_raises_on_a_time_field(
    start: dt.datetime, back: dt.timedelta
) -> None:
    with pytest.raises(InvalidInput) as info:
        p.validate_schedule(ScheduleDraft("t", start, start - back))
    assert info.value.field in {"start", "end"}
    current = existing(start, start + dt.timedelta(hours=1))
    with pytest.raises(InvalidInput) as info:
        p.validate_patch(current, MeetingPatch(end=start - back))
    assert info.value.field in {"start", "end"}
