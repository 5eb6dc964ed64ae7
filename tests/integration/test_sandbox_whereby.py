"""The sandbox's Whereby API over real loopback HTTP, checked against the official OpenAPI."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from launcher.sandbox.server import RunningSandbox, start_in_thread
from tests.conftest import require_reference

SPEC_PATH = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "whereby-openapi.json"
)
AUTH = {"Authorization": "Bearer demo-whereby-key"}
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    with start_in_thread() as running:
        yield running


@pytest.fixture(autouse=True)
def _clean(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.state.clear_faults()
    yield
    sandbox.state.clear_faults()
    sandbox.state.set_clock(None)


@pytest.fixture(scope="module")
def api(sandbox: RunningSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.provider_urls()["whereby"], headers=AUTH, timeout=5) as c:
        yield c


def end_in(hours: float = 2) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")


def create(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post("/meetings", json={"endDate": end_in(), **body})
    assert response.status_code == 201, response.text
    data = response.json()
    assert isinstance(data, dict)
    return data


def assert_400(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert isinstance(response.json()["error"], str)
    assert response.json()["error"]


# ---------------------------------------------------------------------------- create


def test_unauthorized(sandbox: RunningSandbox) -> None:
    base = sandbox.provider_urls()["whereby"]
    assert httpx.get(f"{base}/meetings").status_code == 401
    wrong = httpx.post(
        f"{base}/meetings", json={"endDate": end_in()}, headers={"Authorization": "Bearer x"}
    )
    assert wrong.status_code == 401


def test_create_minimal(api: httpx.Client, sandbox: RunningSandbox) -> None:
    room = create(api)
    assert set(room) == {"meetingId", "roomName", "roomUrl", "startDate", "endDate"}
    assert isinstance(room["meetingId"], str)
    assert re.fullmatch(f"/{UUID}", room["roomName"])
    assert room["roomUrl"] == f"{sandbox.base_url}/whereby/web{room['roomName']}"
    assert room["startDate"].endswith("Z")
    assert room["endDate"].endswith("Z")


def test_create_returns_utc_whatever_the_offset(api: httpx.Client) -> None:
    local = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)).replace(microsecond=0)
    offset = local.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    room = create(api, endDate=offset.isoformat())
    assert room["endDate"] == local.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_create_with_every_field(api: httpx.Client) -> None:
    room = create(
        api,
        isLocked=True,
        roomMode="group",
        roomNamePrefix="Customer0348-",
        roomNamePattern="uuid",
        recording={
            "type": "cloud",
            "destination": {"provider": "s3", "bucket": "b/recs", "accessKeyId": "k",
                            "accessKeySecret": "s", "fileFormat": "mp4"},
            "startTrigger": "automatic-2nd-participant",
        },
        liveTranscription={
            "destination": {"provider": "whereby"},
            "startTrigger": "manual",
            "language": "en-GB",
            "liveCaptions": True,
        },
        streaming={
            "destination": {"url": "rtmp://a.rtmp.youtube.com/live2/stream-key"},
            "startTrigger": "prompt",
        },
        fields=["hostRoomUrl", "viewerRoomUrl"],
        startDate="2001-01-01T00:00:00Z",  # deprecated and ignored
    )  # fmt: skip
    assert re.fullmatch(f"/customer0348-{UUID}", room["roomName"])
    assert room["hostRoomUrl"].startswith(room["roomUrl"] + "?roomKey=")
    assert room["viewerRoomUrl"].startswith(room["roomUrl"] + "?roomKey=")
    assert room["hostRoomUrl"] != room["viewerRoomUrl"]
    assert not room["startDate"].startswith("2001")


def test_prefix_is_lowercased_and_stripped(api: httpx.Client) -> None:
    assert create(api, roomNamePrefix=" Team Sync ")["roomName"].startswith("/teamsync")
    short = create(api, roomNamePattern="human-short", roomNamePrefix="ab-")
    assert re.fullmatch(r"/ab-[a-z0-9]{6}", short["roomName"])


def test_viewer_mode_template(api: httpx.Client) -> None:
    room = create(api, templateType="viewerMode")
    assert "hostRoomUrl" in room
    assert "viewerRoomUrl" in room
    with httpx.Client(timeout=5) as web:
        knock = web.get(room["roomUrl"])  # locked: a participant must knock
        assert knock.status_code == 200
        assert "locked" in knock.text
        assert "as host" in web.get(room["hostRoomUrl"]).text
        assert "as viewer" in web.get(room["viewerRoomUrl"]).text


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"endDate": "tomorrow"},
        {"endDate": "2001-01-01T00:00:00Z"},
        {"endDate": end_in(), "isLocked": "yes"},
        {"endDate": end_in(), "roomMode": "huge"},
        {"endDate": end_in(), "roomNamePrefix": "bad_prefix!"},
        {"endDate": end_in(), "roomNamePrefix": "a" * 40},
        {"endDate": end_in(), "roomNamePattern": "short"},
        {"endDate": end_in(), "templateType": "webinar"},
        {"endDate": end_in(), "fields": ["roomKey"]},
        {"endDate": end_in(), "fields": "hostRoomUrl"},
        {"endDate": end_in(), "rtmpUrl": "rtmp://x/live"},
        {"endDate": end_in(), "streaming": {"destination": {"url": "https://x.test/live"},
                                            "startTrigger": "prompt"}},
        {"endDate": end_in(), "streaming": {"destination": {"url": "rtmp://x/live"}}},
        {"endDate": end_in(), "streaming": {"rtmpUrl": "rtmp://x/live", "startTrigger": None,
                                            "destination": {"url": "rtmp://x/live"}}},
        {"endDate": end_in(), "recording": {"type": "cloud", "destination": None}},
        {"endDate": end_in(), "recording": {"type": "vhs", "destination": None,
                                            "startTrigger": None}},
        {"endDate": end_in(), "recording": {"type": "cloud", "destination": {"provider": "s3"},
                                            "startTrigger": "none"}},
        {"endDate": end_in(), "liveTranscription": {"destination": None, "startTrigger": "none",
                                                    "language": "klingon"}},
    ],
)  # fmt: skip
def test_create_validation(api: httpx.Client, body: dict[str, Any]) -> None:
    assert_400(api.post("/meetings", json=body))


def test_spec_language_values_with_trailing_comma_are_accepted(api: httpx.Client) -> None:
    body = {"destination": None, "startTrigger": None, "language": "en,"}
    assert (
        api.post("/meetings", json={"endDate": end_in(), "liveTranscription": body}).status_code
        == 201
    )


def test_invalid_json_body(api: httpx.Client) -> None:
    assert_400(
        api.post("/meetings", content=b"{not json", headers={"Content-Type": "application/json"})
    )


# ---------------------------------------------------------------------------- get, delete


def test_get_and_fields(api: httpx.Client) -> None:
    room = create(api)
    got = api.get(f"/meetings/{room['meetingId']}")
    assert got.status_code == 200
    assert got.json() == room
    with_fields = api.get(
        f"/meetings/{room['meetingId']}", params={"fields": "hostRoomUrl,viewerRoomUrl"}
    ).json()
    assert "hostRoomUrl" in with_fields
    assert "viewerRoomUrl" in with_fields
    assert_400(api.get(f"/meetings/{room['meetingId']}", params={"fields": "password"}))
    assert api.get("/meetings/does-not-exist").status_code == 404


def test_delete_is_idempotent(api: httpx.Client) -> None:
    room = create(api)
    path = f"/meetings/{room['meetingId']}"
    for _ in range(2):
        response = api.delete(path)
        assert response.status_code == 204
        assert response.content == b""
    assert api.get(path).status_code == 404
    assert api.delete("/meetings/never-existed").status_code == 204
    listed = api.get("/meetings", params={"limit": 100}).json()["results"]
    assert room["meetingId"] not in {r["meetingId"] for r in listed}


def test_room_gone_an_hour_after_end(sandbox: RunningSandbox, api: httpx.Client) -> None:
    room = create(api, endDate=end_in(hours=1))
    path = f"/meetings/{room['meetingId']}"
    ended = dt.datetime.fromisoformat(room["endDate"])
    sandbox.state.set_clock(lambda: ended + dt.timedelta(minutes=59))
    assert api.get(path).status_code == 200
    sandbox.state.set_clock(lambda: ended + dt.timedelta(hours=1, seconds=1))
    assert api.get(path).status_code == 404
    assert httpx.get(room["roomUrl"]).status_code == 404


# ---------------------------------------------------------------------------- list


def test_cursor_pagination_through_several_pages(
    sandbox: RunningSandbox, api: httpx.Client
) -> None:
    sandbox.state.bulk("whereby", 25)
    everything = api.get("/meetings", params={"limit": 100}).json()
    assert everything["cursor"] is None
    expected = [r["meetingId"] for r in everything["results"]]
    assert len(expected) >= 28
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 10}
        if cursor is not None:
            params["cursor"] = cursor
        page = api.get("/meetings", params=params).json()
        pages += 1
        assert len(page["results"]) <= 10
        seen.extend(r["meetingId"] for r in page["results"])
        cursor = page["cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
        assert len(page["results"]) == 10
    assert pages >= 3
    assert seen == expected
    assert len(set(seen)) == len(seen)


def test_list_defaults_and_fields(api: httpx.Client) -> None:
    page = api.get("/meetings").json()
    assert len(page["results"]) <= 50
    with_fields = api.get("/meetings", params={"limit": 2, "fields": "hostRoomUrl"}).json()
    assert all("hostRoomUrl" in r for r in with_fields["results"])


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"cursor": "zz"}, {"cursor": "00ff"},
     {"fields": "hostRoomUrl,secret"}],
)  # fmt: skip
def test_list_validation(api: httpx.Client, params: dict[str, Any]) -> None:
    assert_400(api.get("/meetings", params=params))


# ---------------------------------------------------------------------------- OpenAPI


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    data = json.loads(require_reference(SPEC_PATH).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    assert data["openapi"].startswith("3.0")
    return data


def _declared(spec: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    """The response object the spec declares, with ``$ref`` followed."""
    responses = spec["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} does not declare {status}"
    response = responses[str(status)]
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[1]
        response = spec["components"]["responses"][name]
    assert isinstance(response, dict)
    return response


def _validate(spec: dict[str, Any], path: str, method: str, response: httpx.Response) -> None:
    declared = _declared(spec, path, method, response.status_code)
    content = declared.get("content", {}).get("application/json")
    if content is None:
        return  # the spec declares no body for this status
    schema = {**content["schema"], "components": spec["components"]}
    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    validator.validate(response.json())


def test_responses_match_the_official_schemas(
    sandbox: RunningSandbox, api: httpx.Client, spec: dict[str, Any]
) -> None:
    created = api.post(
        "/meetings", json={"endDate": end_in(), "fields": ["hostRoomUrl", "viewerRoomUrl"]}
    )
    assert created.status_code == 201
    _validate(spec, "/meetings", "post", created)
    got = api.get(f"/meetings/{created.json()['meetingId']}")
    _validate(spec, "/meetings/{meetingId}", "get", got)
    sandbox.state.bulk("whereby", 3)
    page = api.get("/meetings", params={"limit": 2})
    assert page.status_code == 200
    assert isinstance(page.json()["cursor"], str)
    _validate(spec, "/meetings", "get", page)
    unauthorized = httpx.get(f"{sandbox.provider_urls()['whereby']}/meetings")
    assert unauthorized.status_code == 401
    _validate(spec, "/meetings", "get", unauthorized)
    missing = api.get("/meetings/nope")
    _validate(spec, "/meetings/{meetingId}", "get", missing)
    limited_fault = httpx.put(
        f"{sandbox.base_url}/_sandbox/faults/whereby",
        json={"kind": "rate_limit", "retry_after": 2, "remaining": 1},
    )
    assert limited_fault.status_code == 200
    limited = api.get("/meetings")
    assert limited.status_code == 429
    _validate(spec, "/meetings", "get", limited)
    assert limited.json()["data"]["msLeft"] == 2000
    deleted = api.delete(f"/meetings/{created.json()['meetingId']}")
    _validate(spec, "/meetings/{meetingId}", "delete", deleted)


def test_schema_validation_can_fail(spec: dict[str, Any]) -> None:
    schema = {**spec["components"]["schemas"]["Meeting"], "components": spec["components"]}
    validator = OAS30Validator(schema, format_checker=oas30_format_checker)
    assert not validator.is_valid(
        {"meetingId": 1, "roomUrl": "x", "endDate": "2030-01-01T00:00:00Z"}
    )
    assert not validator.is_valid({"roomUrl": "https://x.test/r"})
    assert not validator.is_valid(
        {"meetingId": "1", "roomUrl": "https://x.test/r", "endDate": "soon"}
    )


def test_last_page_cursor_is_null_as_the_description_says(
    api: httpx.Client, spec: dict[str, Any]
) -> None:
    """The list schema types ``cursor`` as a plain string but documents ``null`` at the end.

    The sandbox follows the description (and the docs); the page is validated against the
    official schema with only ``nullable: true`` added to ``cursor``.
    """
    last = api.get("/meetings", params={"limit": 100})
    assert last.json()["cursor"] is None
    declared = _declared(spec, "/meetings", "get", 200)["content"]["application/json"]["schema"]
    assert "null" in declared["properties"]["cursor"]["description"]
    schema = copy.deepcopy(declared)
    schema["properties"]["cursor"]["nullable"] = True
    OAS30Validator(
        {**schema, "components": spec["components"]}, format_checker=oas30_format_checker
    ).validate(last.json())
