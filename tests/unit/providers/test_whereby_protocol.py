"""Pure tests of the Whereby protocol: drafts, validation, builders, parsers, errors.

Samples in tests/data/whereby/: ``meeting_spec_example.json`` and ``throttle_429.json``
are the OpenAPI document's examples verbatim; ``meeting_with_urls.json`` is the
PROVIDERS.md 4.2 example with its elided ``roomKey`` values filled in;
``meeting_seed004.json`` uses the seed's room name and ID ("1") with the docs'
millisecond date form. The spec has no list example: ``list_page_*.json`` are built
from those meetings and the spec's example cursor, ending with ``"cursor": null``.
"""

from __future__ import annotations

import dataclasses
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
from launcher.core.models import Provider, Role, Room
from launcher.providers.http import HttpResponse
from launcher.providers.whereby import protocol as p
from launcher.providers.whereby.protocol import (
    LiveTranscription,
    Recording,
    RecordingDestination,
    RoomDraft,
    Streaming,
    StreamingDestination,
    TranscriptionDestination,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "whereby"
BASE = "https://api.whereby.dev/v1"
KEY = "key-SECRET-42"
UTC = dt.UTC
NOW = dt.datetime(2025, 5, 12, 16, 0, tzinfo=UTC)
LATER = NOW + dt.timedelta(hours=1)
STREAM = "rtmp://a.rtmp.youtube.com/live2/STREAMKEY-9"


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


# ---- parsing -----------------------------------------------------------------------


def test_spec_example_is_parsed() -> None:
    room = p.parse_get_room(resp(200, load("meeting_spec_example.json")))
    assert room.id == "9cf691bf-f2d5-4420-bda9-ee8607bb558b"
    assert room.room_url.endswith("/room-prefix-793e9ec1-c686-423d-9043-9b7a10c553fd")
    # roomName is absent in this example: taken from the URL's path.
    assert room.room_name == "/room-prefix-793e9ec1-c686-423d-9043-9b7a10c553fd"
    assert room.start == dt.datetime(2025, 5, 12, 16, 42, 49, tzinfo=UTC)
    assert room.end == dt.datetime(2025, 5, 12, 17, 42, 49, tzinfo=UTC)
    assert room.host_url is None
    assert room.viewer_url is None


@pytest.mark.parametrize("status", [200, 201])
def test_created_room_with_host_and_viewer_urls(status: int) -> None:
    room = p.parse_create_room(resp(status, load("meeting_with_urls.json")))
    assert room.host_url is not None
    assert room.host_url.endswith("?roomKey=eFhcG00ZG")
    assert room.viewer_url is not None
    assert room.viewer_url.endswith("?roomKey=vWr00Kq")
    assert "eFhcG00ZG" not in repr(room)  # the host key is a secret


def test_seed_example_with_numeric_id_and_milliseconds() -> None:
    room = p.parse_get_room(resp(200, load("meeting_seed004.json")))
    assert room.id == "1"
    assert room.room_name == "/4b3bd908-cb88-11ec-9d64-0242ac120002"
    assert room.start == dt.datetime(2022, 5, 4, 10, tzinfo=UTC)


def test_room_as_meeting() -> None:
    room = p.parse_get_room(resp(200, load("meeting_with_urls.json")))
    meeting = p.room_to_meeting(room, "acme")
    assert meeting.id == room.id
    assert meeting.title == "Whereby room room-prefix"
    assert meeting.provider is Provider.WHEREBY
    assert meeting.role is Role.PRESENTER
    assert meeting.account == "acme"
    assert (meeting.start, meeting.end) == (room.start, room.end)
    assert meeting.join_url == room.room_url
    assert meeting.host_url == room.host_url
    assert meeting.viewer_url == room.viewer_url


def test_room_without_start_date() -> None:
    body = load("meeting_spec_example.json")
    del body["startDate"]
    room = p.parse_get_room(resp(200, body))
    assert room.start is None
    assert p.room_to_meeting(room, "a").start is None


@pytest.mark.parametrize(
    "changes",
    [
        {"meetingId": None},
        {"meetingId": ""},
        {"meetingId": True},
        {"meetingId": ["1"]},
        {"roomUrl": None},
        {"roomUrl": 5},
        {"endDate": None},
        {"endDate": "tomorrow"},
        {"endDate": "9999-12-31T23:59:59-01:00"},
        {"startDate": 1740819600000},
        {"roomName": {}},
        {"hostRoomUrl": 1},
        {"viewerRoomUrl": False},
    ],
)
def test_malformed_room_is_a_protocol_violation(changes: dict[str, Any]) -> None:
    body = load("meeting_with_urls.json") | changes
    with pytest.raises(ProtocolViolation) as info:
        p.parse_get_room(resp(200, body))
    assert "eFhcG00ZG" not in str(info.value)


def test_numeric_meeting_id_is_read_as_text() -> None:
    body = load("meeting_spec_example.json") | {"meetingId": 52755922}
    assert p.parse_get_room(resp(200, body)).id == "52755922"


def test_list_pages() -> None:
    rooms, cursor = p.parse_list_page(resp(200, load("list_page_1.json")))
    assert [r.id for r in rooms] == ["1"]
    assert cursor == "8f4031bfc7640c5f267b11b6fe0c2507"
    rooms, cursor = p.parse_list_page(resp(200, load("list_page_3.json")))
    assert [r.id for r in rooms] == ["52755922", "77"]
    assert cursor is None


@pytest.mark.parametrize("body", [{"results": []}, {"results": [], "cursor": ""}])
def test_missing_or_empty_cursor_ends_the_list(body: dict[str, Any]) -> None:
    assert p.parse_list_page(resp(200, body)) == ([], None)


@pytest.mark.parametrize(
    "body",
    [
        {"results": {}, "cursor": None},
        {"cursor": None},
        {"results": [], "cursor": 3},
        {"results": [1], "cursor": None},
        [],
        "results",
    ],
)
def test_malformed_list_is_a_protocol_violation(body: Any) -> None:
    with pytest.raises(ProtocolViolation):
        p.parse_list_page(resp(200, body))


@pytest.mark.parametrize("status", [200, 204, 404])
def test_delete_succeeds_also_when_already_gone(status: int) -> None:
    assert p.parse_delete_room(resp(status)) is None


def test_delete_with_refused_key() -> None:
    with pytest.raises(AuthenticationRequired):
        p.parse_delete_room(resp(401))


# ---- error mapping -----------------------------------------------------------------


def _raised(response: HttpResponse) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        p.raise_for_error(response)
    return info.value


def test_401_means_the_api_key_was_refused() -> None:
    err = _raised(resp(401))
    assert type(err) is AuthenticationRequired
    assert "API key was refused" in err.message


def test_403_is_not_allowed() -> None:
    err = _raised(resp(403))
    assert type(err) is Rejected
    assert "not allowed" in err.message
    assert err.status == 403


def test_400_is_rejected_with_the_server_error() -> None:
    err = _raised(resp(400, {"error": "endDate must be in the future"}))
    assert type(err) is Rejected
    assert err.reason == "endDate must be in the future"


def test_404_on_get_is_not_found() -> None:
    with pytest.raises(NotFound):
        p.parse_get_room(resp(404))


def test_spec_throttle_example_gives_retry_after_from_ms_left() -> None:
    err = _raised(resp(429, load("throttle_429.json")))
    assert isinstance(err, RateLimited)
    assert err.retry_after == pytest.approx(38.689)


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [
        ({"error": "x", "data": {"ms_left": 1500}}, {}, 1.5),
        (None, {"Retry-After": "12"}, 12.0),
        (None, {}, None),
    ],
)
def test_429_retry_after_signals(
    body: Any, headers: dict[str, str], expected: float | None
) -> None:
    err = _raised(resp(429, body, headers=headers))
    assert isinstance(err, RateLimited)
    assert err.retry_after == expected


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_unavailable(status: int) -> None:
    err = _raised(resp(status, {"error": "boom"}))
    assert type(err) is ProviderUnavailable


def test_other_4xx_is_rejected() -> None:
    err = _raised(
        resp(415, {"error": "Content-Type must be multipart/form-data or application/json"})
    )
    assert type(err) is Rejected
    assert err.status == 415
    assert "Content-Type" in err.reason


@pytest.mark.parametrize("status", [100, 301, 304])
def test_unexpected_status_is_a_protocol_violation(status: int) -> None:
    assert type(_raised(resp(status))) is ProtocolViolation


def test_non_json_success_is_a_protocol_violation() -> None:
    with pytest.raises(ProtocolViolation):
        p.parse_create_room(resp(201, raw=b"\xff\xfe"))


# ---- building requests -------------------------------------------------------------


def full_draft(**changes: Any) -> RoomDraft:
    draft = RoomDraft(
        end=LATER,
        is_locked=True,
        room_mode="group",
        prefix="Customer0348-",
        pattern="human-short",
        viewer_mode=True,
        host_url=True,
        viewer_url=True,
        recording=Recording(
            type="cloud",
            destination=RecordingDestination(
                provider="s3",
                authentication_type="accessKey",
                bucket="my-bucket/recordings",
                access_key_id="AKIA1",
                access_key_secret="S3-SECRET",
                file_format="mp4",
            ),
            start_trigger="automatic-2nd-participant",
        ),
        live_transcription=LiveTranscription(
            destination=TranscriptionDestination(provider="whereby"),
            start_trigger="manual",
            language="en-GB",
            live_captions=True,
        ),
        streaming=Streaming(StreamingDestination(STREAM), start_trigger="prompt"),
    )
    return dataclasses.replace(draft, **changes)


def test_create_request_with_every_field() -> None:
    draft = p.validate_room(full_draft(), NOW)
    req = p.build_create_room(BASE, KEY, draft)
    assert (req.method, req.url) == ("POST", f"{BASE}/meetings")
    assert dict(req.headers) == {"Authorization": f"Bearer {KEY}"}
    assert req.retryable is False
    assert req.json == {
        "endDate": "2025-05-12T17:00:00Z",
        "isLocked": True,
        "roomMode": "group",
        "roomNamePrefix": "customer0348-",
        "roomNamePattern": "human-short",
        "templateType": "viewerMode",
        "recording": {
            "type": "cloud",
            "destination": {
                "provider": "s3",
                "authenticationType": "accessKey",
                "bucket": "my-bucket/recordings",
                "accessKeyId": "AKIA1",
                "accessKeySecret": "S3-SECRET",
                "fileFormat": "mp4",
            },
            "startTrigger": "automatic-2nd-participant",
        },
        "liveTranscription": {
            "destination": {"provider": "whereby"},
            "startTrigger": "manual",
            "language": "en-GB",
            "liveCaptions": True,
        },
        "streaming": {"destination": {"url": STREAM}, "startTrigger": "prompt"},
        "fields": ["hostRoomUrl", "viewerRoomUrl"],
    }


def test_minimal_create_request() -> None:
    plus2 = dt.timezone(dt.timedelta(hours=2))
    draft = p.validate_room(RoomDraft(end=dt.datetime(2025, 5, 12, 19, 30, tzinfo=plus2)), NOW)
    assert p.build_create_room(BASE, KEY, draft).json == {"endDate": "2025-05-12T17:30:00Z"}


def test_nested_objects_send_null_to_inherit_org_settings() -> None:
    draft = RoomDraft(
        end=LATER,
        recording=Recording(type="local"),
        live_transcription=LiveTranscription(),
        streaming=Streaming(StreamingDestination(STREAM)),
    )
    body = p.build_create_room(BASE, KEY, p.validate_room(draft, NOW)).json
    assert body["recording"] == {"type": "local", "destination": None, "startTrigger": None}
    assert body["liveTranscription"] == {"destination": None, "startTrigger": None}
    assert body["streaming"] == {"destination": {"url": STREAM}, "startTrigger": None}


def test_secrets_are_not_in_draft_or_request_reprs() -> None:
    draft = full_draft()
    req = p.build_create_room(BASE, KEY, p.validate_room(draft, NOW))
    for text in (repr(draft), repr(req)):
        assert "S3-SECRET" not in text
        assert "STREAMKEY" not in text
        assert KEY not in text


def test_get_request() -> None:
    req = p.build_get_room(BASE, KEY, "9cf691bf")
    assert (req.method, req.url, dict(req.params)) == ("GET", f"{BASE}/meetings/9cf691bf", {})
    assert dict(req.headers) == {"Authorization": f"Bearer {KEY}"}
    req = p.build_get_room(BASE, KEY, "1", host_url=True, viewer_url=True)
    assert dict(req.params) == {"fields": "hostRoomUrl,viewerRoomUrl"}
    assert dict(p.build_get_room(BASE, KEY, "1", viewer_url=True).params) == {
        "fields": "viewerRoomUrl"
    }


def test_room_ids_are_quoted_into_the_path() -> None:
    assert p.build_get_room(BASE, KEY, "a/../b").url == f"{BASE}/meetings/a%2F..%2Fb"


@pytest.mark.parametrize("bad", ["", "   ", "x" * 201])
def test_room_id_must_be_given(bad: str) -> None:
    with pytest.raises(InvalidInput) as info:
        p.build_delete_room(BASE, KEY, bad)
    assert info.value.field == "room_id"


def test_list_request() -> None:
    req = p.build_list_rooms(BASE, KEY)
    assert (req.method, req.url, dict(req.params)) == ("GET", f"{BASE}/meetings", {"limit": "100"})
    req = p.build_list_rooms(BASE, KEY, cursor="abc", page_size=5, host_url=True)
    assert dict(req.params) == {"limit": "5", "cursor": "abc", "fields": "hostRoomUrl"}


@pytest.mark.parametrize("size", [0, 101, -1, True, 2.5])
def test_page_size_is_checked(size: Any) -> None:
    with pytest.raises(InvalidInput) as info:
        p.build_list_rooms(BASE, KEY, page_size=size)
    assert info.value.field == "page_size"


def test_delete_request_is_idempotent() -> None:
    req = p.build_delete_room(BASE, KEY, "1")
    assert (req.method, req.url, req.json) == ("DELETE", f"{BASE}/meetings/1", None)
    assert req.idempotent is True
    assert req.retryable is True


# ---- validation --------------------------------------------------------------------


def invalid_field(draft: RoomDraft, now: dt.datetime = NOW) -> str:
    with pytest.raises(InvalidInput) as info:
        p.validate_room(draft, now)
    assert "STREAMKEY" not in str(info.value)
    assert "S3-SECRET" not in str(info.value)
    return info.value.field


def test_full_draft_is_valid() -> None:
    valid = p.validate_room(full_draft(), NOW)
    assert valid.prefix == "customer0348-"
    assert valid.end == LATER


def test_end_may_be_exactly_now() -> None:
    assert p.validate_room(RoomDraft(end=NOW), NOW).end == NOW


def s3(**kw: Any) -> RecordingDestination:
    return RecordingDestination(provider="s3", **kw)


def tr_s3(**kw: Any) -> TranscriptionDestination:
    return TranscriptionDestination(provider="s3", **kw)


def room(**kw: Any) -> RoomDraft:
    return RoomDraft(end=LATER, **kw)


def stream(url: str, trigger: str | None = None) -> Streaming:
    return Streaming(StreamingDestination(url), trigger)


def cloud(dest: RecordingDestination | None = None, trigger: str | None = None) -> Recording:
    return Recording("cloud", dest, trigger)


def transcribe(**kw: Any) -> LiveTranscription:
    return LiveTranscription(**kw)


KEYS = {"access_key_id": "A", "access_key_secret": "S3-SECRET"}


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (RoomDraft(end=dt.datetime(2025, 6, 1)), "end"),
        (RoomDraft(end=NOW - dt.timedelta(seconds=1)), "end"),
        (RoomDraft(end="2030-01-01"), "end"),  # type: ignore[arg-type]
        (room(room_mode="huge"), "mode"),
        (room(room_mode="normal", viewer_mode=True), "mode"),
        (room(prefix="x" * 40), "prefix"),
        (room(prefix="my_room"), "prefix"),
        (room(prefix="café"), "prefix"),
        (room(prefix="a/b"), "prefix"),
        (room(pattern="short"), "pattern"),
        (room(streaming=stream("http://x.test/live")), "streaming"),
        (room(streaming=stream("rtmp:///STREAMKEY")), "streaming"),
        (room(streaming=stream("")), "streaming"),
        (room(streaming=stream(STREAM, "manual")), "streaming"),
        (room(streaming=stream("rtmp://[::1/STREAMKEY")), "streaming"),
        (room(recording=Recording(type="video")), "recording"),
        (room(recording=cloud(trigger="manual")), "recording"),
        (room(recording=cloud(RecordingDestination("dropbox"))), "recording"),
        (room(recording=cloud(s3())), "recording"),
        (
            room(
                recording=cloud(s3(bucket="b", authentication_type="accessKey", access_key_id="A"))
            ),
            "recording",
        ),
        (room(recording=cloud(s3(bucket="b", authentication_type="roleBased"))), "recording"),
        (room(recording=cloud(s3(bucket="b", oidc_role_arn="arn:x"))), "recording"),
        (room(recording=cloud(s3(bucket="b", access_key_secret="S3-SECRET"))), "recording"),
        (room(recording=cloud(s3(bucket="b", authentication_type="password"))), "recording"),
        (room(recording=cloud(s3(bucket="b", file_format="avi"))), "recording"),
        (room(live_transcription=transcribe(start_trigger="prompt")), "transcription"),
        (room(live_transcription=transcribe(language="en,")), "transcription"),
        (room(live_transcription=transcribe(language="xx")), "transcription"),
        (
            room(
                live_transcription=transcribe(
                    destination=tr_s3(bucket="b", authentication_type="accessKey", **KEYS)
                )
            ),
            "transcription",
        ),
        (room(live_transcription=transcribe(destination=tr_s3())), "transcription"),
    ],
)
def test_validation_names_the_field(draft: RoomDraft, field: str) -> None:
    assert invalid_field(draft) == field


@pytest.mark.parametrize(
    "destination",
    [
        s3(bucket="b", authentication_type="accessKey", access_key_id="A", access_key_secret="S"),
        s3(bucket="b", authentication_type="roleBased", oidc_role_arn="arn:aws:iam::1:role/r"),
        s3(bucket="b"),
        RecordingDestination("whereby"),
    ],
)
def test_valid_recording_destinations(destination: RecordingDestination) -> None:
    draft = RoomDraft(end=LATER, recording=Recording("cloud", destination, "automatic"))
    assert p.validate_room(draft, NOW).recording == draft.recording


def test_valid_transcription_with_s3_access_keys_and_region() -> None:
    dest = tr_s3(
        bucket="b",
        authentication_type="accessKey",
        access_key_id="A",
        access_key_secret="S",
        region="eu-west-1",
    )
    draft = RoomDraft(
        end=LATER, live_transcription=LiveTranscription(dest, "automatic", "de-CH", False)
    )
    body = p.build_create_room(BASE, KEY, p.validate_room(draft, NOW)).json
    assert body["liveTranscription"]["destination"]["region"] == "eu-west-1"
    assert body["liveTranscription"]["language"] == "de-CH"
    assert body["liveTranscription"]["liveCaptions"] is False


def test_rtmps_streaming_is_accepted() -> None:
    draft = RoomDraft(
        end=LATER, streaming=Streaming(StreamingDestination("RTMPS://live.test:443/app/k"))
    )
    assert p.validate_room(draft, NOW).streaming == draft.streaming


@pytest.mark.parametrize(
    ("given_prefix", "expected"),
    [
        ("Customer0348-", "customer0348-"),
        ("example-prefix", "example-prefix"),
        ("  My Room 1 ", "myroom1"),
        ("A\tB\nC", "abc"),
        ("   ", None),
        ("", None),
        ("x" * 39, "x" * 39),
        (" " + "y" * 39 + " ", "y" * 39),
    ],
)
def test_prefix_is_normalised_like_whereby_does(given_prefix: str, expected: str | None) -> None:
    assert p.validate_room(RoomDraft(end=LATER, prefix=given_prefix), NOW).prefix == expected


def test_language_list_is_the_spec_enum_without_its_stray_commas() -> None:
    assert len(p.TRANSCRIPTION_LANGUAGES) == 33
    assert not any("," in code for code in p.TRANSCRIPTION_LANGUAGES)
    assert {"en", "en-US", "zh-TW", "de-CH", "pt-BR", "vi"} <= set(p.TRANSCRIPTION_LANGUAGES)


# ---- properties --------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "results",
                    "cursor",
                    "meetingId",
                    "roomName",
                    "roomUrl",
                    "startDate",
                    "endDate",
                    "hostRoomUrl",
                    "viewerRoomUrl",
                    "error",
                    "data",
                    "msLeft",
                ]
            )
            | st.text(max_size=10),
            children,
            max_size=8,
        )
    ),
    max_leaves=30,
)
STATUSES = st.sampled_from([200, 201, 204, 400, 401, 403, 404, 429, 500]) | st.integers(100, 599)


@given(status=STATUSES, body=JSON)
def test_every_parser_raises_only_provider_errors(status: int, body: Any) -> None:
    response = HttpResponse(status=status, body=json.dumps(body).encode())
    for parse in (p.parse_create_room, p.parse_get_room, p.parse_list_page, p.parse_delete_room):
        try:
            result = parse(response)
        except ProviderError:
            continue
        assert result is None or isinstance(result, Room | tuple)


ISO = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()) | st.text(max_size=25)
ROOM_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "meetingId": st.text(max_size=8) | st.integers() | JSON,
        "roomName": st.text(max_size=8) | JSON,
        "roomUrl": st.just("https://x.whereby.com/r") | st.text(max_size=8) | JSON,
        "startDate": ISO | JSON,
        "endDate": ISO | JSON,
        "hostRoomUrl": st.text(max_size=8) | JSON,
    },
)


@given(results=st.lists(ROOM_LIKE, max_size=4), cursor=st.none() | st.text(max_size=8) | JSON)
def test_list_parser_on_room_like_objects(results: list[dict[str, Any]], cursor: Any) -> None:
    try:
        rooms, next_cursor = p.parse_list_page(resp(200, {"results": results, "cursor": cursor}))
    except ProtocolViolation:
        return
    assert len(rooms) == len(results)
    assert next_cursor is None or (isinstance(next_cursor, str) and next_cursor)
    for room in rooms:
        assert room.end.tzinfo is UTC


@given(st.text(max_size=60))
def test_prefix_normalisation_invariants(text: str) -> None:
    error: InvalidInput | None = None
    try:
        result = p.normalize_prefix(text)
    except InvalidInput as exc:
        error = exc
    if error is not None:
        assert error.field == "prefix"
        return
    assert result == "".join(text.split()).lower()
    assert result == result.lower()
    assert not any(ch.isspace() for ch in result)
    assert len(result) <= 39
    assert all(ch in "abcdefghijklmnopqrstuvwxyz0123456789-" for ch in result)
    assert p.normalize_prefix(result) == result


@given(
    st.lists(
        st.tuples(
            st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"),
            st.sampled_from(["", "", " ", "\t", "  \n"]),
        ),
        max_size=39,
    ),
    st.sampled_from(["", " ", "\t "]),
)
def test_prefixes_from_the_allowed_alphabet_never_raise(
    parts: list[tuple[str, str]], lead: str
) -> None:
    text = lead + "".join(char + space for char, space in parts)
    assert p.normalize_prefix(text) == "".join(char for char, _ in parts).lower()


DESTS = st.sampled_from(
    [
        None,
        RecordingDestination("whereby"),
        s3(bucket="b", authentication_type="roleBased", oidc_role_arn="arn:x"),
    ]
)
VALID_DRAFTS = st.builds(
    RoomDraft,
    end=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)).map(
        lambda d: NOW + d
    ),
    is_locked=st.none() | st.booleans(),
    room_mode=st.sampled_from([None, "group"]),
    prefix=st.none() | st.from_regex(r"[A-Za-z0-9 -]{0,39}", fullmatch=True),
    pattern=st.sampled_from([None, *p.ROOM_NAME_PATTERNS]),
    viewer_mode=st.booleans(),
    host_url=st.booleans(),
    viewer_url=st.booleans(),
    recording=st.none()
    | st.builds(
        Recording,
        type=st.sampled_from(p.RECORDING_TYPES),
        destination=DESTS,
        start_trigger=st.sampled_from([None, *p.RECORDING_TRIGGERS]),
    ),
    live_transcription=st.none()
    | st.builds(
        LiveTranscription,
        destination=st.sampled_from([None, TranscriptionDestination("whereby")]),
        start_trigger=st.sampled_from([None, *p.TRANSCRIPTION_TRIGGERS]),
        language=st.sampled_from([None, *p.TRANSCRIPTION_LANGUAGES]),
        live_captions=st.none() | st.booleans(),
    ),
    streaming=st.none()
    | st.builds(
        Streaming,
        destination=st.sampled_from(
            [StreamingDestination(STREAM), StreamingDestination("rtmps://live.test/app/k")]
        ),
        start_trigger=st.sampled_from([None, *p.STREAMING_TRIGGERS]),
    ),
)


@given(VALID_DRAFTS)
def test_valid_drafts_never_raise(draft: RoomDraft) -> None:
    valid = p.validate_room(draft, NOW)
    body = p.build_create_room(BASE, KEY, valid).json
    assert body["endDate"].endswith("Z")
    assert p.validate_room(valid, NOW) == valid  # normalising twice changes nothing


@given(st.timedeltas(min_value=dt.timedelta(microseconds=1), max_value=dt.timedelta(days=3650)))
def test_end_in_the_past_always_raises_on_end(back: dt.timedelta) -> None:
    assert invalid_field(RoomDraft(end=NOW - back)) == "end"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("/daily-standup-5c1f2a7e-0d4b-4f7e-9a51-6f3c2b8d9e10", "Whereby room daily-standup"),
        ("/customer0348-72b9e0a4-3c1d-4e5f-8a6b-9c0d1e2f3a4b", "Whereby room customer0348"),
        ("/team-ab3xk9", "Whereby room team"),
        ("/4b3bd908-cb88-11ec-9d64-0242ac120002",
         "Whereby room 4b3bd908-cb88-11ec-9d64-0242ac120002"),
        ("/", "Whereby room"),
    ],
)
def test_room_titles(name: str, title: str) -> None:
    from launcher.providers.whereby.protocol import room_title

    assert room_title(name) == title
