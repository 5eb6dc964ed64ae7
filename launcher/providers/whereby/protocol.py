"""Whereby Embedded REST API v1 (/meetings): room drafts, validation, requests, parsers. Pure.

Sources: the official OpenAPI document (``shared/reference/whereby-openapi.json``),
seed 004 and PROVIDERS.md section 4. Rooms ("meetings" in the API) are transient: they
are created with an end date, listed with cursor pagination, and deleted idempotently.
Authentication is ``Authorization: Bearer <API key>``.

Secrets handled here (never in messages or reprs): the API key, S3 access key secrets,
the RTMP stream URL (it embeds the stream key) and room host URLs (they carry the
``roomKey`` that makes a visitor a host).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from launcher.core.errors import (
    AuthenticationRequired,
    InvalidInput,
    NotFound,
    ProtocolViolation,
    Rejected,
)
from launcher.core.models import Meeting, Provider, Role, Room, utc
from launcher.core.timeutil import format_iso_z
from launcher.providers.http import HttpRequest, HttpResponse, describe_status, raise_for_common
from launcher.providers.jsonread import FieldReader

PROVIDER = Provider.WHEREBY.value

ROOM_MODES = ("normal", "group")
ROOM_NAME_PATTERNS = ("uuid", "human-short")
RECORDING_TYPES = ("none", "local", "cloud")
RECORDING_TRIGGERS = ("none", "prompt", "automatic", "automatic-2nd-participant")
TRANSCRIPTION_TRIGGERS = ("none", "manual", "automatic", "automatic-2nd-participant")
STREAMING_TRIGGERS = ("none", "prompt", "automatic")
STORAGE_PROVIDERS = ("s3", "whereby")
AUTHENTICATION_TYPES = ("accessKey", "roleBased")
FILE_FORMATS = ("mkv", "mp4")
#: The spec's ``liveTranscription.language`` enum with its stray trailing commas removed
#: (the spec lists ``"en,"``, ``"de-CH,"`` ...: a typo in the document, not real codes).
TRANSCRIPTION_LANGUAGES = (
    "ca", "zh", "zh-TW", "cs", "da", "nl", "en", "en-US", "en-GB", "fi", "fr", "de", "de-CH",
    "el", "hi", "id", "it", "ja", "ko", "lv", "ms", "no", "pl", "pt", "pt-BR", "ro", "ru",
    "sk", "es", "sv", "th", "uk", "vi",
)  # fmt: skip
#: The list endpoint's page size limits (spec: default 50, minimum 1, maximum 100).
MAX_PAGE_SIZE = 100

# The OpenAPI schema says roomNamePrefix matches ``[a-z0-9]{0,39}`` (no hyphen), while
# the REST API docs page shows ``[a-z0-9-]{0,39}``, the schema's own example is
# "example-prefix" and the docs' create example sends "Customer0348-" (answered with
# room "customer0348-72b9..."). The hyphen is therefore accepted: rejecting it would
# refuse the documented example. Whereby lower-cases the prefix and removes whitespace
# itself; we do the same first so that the check runs on what the server will use.
_PREFIX = re.compile(r"[a-z0-9-]{0,39}")
_RTMP_SCHEMES = ("rtmp", "rtmps")
_MAX_MESSAGE = 300


# ---- drafts ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class RecordingDestination:
    """Where cloud recordings go (``recording.destination``).

    ``provider`` is ``"s3"`` or ``"whereby"``. For S3, ``bucket`` is required (it may
    hold a subfolder, ``"my-bucket/recordings"``); ``authentication_type``
    ``"accessKey"`` needs the key pair, ``"roleBased"`` the ``oidc_role_arn``. The
    spec's prose also names a ``region`` for access keys although its schema lacks
    the field; it is sent only when given.
    """

    provider: str
    authentication_type: str | None = None
    bucket: str | None = None
    access_key_id: str | None = None
    access_key_secret: str | None = dataclasses.field(default=None, repr=False)
    file_format: str | None = None
    oidc_role_arn: str | None = None
    region: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Recording:
    """Recording options: ``type`` none/local/cloud; ``None`` values inherit org settings.

    ``start_trigger`` (none, prompt, automatic, automatic-2nd-participant) only has an
    effect for cloud recordings.
    """

    type: str
    destination: RecordingDestination | None = None
    start_trigger: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class TranscriptionDestination:
    """Where session transcriptions go (``liveTranscription.destination``)."""

    provider: str
    authentication_type: str | None = None
    bucket: str | None = None
    access_key_id: str | None = None
    access_key_secret: str | None = dataclasses.field(default=None, repr=False)
    region: str | None = None
    oidc_role_arn: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class LiveTranscription:
    """Session transcription options; ``None`` values inherit the organisation's settings.

    ``start_trigger``: none, manual, automatic, automatic-2nd-participant.
    ``language``: one of :data:`TRANSCRIPTION_LANGUAGES`.
    """

    destination: TranscriptionDestination | None = None
    start_trigger: str | None = None
    language: str | None = None
    live_captions: bool | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class StreamingDestination:
    """The RTMP(S) ingest URL of a live stream; it embeds the stream key (a secret)."""

    url: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Streaming:
    """Live RTMP streaming; ``start_trigger`` none, prompt, automatic (``None``: org default)."""

    destination: StreamingDestination
    start_trigger: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RoomDraft:
    """A transient room to create with ``POST /meetings``; only ``end`` is required.

    ``None`` leaves a setting to Whereby's default. ``viewer_mode`` sends
    ``templateType: "viewerMode"`` (a locked group room with host and viewer URLs).
    ``host_url`` / ``viewer_url`` ask for ``hostRoomUrl`` / ``viewerRoomUrl`` in the
    answer (``fields``).
    """

    end: dt.datetime
    is_locked: bool | None = None
    room_mode: str | None = None
    prefix: str | None = None
    pattern: str | None = None
    viewer_mode: bool = False
    host_url: bool = False
    viewer_url: bool = False
    recording: Recording | None = None
    live_transcription: LiveTranscription | None = None
    streaming: Streaming | None = None


# ---- validation (before any request) ----------------------------------------------


def normalize_prefix(prefix: str) -> str:
    """Lower-case a room name prefix and remove whitespace, as Whereby does; check it.

    Raises:
        InvalidInput: on "prefix" if the result is not 0-39 of ``a-z``, ``0-9``, ``-``.

    """
    if not isinstance(prefix, str):
        raise InvalidInput("prefix", "must be text")
    text = "".join(prefix.split()).lower()
    if len(text) > 39:
        raise InvalidInput("prefix", f"must be at most 39 characters (got {len(text)})")
    if not _PREFIX.fullmatch(text):
        raise InvalidInput(
            "prefix", "may contain only letters a-z, digits and hyphens (spaces are removed)"
        )
    return text


def _choice(field: str, what: str, value: object, allowed: Iterable[str]) -> None:
    options = tuple(allowed)
    if value is not None and value not in options:
        shown = str(value)[:40]
        raise InvalidInput(field, f"{what} {shown!r} is not one of: {', '.join(options)}")


def _text_given(value: str | None) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_destination(
    field: str,
    dest: RecordingDestination | TranscriptionDestination | None,
    *,
    needs_region: bool,
) -> None:
    if dest is None:
        return
    _choice(field, "storage provider", dest.provider, STORAGE_PROVIDERS)
    if dest.provider is None:
        raise InvalidInput(field, "the storage provider is required (s3 or whereby)")
    _choice(field, "authentication type", dest.authentication_type, AUTHENTICATION_TYPES)
    if isinstance(dest, RecordingDestination):
        _choice(field, "file format", dest.file_format, FILE_FORMATS)
    if dest.oidc_role_arn is not None and dest.authentication_type != "roleBased":
        raise InvalidInput(field, "an OIDC role ARN is used only with roleBased authentication")
    if dest.provider != "s3":
        return
    if not _text_given(dest.bucket):
        raise InvalidInput(field, "storing on S3 needs the bucket name")
    if dest.authentication_type == "roleBased" and not _text_given(dest.oidc_role_arn):
        raise InvalidInput(field, "roleBased S3 authentication needs the OIDC role ARN")
    if dest.authentication_type == "accessKey":
        if not (_text_given(dest.access_key_id) and _text_given(dest.access_key_secret)):
            raise InvalidInput(field, "accessKey S3 authentication needs the key ID and secret")
        if needs_region and not _text_given(dest.region):
            raise InvalidInput(field, "accessKey S3 authentication needs the region")
    elif _text_given(dest.access_key_id) != _text_given(dest.access_key_secret):
        raise InvalidInput(field, "give both the access key ID and the secret, or neither")


def _check_recording(rec: Recording) -> None:
    _choice("recording", "type", rec.type, RECORDING_TYPES)
    if rec.type is None:
        raise InvalidInput("recording", "the recording type is required (none, local or cloud)")
    _choice("recording", "start trigger", rec.start_trigger, RECORDING_TRIGGERS)
    if rec.destination is not None and not isinstance(rec.destination, RecordingDestination):
        raise InvalidInput("recording", "the destination is not a recording destination")
    _check_destination("recording", rec.destination, needs_region=False)


def _check_transcription(tr: LiveTranscription) -> None:
    _choice("transcription", "start trigger", tr.start_trigger, TRANSCRIPTION_TRIGGERS)
    _choice("transcription", "language", tr.language, TRANSCRIPTION_LANGUAGES)
    if tr.live_captions is not None and not isinstance(tr.live_captions, bool):
        raise InvalidInput("transcription", "live captions is on or off")
    if tr.destination is not None and not isinstance(tr.destination, TranscriptionDestination):
        raise InvalidInput("transcription", "the destination is not a transcription destination")
    _check_destination("transcription", tr.destination, needs_region=True)


def _check_streaming(st: Streaming) -> None:
    _choice("streaming", "start trigger", st.start_trigger, STREAMING_TRIGGERS)
    url = getattr(st.destination, "url", None)
    # The URL holds the stream key: messages describe it, never quote it.
    if not isinstance(url, str) or not url.strip():
        raise InvalidInput("streaming", "the stream URL is required (rtmp:// or rtmps://)")
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        raise InvalidInput("streaming", "the stream URL is not a valid URL") from None
    if parts.scheme.lower() not in _RTMP_SCHEMES or not host:
        raise InvalidInput(
            "streaming", "the stream URL must be an rtmp:// or rtmps:// address with a host"
        )


def validate_room(draft: RoomDraft, now: dt.datetime) -> RoomDraft:
    """Check a room draft against the documented rules; return it normalised.

    The end is converted to UTC and the prefix lower-cased with whitespace removed
    (an empty prefix becomes ``None``).

    Raises:
        InvalidInput: on "end" (not aware, in the past), "mode" (room mode, or a
            normal room with viewer mode), "prefix", "pattern", "streaming",
            "recording" or "transcription".

    """
    if not isinstance(draft.end, dt.datetime):
        raise InvalidInput("end", "must be a date and time")
    try:
        end = utc(draft.end)
    except ValueError:
        raise InvalidInput("end", "must include a time zone (or be given in UTC)") from None
    except OverflowError:
        raise InvalidInput("end", "is out of the supported range") from None
    if end < utc(now):
        raise InvalidInput("end", "is in the past; a room must end now or later")
    _choice("mode", "room mode", draft.room_mode, ROOM_MODES)
    if draft.viewer_mode and draft.room_mode == "normal":
        raise InvalidInput("mode", "a viewer-mode room is always a group room")
    prefix = None if draft.prefix is None else (normalize_prefix(draft.prefix) or None)
    _choice("pattern", "room name pattern", draft.pattern, ROOM_NAME_PATTERNS)
    if draft.recording is not None:
        _check_recording(draft.recording)
    if draft.live_transcription is not None:
        _check_transcription(draft.live_transcription)
    if draft.streaming is not None:
        _check_streaming(draft.streaming)
    return dataclasses.replace(draft, end=end, prefix=prefix)


# ---- requests ----------------------------------------------------------------------


def _headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


def _url(base_url: str, *parts: str) -> str:
    path = "/".join(urllib.parse.quote(p, safe="") for p in parts)
    return f"{base_url.rstrip('/')}/{path}"


def _fields(host_url: bool, viewer_url: bool) -> list[str]:
    return [name for name, on in (("hostRoomUrl", host_url), ("viewerRoomUrl", viewer_url)) if on]


def _room_id(room_id: str) -> str:
    text = room_id.strip() if isinstance(room_id, str) else ""
    if not text or len(text) > 200:
        raise InvalidInput("room_id", "give the room's meeting ID")
    return text


def _drop_none(values: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}


def _destination_json(dest: RecordingDestination | TranscriptionDestination) -> dict[str, object]:
    common: dict[str, object] = {
        "provider": dest.provider,
        "authenticationType": dest.authentication_type,
        "bucket": dest.bucket,
        "accessKeyId": dest.access_key_id,
        "accessKeySecret": dest.access_key_secret,
        "region": dest.region,
        "oidcRoleArn": dest.oidc_role_arn,
    }
    if isinstance(dest, RecordingDestination):
        common["fileFormat"] = dest.file_format
    return _drop_none(common)


def room_body(draft: RoomDraft) -> dict[str, object]:
    """Return the JSON body of ``POST /meetings`` for a validated draft.

    Nested objects always carry their required keys; ``null`` there means "inherit the
    organisation's setting", as the spec describes.
    """
    body: dict[str, object] = {"endDate": format_iso_z(draft.end)}
    if draft.is_locked is not None:
        body["isLocked"] = bool(draft.is_locked)
    if draft.room_mode is not None:
        body["roomMode"] = draft.room_mode
    if draft.prefix:
        body["roomNamePrefix"] = draft.prefix
    if draft.pattern is not None:
        body["roomNamePattern"] = draft.pattern
    if draft.viewer_mode:
        body["templateType"] = "viewerMode"
    if draft.recording is not None:
        rec = draft.recording
        body["recording"] = {
            "type": rec.type,
            "destination": None if rec.destination is None else _destination_json(rec.destination),
            "startTrigger": rec.start_trigger,
        }
    if draft.live_transcription is not None:
        tr = draft.live_transcription
        body["liveTranscription"] = {
            "destination": None if tr.destination is None else _destination_json(tr.destination),
            "startTrigger": tr.start_trigger,
            **_drop_none({"language": tr.language, "liveCaptions": tr.live_captions}),
        }
    if draft.streaming is not None:
        body["streaming"] = {
            "destination": {"url": draft.streaming.destination.url.strip()},
            "startTrigger": draft.streaming.start_trigger,
        }
    fields = _fields(draft.host_url, draft.viewer_url)
    if fields:
        body["fields"] = fields
    return body


def build_create_room(base_url: str, api_key: str, draft: RoomDraft) -> HttpRequest:
    """``POST /meetings`` for a draft already passed through :func:`validate_room`."""
    return HttpRequest(
        "POST",
        _url(base_url, "meetings"),
        headers=_headers(api_key),
        json=room_body(draft),
        idempotent=False,
    )


def build_get_room(
    base_url: str, api_key: str, room_id: str, *, host_url: bool = False, viewer_url: bool = False
) -> HttpRequest:
    """``GET /meetings/{meetingId}[?fields=hostRoomUrl,viewerRoomUrl]``."""
    fields = _fields(host_url, viewer_url)
    return HttpRequest(
        "GET",
        _url(base_url, "meetings", _room_id(room_id)),
        params={"fields": ",".join(fields)} if fields else {},
        headers=_headers(api_key),
    )


def build_list_rooms(
    base_url: str,
    api_key: str,
    *,
    cursor: str | None = None,
    page_size: int = MAX_PAGE_SIZE,
    host_url: bool = False,
    viewer_url: bool = False,
) -> HttpRequest:
    """``GET /meetings?limit=&cursor=&fields=``: one page of rooms."""
    if isinstance(page_size, bool) or not isinstance(page_size, int):
        raise InvalidInput("page_size", "must be a whole number")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
    params = {"limit": str(page_size)}
    if cursor is not None:
        params["cursor"] = cursor
    fields = _fields(host_url, viewer_url)
    if fields:
        params["fields"] = ",".join(fields)
    return HttpRequest("GET", _url(base_url, "meetings"), params=params, headers=_headers(api_key))


def build_delete_room(base_url: str, api_key: str, room_id: str) -> HttpRequest:
    """``DELETE /meetings/{meetingId}``: idempotent, so safe to repeat after a throttle."""
    return HttpRequest(
        "DELETE",
        _url(base_url, "meetings", _room_id(room_id)),
        headers=_headers(api_key),
        idempotent=True,
    )


# ---- responses ---------------------------------------------------------------------


def _error_message(resp: HttpResponse) -> str | None:
    try:
        body = json.loads(resp.body.decode("utf-8")) if resp.body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(body, dict):
        return None
    value = body.get("error", body.get("message"))
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    if not text:
        return None
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


def raise_for_error(resp: HttpResponse, *, not_found: str = "the room does not exist") -> NoReturn:
    """Raise the typed error for a response that is not the expected success."""
    status = resp.status
    if status == 401:
        raise AuthenticationRequired(
            PROVIDER,
            "the API key was refused; check the key in the account settings",
            status=401,
        )
    if status == 403:
        raise Rejected(
            PROVIDER,
            "not allowed to perform this action with this API key or plan",
            status=403,
        )
    if status == 404:
        raise NotFound(PROVIDER, not_found, status=404)
    message = _error_message(resp)
    if status == 400:
        raise Rejected(PROVIDER, message or "Whereby refused the request as invalid", status=400)
    raise_for_common(PROVIDER, resp)  # 429 (retry_after from headers or data.msLeft), 5xx
    if 400 <= status < 500:
        raise Rejected(PROVIDER, message or describe_status(status), status=status)
    raise ProtocolViolation(
        PROVIDER, f"Whereby gave an unexpected answer (HTTP {status})", status=status
    )


def _body(resp: HttpResponse, ok: Iterable[int], *, not_found: str) -> Any:
    if resp.status not in ok:
        raise_for_error(resp, not_found=not_found)
    return resp.json(PROVIDER)


_READ = FieldReader(PROVIDER, "a room")
_bad = _READ.bad
_opt_str = _READ.opt_str
_time = _READ.time


def _opt_time(obj: Mapping[str, Any], key: str) -> dt.datetime | None:
    return None if obj.get(key) is None else _time(obj, key)


def room_from_json(obj: object) -> Room:
    """Turn one ``Meeting`` object of the API into a :class:`Room`.

    ``room_name`` is kept as the API gives it, with its leading slash (it is the
    ``{roomName}`` of the room theme endpoints); when absent it is taken from the
    room URL's path.
    """
    if not isinstance(obj, dict):
        raise _bad("not an object")
    meeting_id = obj.get("meetingId")
    if isinstance(meeting_id, int) and not isinstance(meeting_id, bool):
        meeting_id = str(meeting_id)  # the spec says string; a number is read the same
    if not isinstance(meeting_id, str) or not meeting_id.strip():
        raise _bad("meetingId is missing")
    room_url = _opt_str(obj, "roomUrl")
    if room_url is None:
        raise _bad("roomUrl is missing")
    end = _time(obj, "endDate")
    room_name = _opt_str(obj, "roomName")
    if room_name is None:
        try:
            room_name = urllib.parse.urlsplit(room_url).path or "/"
        except ValueError as exc:
            raise _bad("roomUrl is not a URL") from exc
    return Room(
        id=meeting_id.strip(),
        room_name=room_name,
        room_url=room_url,
        start=_opt_time(obj, "startDate"),
        end=end,
        host_url=_opt_str(obj, "hostRoomUrl"),
        viewer_url=_opt_str(obj, "viewerRoomUrl"),
    )


def parse_create_room(resp: HttpResponse) -> Room:
    """Parse ``POST /meetings`` (201; 200 accepted)."""
    return room_from_json(_body(resp, (200, 201), not_found="the rooms endpoint was not found"))


def parse_get_room(resp: HttpResponse) -> Room:
    """Parse ``GET /meetings/{id}`` (200; 404 → NotFound)."""
    return room_from_json(
        _body(resp, (200,), not_found="the room does not exist (it may have expired)")
    )


def parse_list_page(resp: HttpResponse) -> tuple[list[Room], str | None]:
    """Parse one page of ``GET /meetings``: the rooms and the next cursor (``None`` at the end).

    A missing or empty cursor is read as the end of the list.
    """
    body = _body(resp, (200,), not_found="the room list was not found")
    if not isinstance(body, dict) or not isinstance(body.get("results"), list):
        raise ProtocolViolation(PROVIDER, "Whereby sent a room list we cannot read")
    cursor = body.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise ProtocolViolation(PROVIDER, "Whereby sent a page cursor we cannot read")
    rooms = [room_from_json(item) for item in body["results"]]
    return rooms, cursor or None


def parse_delete_room(resp: HttpResponse) -> None:
    """Check ``DELETE /meetings/{id}`` (204). A 404 also means "gone": not an error."""
    if resp.status in (200, 204, 404):
        return
    raise_for_error(resp)


_GENERATED_SUFFIX = re.compile(
    r"-?(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9]{6})$"
)


def room_title(room_name: str) -> str:
    """Turn a generated room name into a readable title.

    ``/daily-standup-5c1f2a7e-…`` (prefix + uuid) becomes "Whereby room daily-standup";
    a name that is only the generated part stays as it is.
    """
    name = room_name.lstrip("/")
    prefix = _GENERATED_SUFFIX.sub("", name).rstrip("-")
    return f"Whereby room {prefix or name}" if name else "Whereby room"


def room_to_meeting(room: Room, account: str) -> Meeting:
    """Show a room as a meeting of the account that created it (so the user may host)."""
    return Meeting(
        id=room.id,
        account=account,
        provider=Provider.WHEREBY,
        title=room_title(room.room_name) if room.room_name.strip("/") else room.id,
        start=room.start,
        end=room.end,
        join_url=room.room_url,
        host_url=room.host_url,
        viewer_url=room.viewer_url,
        role=Role.PRESENTER,
    )


def overlapping(
    meetings: Iterable[Meeting], start: dt.datetime | None, end: dt.datetime | None
) -> list[Meeting]:
    """Keep the meetings that overlap ``[start, end)``; ``None`` leaves a side open."""
    lo = None if start is None else utc(start)
    hi = None if end is None else utc(end)
    out: list[Meeting] = []
    for m in meetings:
        if lo is not None and m.end is not None and m.end <= lo:
            continue
        if hi is not None and m.start is not None and m.start >= hi:
            continue
        out.append(m)
    return out
