"""Pure tests of the UCWA protocol with the documented samples (PROVIDERS.md §3, seed 002)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from launcher.core.errors import (
    AuthenticationRequired,
    InvalidInput,
    JoinFailed,
    NotFound,
    ProtocolViolation,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    Rejected,
)
from launcher.core.models import Provider, Role
from launcher.core.timeutil import parse_ms_date
from launcher.providers.base import JoinProgress
from launcher.providers.http import HttpResponse
from launcher.providers.skype import protocol
from launcher.providers.skype.protocol import Event, JoinTracker, Reason

DATA = Path(__file__).resolve().parents[2] / "data" / "skype"
APPS = "https://lyncweb.contoso.com/ucwa/oauth/v1/applications"
JOIN = "https://fe1.contoso.com:443/ucwa/v1/applications/192/communication/joinOnlineMeeting"
URI = "sip:bmauldin@contoso.com;gruu;opaque=app:conf:focus:id:IB88RLLY"


def sample(name: str) -> Any:
    return json.loads((DATA / name).read_bytes())


def resp(
    status: int,
    body: Any = None,
    *,
    url: str = APPS,
    raw: bytes | None = None,
    content_type: str = "application/json; charset=utf-8",
    headers: dict[str, str] | None = None,
    multi: dict[str, tuple[str, ...]] | None = None,
) -> HttpResponse:
    if raw is None:
        raw = b"" if body is None else json.dumps(body).encode()
    return HttpResponse(
        status=status,
        headers={"content-type": content_type, **(headers or {})},
        body=raw,
        url=url,
        multi_headers=multi or {},
    )


# ---- links and discovery ----------------------------------------------------------------


def test_documented_discovery_gives_the_user_link():
    links = protocol.parse_links(
        resp(200, sample("discovery.json"), url="https://lyncdiscover.contoso.com/")
    )
    assert links.user == (
        "https://lyncweb.contoso.com/Autodiscover/AutodiscoverService.svc/root/oauth/user"
        "?originalDomain=contoso.com"
    )
    assert links.applications is None
    assert links.redirect is None


def test_documented_user_resource_gives_the_applications_link():
    links = protocol.parse_links(resp(200, sample("user.json")))
    assert links.applications == APPS


def test_relative_links_resolve_against_the_serving_url():
    body = {"_links": {"redirect": {"href": "/Autodiscover/root?x=1"}}}
    links = protocol.parse_links(resp(200, body, url="https://pool2.contoso.com/a/b/user"))
    assert links.redirect == "https://pool2.contoso.com/Autodiscover/root?x=1"


@pytest.mark.parametrize(
    "href", ["javascript:alert(1)", "file:///etc/passwd", "http://lyncweb.contoso.com/user"]
)
def test_unsafe_links_are_refused(href: str):
    body = {"_links": {"user": {"href": href}}}
    with pytest.raises(ProtocolViolation):
        protocol.parse_links(resp(200, body, url="https://lyncdiscover.contoso.com/"))


def test_repeated_rel_takes_the_first():
    body = {"_links": {"user": [{"href": "/u1"}, {"href": "/u2"}]}}
    assert protocol.parse_links(resp(200, body, url="https://h/")).user == "https://h/u1"


def test_discovery_without_links():
    with pytest.raises(ProtocolViolation):
        protocol.parse_links(resp(200, {"_links": {"self": {"href": "/"}}}))


def test_discovery_answered_by_a_proxy_page():
    with pytest.raises(ProviderUnavailable):
        protocol.parse_links(resp(404, raw=b"<html>Not Found</html>", content_type="text/html"))
    with pytest.raises(ProtocolViolation):
        protocol.parse_links(resp(200, raw=b"<html>Sign in</html>", content_type="text/html"))


# ---- WWW-Authenticate ------------------------------------------------------------------


OAUTH_URL = "https://lyncweb.contoso.com/WebTicket/oauthtoken"
GRANTS = ("urn:microsoft.rtc:windows", "urn:microsoft.rtc:anonmeeting", "password")


def test_documented_challenges_as_separate_values():
    assert protocol.parse_ms_rtc_oauth(sample("www_authenticate.json")) == (OAUTH_URL, GRANTS)


def test_challenges_folded_into_one_value():
    folded = ", ".join(sample("www_authenticate.json"))
    assert protocol.parse_ms_rtc_oauth([folded]) == (OAUTH_URL, GRANTS)
    assert protocol.parse_ms_rtc_oauth(folded) == (OAUTH_URL, GRANTS)


def test_challenge_scheme_and_params_are_case_insensitive_and_may_be_bare():
    value = 'msrtcoauth GRANT_TYPE=password, Href = "https://h/t\\"x"'
    assert protocol.parse_ms_rtc_oauth([value]) == ('https://h/t"x', ("password",))
    assert protocol.parse_ms_rtc_oauth(["MsRtcOAuth href=https://h/tok"]) == ("https://h/tok", ())


@pytest.mark.parametrize(
    "values",
    [
        [],
        [""],
        ['Bearer trusted_issuers="x", client_id="y"'],
        ['MsRtcOAuth grant_type="password"'],
        ['Basic realm="MsRtcOAuth href=x"'],
    ],
)
def test_no_usable_challenge(values: list[str]):
    with pytest.raises(ProtocolViolation):
        protocol.parse_ms_rtc_oauth(values)


def test_parse_challenge_reads_multi_headers_and_resolves():
    r = resp(
        401,
        raw=b"<html>401</html>",
        content_type="text/html",
        url="https://lyncweb.contoso.com/Autodiscover/user",
        multi={
            "www-authenticate": (
                'Bearer x="y"',
                'MsRtcOAuth href="/WebTicket/oauthtoken",grant_type="password"',
            )
        },
    )
    challenge = protocol.parse_challenge(r)
    assert challenge.token_url == OAUTH_URL
    assert challenge.grant_types == ("password",)


def test_parse_challenge_falls_back_to_the_single_header():
    r = resp(
        401,
        url="https://h/u",
        headers={"www-authenticate": 'MsRtcOAuth href="/t",grant_type="password"'},
    )
    assert protocol.parse_challenge(r).token_url == "https://h/t"


# ---- token -----------------------------------------------------------------------------


def test_password_grant_is_form_encoded():
    req = protocol.build_token(OAUTH_URL, "johndoe", "p@ss word")
    assert (req.method, req.url) == ("POST", OAUTH_URL)
    assert dict(req.form or {}) == {
        "grant_type": "password",
        "username": "johndoe",
        "password": "p@ss word",
    }
    assert req.json is None
    assert "p@ss" not in repr(req)


def test_documented_token_answer():
    token = protocol.parse_token(resp(200, sample("token.json")))
    assert token.access_token == "cwt=AAEB...buHc"
    assert token.expires_in == 28289
    assert "cwt=" not in repr(token)


def test_invalid_grant_means_wrong_password():
    with pytest.raises(AuthenticationRequired) as info:
        protocol.parse_token(resp(400, sample("token_invalid_grant.json")))
    assert "user name or password" in str(info.value)
    assert info.value.code == "invalid_grant"


def test_other_token_errors():
    with pytest.raises(Rejected) as info:
        protocol.parse_token(resp(400, {"error": "unsupported_grant_type"}))
    assert info.value.code == "unsupported_grant_type"
    with pytest.raises(ProviderUnavailable):
        protocol.parse_token(resp(400, {"error": "server_error"}))
    with pytest.raises(ProtocolViolation):
        protocol.parse_token(resp(200, {"token_type": "Bearer"}))


# ---- application -----------------------------------------------------------------------


def test_create_application_body():
    req = protocol.build_create_application(
        APPS, "cwt=x", user_agent="MeetingLauncher/0.1.0", endpoint_id="a917c6f4", culture="en-US"
    )
    assert req.json == {
        "userAgent": "MeetingLauncher/0.1.0",
        "endpointId": "a917c6f4",
        "culture": "en-US",
    }
    assert req.headers["Authorization"] == "Bearer cwt=x"
    with pytest.raises(InvalidInput):
        protocol.build_create_application(
            APPS, None, user_agent="x" * 101, endpoint_id="e", culture="en-US"
        )


def test_documented_application_links_resolve_against_the_applications_url():
    app = protocol.parse_application(resp(201, sample("application.json")))
    host = "https://lyncweb.contoso.com/ucwa/oauth/v1/applications/105"
    assert app.self_href == host
    assert app.events_href == f"{host}/events?ack=1"
    assert app.my_online_meetings_href == f"{host}/onlineMeetings/myOnlineMeetings"
    assert app.join_href == f"{host}/communication/onlineMeetingInvitations"
    assert app.me_uri == "sip:lenea@contoso.com"


def test_application_without_events_link():
    with pytest.raises(ProtocolViolation):
        protocol.parse_application(resp(201, {"_links": {"self": {"href": "/a/1"}}}))


# ---- online meetings ---------------------------------------------------------------------


def test_ms_date_of_the_sample():
    expected = dt.datetime(2016, 9, 26, 23, 20, 29, 51000, tzinfo=dt.UTC)
    assert parse_ms_date("/Date(1474932029051)/") == expected
    assert parse_ms_date("\\/Date(1474932029051)\\/") == expected
    assert parse_ms_date("2016-09-26T23:20:29.051Z") == expected


def test_documented_online_meeting_maps_every_field():
    (m,) = protocol.parse_my_online_meetings(
        resp(200, sample("my_online_meetings.json")),
        account="corp",
        user_uri="sip:aikc@contoso.com",
    )
    assert m.provider is Provider.SKYPE
    assert m.id == "IB88RLLY"
    assert m.title == "Quarterly sales numbers"
    assert (m.start, m.end) == (None, None)
    assert m.expires == dt.datetime(2016, 9, 26, 23, 20, 29, 51000, tzinfo=dt.UTC)
    assert m.join_url == "https://meet.contoso.com/bmauldin/IB88RLLY"
    assert m.online_meeting_uri == URI
    assert m.number == "12983487"
    assert m.organizer == "sip:bmauldin@contoso.com"
    assert m.participants == ("sip:johndoe@contoso.com",)
    assert m.role is Role.PRESENTER  # a leader
    assert m.description == "Quarterly sales review"


@pytest.mark.parametrize(
    ("user", "role"),
    [
        ("sip:bmauldin@contoso.com", Role.PRESENTER),  # organizer
        ("SIP:AIKC@contoso.com", Role.PRESENTER),  # leader, any case
        ("sip:johndoe@contoso.com", Role.VIEWER),  # attendee
        (None, Role.VIEWER),
    ],
)
def test_online_meeting_role(user: str | None, role: Role):
    (m,) = protocol.parse_my_online_meetings(
        resp(200, sample("my_online_meetings.json")), account="corp", user_uri=user
    )
    assert m.role is role


def test_assigned_meeting_is_listed_once_and_single_objects_are_accepted():
    item = sample("my_online_meetings.json")["_embedded"]["myOnlineMeeting"][0]
    other = {
        "onlineMeetingId": "1XAW22CG",
        "joinUrl": "javascript:alert(1)",
        "onlineMeetingUri": "tel:1",
    }
    body = {"_embedded": {"myOnlineMeeting": item, "myAssignedOnlineMeeting": [other, item]}}
    meetings = protocol.parse_my_online_meetings(resp(200, body), account="a", user_uri=None)
    assert [m.id for m in meetings] == ["IB88RLLY", "1XAW22CG"]
    assert meetings[1].title == "Skype meeting 1XAW22CG"
    assert meetings[1].join_url is None  # only web links are kept
    assert meetings[1].online_meeting_uri is None


def test_empty_meeting_list():
    assert (
        protocol.parse_my_online_meetings(
            resp(200, {"rel": "myOnlineMeetings"}), account="a", user_uri=None
        )
        == []
    )


@pytest.mark.parametrize(
    "item",
    [{"subject": "no id"}, {"onlineMeetingId": "X", "expirationTime": "someday"}, "IB88RLLY"],
)
def test_malformed_online_meetings(item: Any):
    with pytest.raises(ProtocolViolation):
        protocol.parse_my_online_meetings(
            resp(200, {"_embedded": {"myOnlineMeeting": [item]}}), account="a", user_uri=None
        )


def test_still_open_drops_meetings_expired_before_start():
    (m,) = protocol.parse_my_online_meetings(
        resp(200, sample("my_online_meetings.json")), account="a", user_uri=None
    )
    assert protocol.still_open(m, None)
    assert protocol.still_open(m, dt.datetime(2016, 9, 1, tzinfo=dt.UTC))
    assert not protocol.still_open(m, dt.datetime(2016, 10, 1, tzinfo=dt.UTC))


# ---- join request and synchronous errors ---------------------------------------------------


def test_join_request_follows_the_seed_example():
    req = protocol.build_join(
        JOIN,
        "cwt=x",
        online_meeting_uri=URI,
        operation_id="74cb7404e0a247d5a2d4eb0376a47dbf",
        subject="SkypeforBusiness",
    )
    assert (req.method, req.url) == ("POST", JOIN)
    assert req.json == {
        "onlineMeetingUri": URI,
        "operationId": "74cb7404e0a247d5a2d4eb0376a47dbf",
        "importance": "Normal",
        "subject": "SkypeforBusiness",
    }


def test_join_request_without_subject_omits_it():
    req = protocol.build_join(JOIN, None, online_meeting_uri=URI, operation_id="1")
    assert "subject" not in req.json


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (
            {"online_meeting_uri": "https://meet.contoso.com/bmauldin/IB88RLLY"},
            "online_meeting_uri",
        ),
        ({"online_meeting_uri": "sip:"}, "online_meeting_uri"),
        ({"online_meeting_uri": "sip:" + "a" * 2045}, "online_meeting_uri"),
        ({"online_meeting_uri": "sip:a b@c"}, "online_meeting_uri"),
        ({"subject": "s" * 251}, "subject"),
        ({"operation_id": "o" * 51}, "operation_id"),
        ({"operation_id": ""}, "operation_id"),
    ],
)
def test_join_validation(kwargs: dict[str, str], field: str):
    args = {"online_meeting_uri": URI, "operation_id": "op", "subject": None, **kwargs}
    with pytest.raises(InvalidInput) as info:
        protocol.build_join(JOIN, None, **args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_join_limits_are_inclusive():
    uri = "sip:" + "a" * 2044
    req = protocol.build_join(
        JOIN, None, online_meeting_uri=uri, operation_id="o" * 50, subject="s" * 250
    )
    assert req.json["onlineMeetingUri"] == uri


def test_join_201_location_resolves_against_the_join_url():
    r = resp(
        201,
        url=JOIN,
        headers={"location": "/ucwa/v1/applications/192/communication/invitations/711"},
    )
    assert (
        protocol.parse_join(r)
        == "https://fe1.contoso.com:443/ucwa/v1/applications/192/communication/invitations/711"
    )
    assert protocol.parse_join(resp(201, url=JOIN)) is None


def err(status: int, code: str, subcode: str | None = None, message: str = "m") -> HttpResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if subcode is not None:
        body["subcode"] = subcode
    return resp(status, body, url=JOIN)


SEED_002_ROWS = [
    (
        err(404, "NotFound", "DestinationNotFound"),
        NotFound,
        None,
        "could not be found: check the link",
    ),
    (err(403, "Forbidden"), Rejected, "Forbidden", "does not match"),
    (err(403, "Forbidden", "None"), Rejected, "Forbidden", "does not match"),
    (
        err(500, "ServiceFailure", "CallbackChannelError"),
        ProviderUnavailable,
        None,
        "event channel",
    ),
    (err(409, "Conflict", "AlreadyExists"), Rejected, "AlreadyExists", "already under way"),
    (err(409, "Conflict", "TooManyGroups"), Rejected, "TooManyGroups", "too many conversations"),
    (err(409, "Conflict"), Rejected, "Conflict", "does not support"),
    (err(410, "Gone", "CannotRedirect"), ProviderUnavailable, None, "no backup pool"),
]


@pytest.mark.parametrize(("response", "error", "code", "words"), SEED_002_ROWS)
def test_every_synchronous_error_row_of_seed_002(
    response: HttpResponse, error: type[ProviderError], code: str | None, words: str
):
    with pytest.raises(error) as info:
        protocol.parse_join(response)
    assert type(info.value) is error
    assert words in str(info.value)
    assert info.value.status == response.status
    if code is not None:
        assert info.value.code == code  # type: ignore[attr-defined]


def test_documented_error_body_sample():
    with pytest.raises(Rejected) as info:
        protocol.parse_join(resp(409, sample("error_conflict.json"), url=JOIN))
    assert info.value.code == "AlreadyExists"


@pytest.mark.parametrize(
    ("response", "error", "code"),
    [
        (err(410, "Gone", "InactiveApplicationExpired"), Rejected, "InactiveApplicationExpired"),
        (err(410, "Gone", "TooManyApplications"), Rejected, "TooManyApplications"),
        (err(410, "Gone", "UserAgentNotAllowed"), Rejected, "UserAgentNotAllowed"),
        (err(429, "TooManyRequests"), RateLimited, None),
        (err(503, "ServiceUnavailable"), ProviderUnavailable, None),
        (err(401, "Unauthorized"), AuthenticationRequired, None),
        (err(404, "NotFound", "ApplicationNotFound"), ProviderUnavailable, None),
        (
            err(400, "BadRequest", "ParameterValidationFailure"),
            Rejected,
            "ParameterValidationFailure",
        ),
        (err(409, "Conflict", "SomethingNew"), Rejected, "SomethingNew"),
    ],
)
def test_generic_error_rows(response: HttpResponse, error: type[ProviderError], code: str | None):
    with pytest.raises(error) as info:
        protocol.parse_join(response)
    assert type(info.value) is error
    if code is not None:
        assert info.value.code == code  # type: ignore[attr-defined]


def test_410_inactive_application_explains_itself():
    with pytest.raises(Rejected) as info:
        protocol.raise_for_error(err(410, "Gone", "InactiveApplicationExpired"))
    assert "idle" in str(info.value)


def test_html_error_bodies_are_not_parsed():
    html = resp(
        404,
        raw=b'<html><body>{"subcode":"DestinationNotFound"}</body></html>',
        url=JOIN,
        content_type="text/html",
    )
    with pytest.raises(ProviderUnavailable) as info:
        protocol.parse_join(html)
    assert "proxy" in str(info.value)
    assert protocol.error_of(html) is None


def test_error_of_reads_json_errors_only():
    e = protocol.error_of(err(404, "NotFound", "ApplicationNotFound", "gone"))
    assert e == protocol.UcwaError(404, "NotFound", "ApplicationNotFound", "gone")
    assert protocol.error_of(resp(200, {"code": "x"})) is None


# ---- events ------------------------------------------------------------------------------


def test_events_request_sets_timeout_and_keeps_ack():
    req = protocol.build_events(
        "https://h/ucwa/apps/1/events?ack=2&timeout=5", "cwt=x", timeout=180
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(req.url).query)
    assert query == {"ack": ["2"], "timeout": ["180"]}
    assert req.timeout == 180 + protocol.POLL_MARGIN
    assert req.headers["Authorization"] == "Bearer cwt=x"


def test_documented_events_answer():
    batch = protocol.parse_events(
        resp(
            200,
            sample("events_started.json"),
            url="https://h/ucwa/oauth/v1/applications/102/events?ack=1",
        )
    )
    assert batch.follow == "https://h/ucwa/oauth/v1/applications/102/events?ack=2"
    (event,) = batch.events
    assert (event.sender_rel, event.link_rel, event.type) == (
        "communication",
        "onlineMeetingInvitation",
        "started",
    )
    assert event.operation_id == "123"
    assert event.state == "Connecting"
    assert (
        event.link_href == "https://h/ucwa/oauth/v1/applications/102/communication/invitations/711"
    )
    assert (
        event.conversation_href
        == "https://h/ucwa/oauth/v1/applications/102/communication/conversations/5"
    )


@pytest.mark.parametrize("rel", ["resync", "resume", "next"])
def test_events_follow_resync_or_resume(rel: str):
    batch = protocol.parse_events(
        resp(200, {"_links": {rel: {"href": "/events?ack=9"}}}, url="https://h/events?ack=1")
    )
    assert batch.follow == "https://h/events?ack=9"
    assert batch.events == ()


def test_events_without_any_continuation():
    with pytest.raises(ProtocolViolation):
        protocol.parse_events(resp(200, {"_links": {"self": {"href": "/e"}}}))


def test_event_channel_conflict_is_typed():
    with pytest.raises(Rejected) as info:
        protocol.parse_events(err(409, "Conflict", "PGetReplaced"))
    assert info.value.code == "PGetReplaced"


# ---- the join tracker -----------------------------------------------------------------------

INV = "https://h/app/communication/invitations/711"
CONV = "https://h/app/communication/conversations/5"


def invitation(
    kind: str,
    *,
    op: str | None = "op-1",
    status: str | None = None,
    reason: Reason | None = None,
    href: str = INV,
    state: str = "Connecting",
) -> Event:
    return Event(
        "communication",
        "https://h/app/communication",
        "onlineMeetingInvitation",
        href,
        kind,
        status,
        reason,
        op,
        state,
        None,
        CONV,
    )


def lobby(in_lobby: bool, conversation: str = CONV) -> Event:
    return Event(
        "conversation",
        conversation,
        "localParticipant",
        conversation + "/localParticipant",
        "updated",
        in_lobby=in_lobby,
    )


def test_tracker_walks_through_the_lobby():
    tracker = JoinTracker("op-1", INV)
    seen = [tracker.posted()]
    for event in [
        invitation("started"),
        lobby(True),
        invitation("updated"),
        lobby(False),
        invitation("completed", status="Success", state="Connected"),
    ]:
        seen.append(tracker.feed(event))
    assert seen == [
        JoinProgress("connecting", protocol.CONNECTING_MESSAGE),
        None,  # started: already connecting
        JoinProgress("lobby", "Waiting in the lobby until someone lets you in"),
        None,  # the invitation stays Connecting while in the lobby
        JoinProgress("connecting", protocol.ADMITTED_MESSAGE),
        JoinProgress("joined", protocol.JOINED_MESSAGE),
    ]
    assert tracker.done


def test_tracker_ignores_not_in_lobby_when_never_in_the_lobby():
    tracker = JoinTracker("op-1", INV)
    assert tracker.feed(invitation("started")) is not None
    assert tracker.feed(lobby(False)) is None
    assert tracker.feed(invitation("updated")) is None  # unchanged: still connecting


def test_tracker_ignores_other_operations_and_conversations():
    tracker = JoinTracker("op-1")
    assert tracker.feed(invitation("started")) == JoinProgress(
        "connecting", protocol.CONNECTING_MESSAGE
    )
    assert tracker.conversation_href == CONV
    assert (
        tracker.feed(lobby(True, conversation="https://h/app/communication/conversations/6"))
        is None
    )
    assert (
        tracker.feed(
            invitation(
                "completed", op="op-2", status="Failure", reason=Reason("Forbidden", "Denied")
            )
        )
        is None
    )
    assert not tracker.done


def test_tracker_matches_by_operation_url_when_there_is_no_operation_id():
    tracker = JoinTracker("op-1", INV)
    progress = tracker.feed(invitation("completed", op=None, status="Success"))
    assert progress is not None
    assert progress.state == "joined"
    stranger = JoinTracker("op-1", "https://h/app/communication/invitations/712")
    assert stranger.feed(invitation("completed", op=None, status="Success")) is None


def test_tracker_accepts_an_aggregated_completion_without_status():
    tracker = JoinTracker("op-1")
    progress = tracker.feed(invitation("completed", state="Connected"))
    assert progress is not None
    assert progress.state == "joined"


@pytest.mark.parametrize(
    ("subcode", "words"),
    [
        ("Denied", "The organiser or a presenter did not let you in from the lobby."),
        ("Ended", "ended"),
        ("Timeout", "took too long"),
        ("InviteesOnly", "invited"),
        ("TooManyParticipants", "full"),
        ("DestinationNotFound", "could not be found"),
        ("Canceled", "cancelled"),
        ("SomethingNew", "Could not join the meeting: the server says no"),
    ],
)
def test_tracker_failures_have_user_sentences(subcode: str, words: str):
    tracker = JoinTracker("op-1")
    with pytest.raises(JoinFailed) as info:
        tracker.feed(
            invitation(
                "completed",
                status="Failure",
                reason=Reason("Forbidden", subcode, "the server says no"),
                state="Failed",
            )
        )
    assert words in str(info.value)
    assert info.value.code == subcode
    assert tracker.done


def test_failure_without_reason():
    tracker = JoinTracker("op-1")
    with pytest.raises(JoinFailed) as info:
        tracker.feed(invitation("completed", status="Failure"))
    assert info.value.code == "Failed"
    assert "Could not join the meeting." in str(info.value)


# ---- join links ---------------------------------------------------------------------------------


def test_documented_join_url_maps_to_the_documented_meeting_uri():
    assert (
        protocol.meeting_uri_from_join_url(
            "https://meet.contoso.com/bmauldin/IB88RLLY", "contoso.com"
        )
        == URI
    )
    assert (
        protocol.meeting_uri_from_join_url(
            "https://MEET.contoso.com/bmauldin/IB88RLLY/?sl=1", "Contoso.com"
        )
        == URI
    )


def test_join_url_under_the_accounts_web_url():
    url = "http://127.0.0.1:8123/skype/meet/demo/LOBBY001"
    assert protocol.meeting_uri_from_join_url(
        url, "contoso.test", web_url="http://127.0.0.1:8123/skype/meet"
    ) == ("sip:demo@contoso.test;gruu;opaque=app:conf:focus:id:LOBBY001")


@pytest.mark.parametrize(
    "url",
    [
        "https://meet.fabrikam.com/bmauldin/IB88RLLY",  # another organisation
        "https://meet.lync.com/contoso/bmauldin/IB88RLLY",  # Online: tenant segment
        "https://meet.contoso.com/bmauldin",
        "https://meet.contoso.com/bmauldin/IB88RLLY/extra",
        "https://meet.contoso.com.evil.com/bmauldin/IB88RLLY",
        "https://meet.contoso.com@evil.com/bmauldin/IB88RLLY",
        "ftp://meet.contoso.com/bmauldin/IB88RLLY",
        "http://[::1/x/y",
        "",
        "https://127.0.0.1:8123/skype/meetx/demo/LOBBY001",
    ],
)
def test_unrecognised_join_urls(url: str):
    assert (
        protocol.meeting_uri_from_join_url(
            url, "contoso.com", web_url="https://127.0.0.1:8123/skype/meet"
        )
        is None
    )


def test_bad_sip_domain():
    assert protocol.meeting_uri_from_join_url("https://meet.contoso.com/a/B", "contoso") is None
    assert (
        protocol.meeting_uri_from_join_url("https://meet.contoso.com/a/B", "con;toso.com") is None
    )


# ---- properties ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=20,
)
link = st.fixed_dictionaries({"href": st.text(max_size=20) | st.just("/x")})
links = st.dictionaries(
    st.sampled_from(
        [
            "self",
            "next",
            "user",
            "applications",
            "redirect",
            "events",
            "resync",
            "resume",
            "conversation",
        ]
    ),
    link | json_values,
    max_size=4,
)
ucwa_like = st.fixed_dictionaries(
    {},
    optional={
        "_links": links | json_values,
        "_embedded": json_values
        | st.fixed_dictionaries(
            {},
            optional={
                "myOnlineMeeting": json_values,
                "communication": st.fixed_dictionaries({"_links": links}),
            },
        ),
        "sender": json_values
        | st.lists(
            st.fixed_dictionaries(
                {
                    "rel": json_values,
                    "href": json_values,
                    "events": st.lists(
                        st.fixed_dictionaries(
                            {
                                "link": json_values | link,
                                "type": json_values,
                                "_embedded": json_values,
                            }
                        ),
                        max_size=3,
                    ),
                }
            ),
            max_size=2,
        ),
        "access_token": json_values,
        "expires_in": json_values,
        "code": json_values,
        "subcode": json_values,
        "error": json_values,
    },
)
statuses = st.sampled_from([200, 201, 204, 302, 400, 401, 403, 404, 409, 410, 429, 500, 503])


def _body(value: Any) -> bytes:
    try:
        return json.dumps(value).encode()
    except (ValueError, TypeError):
        return b"null"


@given(
    status=statuses,
    body=ucwa_like | json_values,
    location=st.none() | st.text(max_size=30),
    json_type=st.booleans(),
)
def test_parsers_raise_only_provider_errors(
    status: int, body: Any, location: str | None, json_type: bool
):
    headers = {"location": location} if location is not None else {}
    response = resp(
        status,
        raw=_body(body),
        headers=headers,
        content_type="application/json" if json_type else "text/html",
    )
    parsers = [
        protocol.parse_links,
        protocol.parse_challenge,
        protocol.parse_token,
        protocol.parse_application,
        lambda r: protocol.parse_my_online_meetings(r, account="a", user_uri="sip:a@b.c"),
        protocol.parse_join,
        protocol.parse_events,
        protocol.raise_for_error,
    ]
    for parse in parsers:
        try:
            parse(response)
        except ProviderError:
            pass


@given(values=st.lists(st.text(max_size=60), max_size=3))
def test_www_authenticate_parser_never_raises_unexpectedly(values: list[str]):
    try:
        href, grants = protocol.parse_ms_rtc_oauth(values)
    except ProtocolViolation:
        return
    assert isinstance(href, str)
    assert href
    assert all(isinstance(g, str) and g for g in grants)


quoted_safe = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)


@given(
    href=quoted_safe.filter(lambda s: s.strip() == s),
    grants=st.lists(st.from_regex(r"[a-z:.]{1,12}", fullmatch=True), max_size=3),
    before=st.booleans(),
)
def test_www_authenticate_round_trip(href: str, grants: list[str], before: bool):
    escaped = href.replace("\\", "\\\\").replace('"', '\\"')
    challenge = f'MsRtcOAuth href="{escaped}",grant_type="{",".join(grants)}"'
    values = ['Bearer trusted_issuers="a, b", client_id="c"', challenge] if before else [challenge]
    assert protocol.parse_ms_rtc_oauth(values) == (href, tuple(grants))


@given(url=st.text(max_size=80), domain=st.text(max_size=20), web=st.none() | st.text(max_size=30))
def test_meeting_uri_from_join_url_never_raises(url: str, domain: str, web: str | None):
    result = protocol.meeting_uri_from_join_url(url, domain, web_url=web)
    assert result is None or result.startswith("sip:")


@given(
    user=st.from_regex(r"[a-z][a-z0-9.]{0,10}", fullmatch=True),
    meeting=st.from_regex(r"[A-Z0-9]{1,12}", fullmatch=True),
)
def test_meeting_uri_round_trip(user: str, meeting: str):
    uri = protocol.meeting_uri_from_join_url(
        f"https://meet.contoso.com/{user}/{meeting}", "contoso.com"
    )
    assert uri == f"sip:{user}@contoso.com;gruu;opaque=app:conf:focus:id:{meeting}"


events = st.builds(
    Event,
    sender_rel=st.sampled_from(["communication", "conversation", "me"]),
    sender_href=st.none() | st.just(CONV),
    link_rel=st.sampled_from(["onlineMeetingInvitation", "localParticipant", "participant"]),
    link_href=st.none() | st.just(INV),
    type=st.sampled_from(["started", "updated", "completed", "added", "deleted", ""]),
    status=st.none() | st.sampled_from(["Success", "Failure", "x"]),
    reason=st.none()
    | st.builds(
        Reason,
        st.none() | st.text(max_size=5),
        st.none() | st.text(max_size=10),
        st.text(max_size=10),
    ),
    operation_id=st.none() | st.sampled_from(["op-1", "op-2"]),
    state=st.none() | st.sampled_from(["Connecting", "Connected", "Failed"]),
    in_lobby=st.none() | st.booleans(),
    conversation_href=st.none() | st.just(CONV),
)


@given(stream=st.lists(events, max_size=12))
def test_tracker_only_ever_raises_join_failed(stream: list[Event]):
    tracker = JoinTracker("op-1", INV)
    states = []
    for event in stream:
        try:
            progress = tracker.feed(event)
        except JoinFailed:
            assert tracker.done
            break
        if progress is not None:
            states.append(progress.state)
    assert all(s in {"connecting", "lobby", "joined"} for s in states)
    assert all(a != b or a == "connecting" for a, b in itertools.pairwise(states))
    assert "joined" not in states[:-1]
