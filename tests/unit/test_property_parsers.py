"""Property tests on every parser and validator of imported data (issue 4, "Bad input").

The provider parsers are found by introspection (every ``parse_*``, ``*_from_json``,
``raise_for_error`` and ``error_*`` function of ``launcher/providers/*/protocol.py``), so
a parser added later is covered without a change here; one taking a parameter this file
does not know fails loudly, asking for a value.

Each is fed arbitrary JSON (nested objects and lists, keys from the provider's own
vocabulary, huge integers, NaN and infinite floats, None, odd strings), arbitrary bytes,
odd statuses and headers, and must raise only the typed errors (ProviderError), never
KeyError, TypeError, ValueError, AttributeError, OverflowError or RecursionError.

The number of examples comes from the Hypothesis profile (tests/conftest.py): 200 in
CI, ``HYPOTHESIS_PROFILE=nightly`` 10,000 (``scripts/nightly.sh``).
"""

# ruff: noqa: PT017 - a property test checks the errors it allows where it catches them

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import math
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from launcher.core.errors import (
    ConfigError,
    InvalidInput,
    LauncherError,
    ProtocolViolation,
    ProviderError,
)
from launcher.core.joinflow import (
    AskLogin,
    AskPasscode,
    Cancelled,
    ExplainNotInvited,
    JoinFlowAction,
    NoteWaitingRoom,
    OpenUrl,
    RunPrecheck,
    bluejeans_join_flow,
    verdict,
)
from launcher.core.links import (
    MAX_URL_LENGTH,
    WebBase,
    check_openable,
    check_role_link,
    parse_target,
)
from launcher.core.models import Meeting, Provider, Role
from launcher.core.timeutil import (
    from_epoch_ms,
    parse_iso,
    parse_ms_date,
    parse_user_datetime,
)
from launcher.core.validate import is_email, is_host_name, require_http_url, require_text
from launcher.providers.http import HttpResponse

PROVIDERS = ("bluejeans", "joinme", "whereby", "skype")
MODULES = {name: importlib.import_module(f"launcher.providers.{name}.protocol")
           for name in PROVIDERS}

# The keys each provider's parsers read: objects built from them reach the deep paths.
VOCABULARY = {
    "bluejeans": [
        "accessToken", "access_token", "attendeePasscode", "attendees", "description",
        "email", "end", "enterprise", "expires_in", "firstname", "id", "lastname",
        "message", "moderator", "numericMeetingId", "scope", "start", "timelessMeeting",
        "title", "user", "username", "users", "error", "error_description",
    ],
    "joinme": [
        "conferenceCallNumbersUrl", "conferenceId", "meetingEnd", "meetingStart",
        "organizerCode", "viewerLink", "ErrorCode", "Message", "audioConference",
        "callbackUrl", "errorCode", "meetingId", "meetingName", "meetings", "message",
        "participants", "presenterLink", "webhooksStatus", "code",
    ],
    "whereby": [
        "endDate", "hostRoomUrl", "roomName", "roomUrl", "startDate", "viewerRoomUrl",
        "cursor", "error", "meetingId", "message", "results",
    ],
    "skype": [
        "_embedded", "_links", "access_token", "attendees", "code", "communication",
        "conferenceId", "description", "error", "events", "expirationTime", "expires_in",
        "href", "inLobby", "joinUrl", "leaders", "link", "me", "message", "onlineMeetingId",
        "onlineMeetingUri", "onlineMeetings", "operationId", "organizerUri", "reason", "rel",
        "sender", "state", "status", "subcode", "subject", "type", "uri", "user", "self",
        "next", "applications", "myOnlineMeetings", "onlineMeetingInvitation",
        "localParticipant", "token_type", "ms_rtc_identityscope",
    ],
}

ODD_TEXT = st.sampled_from([
    "", " ", "null", "0", "-1", "1e999", "NaN", "2024-06-04T10:00:00Z", "2024-06-04T10:00:00",
    "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2024-02-30T10:00:00Z",
    "/Date(1474932029051)/", "/Date(-999999999999999)/", "/Date(999999999999999)/",
    "http://127.0.0.1:1/x", "https://join.me/abc", "/ucwa/oauth/v1/applications/1",
    "//evil.example/x", "javascript:alert(1)", "\x00", "\ud7ff", "a" * 300, "Success",
    "Failure", "started", "updated", "completed", "Connected", "communication",
    "conversation", "onlineMeetingInvitation", "localParticipant", "GET_PASSCODE",
    "JOIN_NOW", "stale_token", "invalid_grant", "sip:demo@contoso.test",
])
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([2**63, -(2**63) - 1, 10**30, 10**400, -(10**400)])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | ODD_TEXT
)


def json_values(provider: str) -> st.SearchStrategy[Any]:
    """Arbitrary JSON whose objects use the provider's keys (and others)."""
    keys = st.sampled_from(VOCABULARY[provider]) | st.text(max_size=10)
    return st.recursive(
        LEAVES,
        lambda children: st.lists(children, max_size=4)
        | st.dictionaries(keys, children, max_size=6),
        max_leaves=25,
    )


def _encode(value: Any) -> bytes:
    try:
        return json.dumps(value).encode("utf-8")
    except (ValueError, TypeError, OverflowError):  # pragma: no cover - defensive
        return b"null"


STATUSES = st.sampled_from([200, 201, 204, 301, 400, 401, 403, 404, 409, 410, 429, 500,
                            503]) | st.integers(min_value=100, max_value=599)
HEADERS = st.dictionaries(
    st.sampled_from(["retry-after", "x-ratelimit-reset", "content-type", "www-authenticate",
                     "x-mashery-error-code", "x-ms-diagnostics", "location"]),
    st.text(max_size=40) | st.sampled_from(["application/json", "1e308", "-5", "nan",
                                            "Thu, 01 Jan 1970 00:00:00 GMT", "99999999999"]),
    max_size=3,
)
URLS = st.sampled_from(["", "http://127.0.0.1:1/skype/ucwa/oauth/v1/applications/1/events",
                        "https://lyncweb.contoso.test/ucwa/x?y=1#z", "not a url"]) | st.text(
    max_size=40)


def responses(provider: str) -> st.SearchStrategy[HttpResponse]:
    """Responses with an arbitrary status, headers, URL and JSON (or raw) body."""
    body = json_values(provider).map(_encode) | st.binary(max_size=80)
    return st.builds(
        HttpResponse,
        status=STATUSES,
        headers=HEADERS,
        body=body,
        url=URLS,
        multi_headers=st.dictionaries(
            st.just("www-authenticate"), st.lists(st.text(max_size=60), max_size=3).map(tuple),
            max_size=1,
        ),
    )


# ---- the parsers, found by introspection -----------------------------------------------

#: Values for the parsers' parameters other than the response (or the object read).
ARGUMENTS: dict[str, Any] = {
    "account": "acc",
    "user_id": "1442589",
    "web_url": "https://bluejeans.com",
    "user_uri": "sip:demo@contoso.test",
}
#: Names of the functions that read provider data, besides ``parse_*``.
READERS = ("raise_for_error", "error_message", "error_of", "is_json")


def _parsers() -> list[tuple[str, str, Callable[..., Any], str]]:
    found = []
    for provider, module in MODULES.items():
        for name, fn in sorted(vars(module).items()):
            if not inspect.isfunction(fn) or fn.__module__ != module.__name__:
                continue
            if name == "parse_ms_rtc_oauth":
                found.append((provider, name, fn, "headers"))
            elif name.startswith("parse_") or name in READERS:
                found.append((provider, name, fn, "response"))
            elif name.endswith("_from_json"):
                found.append((provider, name, fn, "object"))
    return found


PARSERS = _parsers()


def _call(fn: Callable[..., Any], first: Any) -> Any:
    params = list(inspect.signature(fn).parameters.values())[1:]
    kwargs = {}
    for param in params:
        if param.name in ARGUMENTS:
            kwargs[param.name] = ARGUMENTS[param.name]
        elif param.default is inspect.Parameter.empty:
            raise AssertionError(
                f"{fn.__module__}.{fn.__name__} takes {param.name!r}: add a value to ARGUMENTS"
            )
    return fn(first, **kwargs)


def test_the_parsers_were_found() -> None:
    names = {(p, n) for p, n, _, _ in PARSERS}
    assert ("bluejeans", "parse_joinflow") in names
    assert ("joinme", "parse_start_meeting") in names
    assert ("whereby", "parse_list_page") in names
    assert ("skype", "parse_events") in names
    assert len(PARSERS) >= 30


@pytest.mark.parametrize(
    ("provider", "name", "fn", "kind"),
    [p for p in PARSERS if p[3] == "response"],
    ids=[f"{p}.{n}" for p, n, _, k in PARSERS if k == "response"],
)
@given(data=st.data())
def test_response_parsers_raise_only_provider_errors(
    provider: str, name: str, fn: Callable[..., Any], kind: str, data: st.DataObject
) -> None:
    resp = data.draw(responses(provider))
    try:
        _call(fn, resp)
    except ProviderError as exc:
        assert exc.provider == provider
        assert str(exc)  # a message for a person
        assert "Traceback" not in str(exc)


@pytest.mark.parametrize(
    ("provider", "name", "fn", "kind"),
    [p for p in PARSERS if p[3] == "object"],
    ids=[f"{p}.{n}" for p, n, _, k in PARSERS if k == "object"],
)
@given(data=st.data())
def test_object_readers_raise_only_provider_errors(
    provider: str, name: str, fn: Callable[..., Any], kind: str, data: st.DataObject
) -> None:
    value = data.draw(json_values(provider))
    try:
        result = _call(fn, value)
    except ProviderError as exc:
        assert exc.provider == provider
        return
    for field in ("start", "end", "expires"):
        when = getattr(result, field, None)
        assert when is None or when.tzinfo is dt.UTC


@given(values=st.lists(st.text(max_size=80), max_size=4) | st.text(max_size=80))
def test_the_www_authenticate_reader_raises_only_provider_errors(
    values: list[str] | str,
) -> None:
    fn = MODULES["skype"].parse_ms_rtc_oauth
    try:
        fn(values)
    except ProviderError:
        pass


@given(raw=st.binary(max_size=200), status=STATUSES)
def test_response_parsers_survive_raw_bytes(raw: bytes, status: int) -> None:
    for provider, _name, fn, kind in PARSERS:
        if kind != "response":
            continue
        try:
            _call(fn, HttpResponse(status=status, body=raw))
        except ProviderError as exc:
            assert exc.provider == provider


DEEP = [b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000]


@pytest.mark.parametrize("raw", DEEP, ids=["lists", "objects"])
@pytest.mark.parametrize("status", [200, 400, 401, 404, 500])
def test_response_parsers_survive_deep_nesting(raw: bytes, status: int) -> None:
    for provider, _name, fn, kind in PARSERS:
        if kind != "response":
            continue
        try:
            _call(fn, HttpResponse(status=status, body=raw))
        except ProviderError as exc:
            assert exc.provider == provider


# ---- links: pasted text, opening, role links ----------------------------------------------

URLISH = st.one_of(
    st.text(max_size=200),
    st.builds(
        lambda scheme, host, path: f"{scheme}://{host}{path}",
        st.sampled_from(["http", "https", "HTTPS", "ftp", "zoommtg", "javascript", ""]),
        st.sampled_from(["bluejeans.com", "acme.bluejeans.com", "join.me", "whereby.com",
                         "team.whereby.com", "meet.contoso.com", "127.0.0.1:8765", "[::1]",
                         "u:p@join.me", "xn--mnchen-3ya.de", "münchen.de", "evil.example"])
        | st.text(max_size=30),
        st.text(max_size=60),
    ),
)
BASES = [
    WebBase("http://127.0.0.1:8765/bluejeans/web", Provider.BLUEJEANS, "BJ"),
    WebBase("http://127.0.0.1:8765/skype/meet", Provider.SKYPE, "SfB"),
    WebBase("https://whereby.com", Provider.WHEREBY, "WB"),
    WebBase("http://[::zz]/broken", Provider.JOINME, "broken"),
]


@given(text=URLISH)
def test_pasted_links_never_raise_and_give_clean_targets(text: str) -> None:
    target = parse_target(text, BASES)
    if target is None:
        return
    assert target.meeting_id and target.meeting_id.isascii()
    if target.url is not None:
        assert check_openable(target.url) == target.url.strip()


@given(text=URLISH, host=st.sampled_from(["nam02.safelinks.protection.outlook.com",
                                          "safelinks.protection.outlook.com"]),
       extra=st.text(max_size=20))
def test_safelinks_wrapping_reads_like_the_link_inside(text: str, host: str, extra: str) -> None:
    quoted = urllib.parse.quote(text, safe="")
    wrapped = f"https://{host}/?url={quoted}&data={urllib.parse.quote(extra)}&reserved=0"
    inner = parse_target(text, BASES)
    if len(wrapped) <= MAX_URL_LENGTH:
        assert parse_target(wrapped, BASES) == inner


@given(text=URLISH)
def test_only_clean_links_are_opened(text: str) -> None:
    try:
        url = check_openable(text)
    except InvalidInput as exc:
        assert exc.field == "url"
        return
    assert len(url) <= MAX_URL_LENGTH and url == url.strip()
    assert "\\" not in url.split(":", 1)[0]
    assert check_openable(url) == url


@given(text=URLISH, provider=st.sampled_from(list(Provider)), domain=st.none() | URLISH)
def test_role_links_raise_only_typed_errors(
    text: str, provider: Provider, domain: str | None
) -> None:
    try:
        url = check_role_link(text, provider, account_urls=[text, "http://127.0.0.1:8765/x"],
                              domain=domain)
    except (InvalidInput, ProtocolViolation):
        return
    assert url.lower().startswith(("http://", "https://"))


# ---- validators ------------------------------------------------------------------------------


@given(text=st.text(max_size=300) | st.none())
def test_text_and_url_validators_raise_only_invalid_input(text: str | None) -> None:
    for check in (
        lambda: require_text("title", text, max_len=255),
        lambda: require_http_url("base_url", text),  # type: ignore[arg-type]
        lambda: require_http_url("base_url", text, allow_http=False),  # type: ignore[arg-type]
    ):
        try:
            value = check()
        except InvalidInput as exc:
            assert exc.field in {"title", "base_url"}
            if text and len(text) > 12:
                assert text not in exc.reason  # values are not echoed
            continue
        assert value and value == value.strip()


@given(text=st.text(max_size=300) | st.emails())
def test_is_email_and_is_host_name_never_raise(text: str) -> None:
    assert isinstance(is_email(text), bool)
    assert isinstance(is_host_name(text), bool)


def test_email_validator_keeps_to_its_examples() -> None:
    assert is_email("ann@example.com") and not is_email("ann@") and not is_email("a b@c.de")


WHEN = st.datetimes(timezones=st.none() | st.timezones() | st.just(dt.UTC)) | st.sampled_from(
    [dt.datetime.min.replace(tzinfo=dt.UTC), dt.datetime.max.replace(tzinfo=dt.UTC),
     dt.datetime.min.replace(tzinfo=dt.timezone(dt.timedelta(hours=-1)))])
TEXTISH = st.text(max_size=300) | ODD_TEXT | st.emails()


@given(title=TEXTISH, start=WHEN, end=WHEN, people=st.lists(TEXTISH, max_size=4),
       personal=st.booleans())
def test_join_me_draft_validators_raise_only_invalid_input(
    title: str, start: dt.datetime, end: dt.datetime, people: list[str], personal: bool
) -> None:
    jm = MODULES["joinme"]
    current = Meeting("1", "acc", Provider.JOINME, "t", dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
                      dt.datetime(2030, 1, 1, 1, tzinfo=dt.UTC))
    for check in (
        lambda: jm.validate_schedule(jm.ScheduleDraft(title, start, end, tuple(people),
                                                      personal)),
        lambda: jm.validate_patch(current, jm.MeetingPatch(title=title, end=end)),
        lambda: jm.validate_patch(None, jm.MeetingPatch(start=start, participants=tuple(people))),
    ):
        try:
            check()
        except InvalidInput as exc:
            assert exc.field in {"title", "start", "end", "participant", "participants"}


@given(end=WHEN, prefix=st.none() | TEXTISH, locked=st.none() | st.booleans(),
       mode=st.none() | st.sampled_from(["normal", "group", "x"]) | st.text(max_size=8),
       pattern=st.none() | st.sampled_from(["uuid", "human-short"]) | st.text(max_size=8),
       viewer=st.booleans())
def test_whereby_room_validator_raises_only_invalid_input(
    end: dt.datetime, prefix: str | None, locked: bool | None, mode: str | None,
    pattern: str | None, viewer: bool,
) -> None:
    wb = MODULES["whereby"]
    draft = wb.RoomDraft(end=end, is_locked=locked, room_mode=mode, prefix=prefix,
                         pattern=pattern, viewer_mode=viewer)
    try:
        valid = wb.validate_room(draft, dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    except InvalidInput as exc:
        assert exc.field in {"end", "prefix", "mode", "room_mode", "pattern"}
        return
    assert valid.end.tzinfo is not None


@given(provider=st.sampled_from(list(Provider)), name=TEXTISH,
       urls=st.lists(st.none() | URLISH, min_size=4, max_size=4),
       username=st.none() | TEXTISH, secrets=st.lists(st.none() | TEXTISH, min_size=3,
                                                        max_size=3))
def test_the_account_form_validator_raises_only_invalid_input(
    provider: Provider, name: str, urls: list[str | None], username: str | None,
    secrets: list[str | None],
) -> None:
    from launcher.services.accounts import AccountForm, build_account

    form = AccountForm(provider, name, urls[0], urls[1], urls[2], urls[3], username,
                       secrets[0], secrets[1], secrets[2])
    try:
        account, values = build_account(form)
    except InvalidInput:
        return
    for url in (account.base_url, account.relay_url, account.web_url):
        assert url is None or url == require_http_url("url", url)
    for kind, value in values.items():
        assert (value and value.isprintable()) or kind == "password"
        assert kind == "password" or not any(c.isspace() for c in value)


# ---- time parsers ------------------------------------------------------------------------------

TIME_TEXT = (
    st.text(max_size=40)
    | ODD_TEXT
    | st.datetimes(timezones=st.none() | st.timezones()).map(lambda d: d.isoformat())
    | st.builds(lambda n: f"/Date({n})/", st.integers(-(10**16), 10**16))
)


@given(text=TIME_TEXT)
def test_time_parsers_give_aware_utc_or_value_error(text: str) -> None:
    for parse in (parse_iso, parse_ms_date,
                  lambda t: parse_user_datetime(t, local_tz=dt.timezone(dt.timedelta(hours=14))),
                  lambda t: parse_user_datetime(t, local_tz=dt.timezone(dt.timedelta(hours=-12)))):
        try:
            value = parse(text)
        except ValueError:
            continue
        assert value.tzinfo is dt.UTC


@given(value=st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.booleans())
def test_epoch_milliseconds_give_utc_or_value_error(value: float) -> None:
    try:
        when = from_epoch_ms(value)
    except ValueError:
        return
    assert when.tzinfo is dt.UTC and math.isfinite(value)


# ---- the joinflow verdicts --------------------------------------------------------------------

ANSWERS = st.sampled_from(list(JoinFlowAction)) | st.text(max_size=40)
REPLIES = st.none() | st.sampled_from(["1629", "  42 ", "signed-in", "browser", ""]) | st.text(
    max_size=10)


@given(answer=ANSWERS)
def test_every_answer_has_a_verdict(answer: str) -> None:
    v = verdict(answer)
    assert v.message and len(v.message) < 400
    assert v.known == (answer in {a.value for a in JoinFlowAction})


@given(answers=st.lists(ANSWERS, min_size=1, max_size=10),
       replies=st.lists(REPLIES, max_size=10), role=st.sampled_from(list(Role)))
def test_the_join_flow_always_ends_with_open_or_cancel(
    answers: list[str], replies: list[str | None], role: Role
) -> None:
    flow = bluejeans_join_flow(join_url="https://bluejeans.com/123456789", role=role)
    step = next(flow)
    answers_left, replies_left = list(answers), list(replies)
    for _ in range(40):
        if isinstance(step, OpenUrl | Cancelled):
            break
        if isinstance(step, RunPrecheck):
            reply = answers_left.pop(0) if answers_left else "JOIN_NOW"
        elif isinstance(step, NoteWaitingRoom):
            reply = None
        else:
            assert isinstance(step, AskPasscode | AskLogin | ExplainNotInvited)
            reply = replies_left.pop(0) if replies_left else None
        step = flow.send(reply)
    else:
        raise AssertionError("the join flow did not end")
    if isinstance(step, OpenUrl):
        assert step.url == "https://bluejeans.com/123456789" and step.role is role


# ---- local files: settings and the meeting cache ---------------------------------------------

FILE_JSON = st.recursive(
    LEAVES | st.sampled_from(["agenda", "month", "week", "bluejeans", "joinme", "presenter"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(["version", "accounts", "fetched_at", "meetings", "id", "account",
                         "provider", "title", "start", "end", "join_url", "role", "conference",
                         "participants", "expires", "reminder_minutes", "view",
                         "next_meeting_grace_minutes", "tray_notice_shown"])
        | st.text(max_size=8),
        children,
        max_size=6,
    ),
    max_leaves=30,
)
FILE_BYTES = FILE_JSON.map(_encode) | st.binary(max_size=100)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=FILE_BYTES)
def test_a_damaged_settings_file_gives_valid_settings(tmp_path: Path, raw: bytes) -> None:
    from launcher.store.settings import Settings, SettingsStore

    path = tmp_path / "settings.json"
    path.write_bytes(raw)
    store = SettingsStore(path)
    settings_ = store.load()
    assert isinstance(settings_, Settings)
    assert settings_.view in {"agenda", "month", "week"}
    assert settings_.reminder_minutes is None or 0 <= settings_.reminder_minutes <= 120


def _cache_entries_are_valid(db: Any) -> int:
    """Load the meeting cache (all of it, and a week's window); check it; return its size."""
    from launcher.store.cache import MeetingCache

    now = dt.datetime.now(dt.UTC)
    sizes = []
    for window in (None, (now - dt.timedelta(days=1), now + dt.timedelta(days=8))):
        loaded = MeetingCache(db).load(window=window)
        for entry in loaded.values():
            assert entry.fetched_at.tzinfo is not None
            assert all(isinstance(m, Meeting) for m in entry.meetings)
        sizes.append(len(loaded))
    return sizes[0]


#: Garbage as the database file: random bytes, and bytes behind SQLite's own header (so
#: the damage is found inside the file, not at its first byte). SQLite itself takes a
#: file of one byte for an empty database (there is nothing in it to lose): from two on.
DB_BYTES = st.binary(min_size=2, max_size=4096) | st.binary(max_size=4096).map(
    lambda tail: b"SQLite format 3\x00" + tail
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60,
          deadline=None)
@given(raw=DB_BYTES)
def test_a_damaged_database_is_moved_aside_with_a_notice(tmp_path: Path, raw: bytes) -> None:
    """The meeting cache lives in the SQLite database now: garbage there never stops the
    start-up; the file is moved aside (kept for inspection), the user told, the cache empty."""
    import tempfile

    from launcher.store.db import open_database
    from launcher.store.paths import Paths

    with tempfile.TemporaryDirectory(dir=tmp_path) as root:
        paths = Paths.under(Path(root)).ensure()
        paths.database.write_bytes(raw)
        for suffix in ("-wal", "-shm"):  # garbage beside it too
            paths.database.with_name(paths.database.name + suffix).write_bytes(raw[:64])
        db = open_database(paths)
        try:
            assert _cache_entries_are_valid(db) == 0
            assert len(db.notices) == 1 and str(paths.database) in db.notices[0]
            assert "moved to" in db.notices[0]
        finally:
            db.close()
        moved = [p for p in paths.data.iterdir() if ".corrupt-" in p.name]
        assert any(p.read_bytes() == raw for p in moved), "the damaged file was not kept"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(raw=FILE_BYTES | st.builds(
    lambda accounts: _encode({"version": 1, "accounts": accounts}),
    st.dictionaries(st.text(max_size=5), FILE_JSON, max_size=3)))
def test_a_damaged_old_meeting_cache_is_imported_as_empty_or_valid(
    tmp_path: Path, raw: bytes
) -> None:
    """The JSON meeting cache of earlier versions is read once, into the database."""
    import tempfile

    from launcher.store.db import open_database
    from launcher.store.paths import Paths

    with tempfile.TemporaryDirectory(dir=tmp_path) as root:
        paths = Paths.under(Path(root)).ensure()
        paths.legacy_cache_file.write_bytes(raw)
        db = open_database(paths)
        try:
            _cache_entries_are_valid(db)
        finally:
            db.close()
        assert not paths.legacy_cache_file.exists()  # renamed: not read at every start


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=FILE_BYTES)
def test_a_damaged_secrets_file_is_a_config_error(tmp_path: Path, raw: bytes) -> None:
    from launcher.store.secrets import SecretStore

    path = tmp_path / "secrets.json"
    path.write_bytes(raw)
    store = SecretStore(path, backend="file")
    try:
        creds = store.credentials("acc")
        store.get_passcode("m")
    except ConfigError as exc:
        assert str(path) in str(exc)
        return
    assert creds.token is None or isinstance(creds.token, str)


@pytest.mark.parametrize("raw", DEEP, ids=["lists", "objects"])
def test_deeply_nested_local_files_are_handled(tmp_path: Path, raw: bytes) -> None:
    from launcher.store.secrets import SecretStore
    from launcher.store.settings import Settings, SettingsStore

    for name in ("settings.json", "secrets.json"):
        (tmp_path / name).write_bytes(raw)
    store = SettingsStore(tmp_path / "settings.json")
    assert store.load() == Settings() and store.problems
    with pytest.raises(ConfigError):
        SecretStore(tmp_path / "secrets.json", backend="file").credentials("acc")


@pytest.mark.parametrize("raw", DEEP, ids=["lists", "objects"])
def test_a_deeply_nested_old_meeting_cache_or_accounts_file_is_not_fatal(
    tmp_path: Path, raw: bytes
) -> None:
    """The old JSON files are only read once, on the way into the database; nested too
    deeply, they are left out (accounts: with a notice), and the start-up goes on."""
    from launcher.store.accounts import AccountStore
    from launcher.store.db import open_database
    from launcher.store.paths import Paths

    paths = Paths.under(tmp_path).ensure()
    paths.legacy_cache_file.write_bytes(raw)
    paths.accounts_file.write_bytes(raw)
    with open_database(paths) as db:
        assert _cache_entries_are_valid(db) == 0
        assert AccountStore(db).load() == []
        assert any(str(paths.accounts_file) in n for n in db.notices)
    paths.accounts_file.unlink()  # fixed by the user; the cache is read on the next start
    with open_database(paths) as db:
        assert _cache_entries_are_valid(db) == 0
    assert not paths.legacy_cache_file.exists()


def test_every_error_raised_here_is_a_launcher_error() -> None:
    assert issubclass(ProviderError, LauncherError) and issubclass(ConfigError, LauncherError)


@pytest.mark.parametrize("value", ["INF", "-inf", "nan", "1e400"])
def test_a_retry_after_of_infinity_is_ignored(value: str) -> None:
    """Found by the response property test: float("inf") waits were an OverflowError."""
    from launcher.providers.http import HttpResponse, retry_after_seconds

    assert retry_after_seconds(HttpResponse(429, {"retry-after": value}, b"")) is None
    body = b'{"data": {"msLeft": Infinity}}'
    assert retry_after_seconds(HttpResponse(429, {}, body)) is None
