"""Whereby Embedded REST v1: create, list (cursor pagination), get and delete meetings."""

from __future__ import annotations

import binascii
import re
import secrets
import urllib.parse
import uuid
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from launcher.sandbox.faults import BadBody, bearer_token, error_response, read_json
from launcher.sandbox.faults import unauthorized_response as _unauthorized
from launcher.sandbox.state import (
    SandboxState,
    WherebyRoom,
    base_url_of,
    format_z,
    new_secret,
    parse_iso,
)

FIELDS: Final = ("hostRoomUrl", "viewerRoomUrl")
DEFAULT_LIMIT: Final = 50
MAX_LIMIT: Final = 100
#: The docs page's pattern; the spec says ``[a-z0-9]{0,39}`` but its own example
#: (``"example-prefix"``) and the docs' ``"Customer0348-"`` need the hyphen.
PREFIX_PATTERN: Final = re.compile(r"^[a-z0-9-]{0,39}$")
HUMAN_SHORT_ALPHABET: Final = "abcdefghjkmnpqrstuvwxyz23456789"
TOP_LEVEL: Final = frozenset(
    {
        "endDate",
        "startDate",
        "isLocked",
        "roomMode",
        "roomNamePrefix",
        "roomNamePattern",
        "templateType",
        "recording",
        "liveTranscription",
        "streaming",
        "fields",
    }
)
LANGUAGES: Final = frozenset(
    "ca zh zh-TW cs da nl en en-US en-GB fi fr de de-CH el hi id it ja ko lv ms no pl pt "
    "pt-BR ro ru sk es sv th uk vi".split()
)


class _Invalid(ValueError):
    """The request is not acceptable (400 ``{"error": ...}``)."""


def normalise_prefix(value: object) -> str:
    """Lower-case *value* and strip its whitespace; ``_Invalid`` if not a valid prefix."""
    if not isinstance(value, str):
        raise _Invalid("roomNamePrefix must be a string")
    prefix = re.sub(r"\s+", "", value).lower()
    if len(prefix) > 39:
        raise _Invalid("roomNamePrefix must be at most 39 characters")
    if not PREFIX_PATTERN.match(prefix):
        raise _Invalid("roomNamePrefix may only contain a-z, 0-9 and -")
    return prefix


def _check_keys(obj: dict[str, Any], allowed: set[str] | frozenset[str], where: str) -> None:
    unknown = sorted(set(obj) - set(allowed))
    if unknown:
        raise _Invalid(f'"{where}{unknown[0]}" is not allowed')


def _enum(value: object, allowed: tuple[str, ...], name: str, *, nullable: bool) -> None:
    if value is None and nullable:
        return
    if value not in allowed:
        raise _Invalid(f"{name} must be one of: {', '.join(allowed)}")


def _destination(value: object, name: str, *, region: bool, file_format: bool) -> None:
    if value is None:
        return  # inherit the organisation's settings
    if not isinstance(value, dict):
        raise _Invalid(f"{name} must be an object or null")
    allowed = {
        "provider",
        "authenticationType",
        "bucket",
        "accessKeyId",
        "accessKeySecret",
        "oidcRoleArn",
    }
    if region:
        allowed.add("region")
    if file_format:
        allowed.add("fileFormat")
    _check_keys(value, allowed, f"{name}.")
    _enum(value.get("provider"), ("s3", "whereby"), f"{name}.provider", nullable=False)
    for key in allowed - {"provider"}:
        if key in value and not isinstance(value[key], str):
            raise _Invalid(f"{name}.{key} must be a string")
    if "fileFormat" in value:
        _enum(value["fileFormat"], ("mkv", "mp4"), f"{name}.fileFormat", nullable=False)
    if value["provider"] != "s3":
        return
    auth = value.get("authenticationType", "accessKey")
    _enum(auth, ("accessKey", "roleBased"), f"{name}.authenticationType", nullable=False)
    needed = (
        ["bucket", "oidcRoleArn"]
        if auth == "roleBased"
        else ["bucket", "accessKeyId", "accessKeySecret"]
    )
    if auth == "accessKey" and region:
        needed.append("region")
    for key in needed:
        if not value.get(key):
            raise _Invalid(f"{name}.{key} is required for an s3 {auth} destination")


def _recording(value: object) -> None:
    if not isinstance(value, dict):
        raise _Invalid("recording must be an object")
    _check_keys(value, {"type", "destination", "startTrigger"}, "recording.")
    for key in ("type", "destination", "startTrigger"):
        if key not in value:
            raise _Invalid(f"recording.{key} is required")
    _enum(value["type"], ("none", "local", "cloud"), "recording.type", nullable=False)
    _destination(value["destination"], "recording.destination", region=False, file_format=True)
    _enum(
        value["startTrigger"],
        ("none", "prompt", "automatic", "automatic-2nd-participant"),
        "recording.startTrigger",
        nullable=True,
    )


def _transcription(value: object) -> None:
    if not isinstance(value, dict):
        raise _Invalid("liveTranscription must be an object")
    _check_keys(
        value, {"destination", "startTrigger", "language", "liveCaptions"}, "liveTranscription."
    )
    for key in ("destination", "startTrigger"):
        if key not in value:
            raise _Invalid(f"liveTranscription.{key} is required")
    _destination(
        value["destination"], "liveTranscription.destination", region=True, file_format=False
    )
    _enum(
        value["startTrigger"],
        ("none", "manual", "automatic", "automatic-2nd-participant"),
        "liveTranscription.startTrigger",
        nullable=True,
    )
    if "language" in value:
        language = value["language"]
        # the spec's enum literally ends every value with a comma ("en,"): accept both
        if not isinstance(language, str) or language.rstrip(",") not in LANGUAGES:
            raise _Invalid("liveTranscription.language is not a supported language")
    if "liveCaptions" in value and not isinstance(value["liveCaptions"], bool):
        raise _Invalid("liveTranscription.liveCaptions must be a boolean")


def _streaming(value: object) -> None:
    if not isinstance(value, dict):
        raise _Invalid("streaming must be an object")
    _check_keys(value, {"destination", "startTrigger"}, "streaming.")
    for key in ("destination", "startTrigger"):
        if key not in value:
            raise _Invalid(f"streaming.{key} is required")
    destination = value["destination"]
    if not isinstance(destination, dict):
        raise _Invalid("streaming.destination must be an object")
    _check_keys(destination, {"url"}, "streaming.destination.")
    url = destination.get("url")
    if not isinstance(url, str) or not _rtmp_url(url):
        raise _Invalid("streaming.destination.url must be an rtmp:// or rtmps:// URL")
    _enum(
        value["startTrigger"],
        ("none", "prompt", "automatic"),
        "streaming.startTrigger",
        nullable=True,
    )


def _rtmp_url(url: str) -> bool:
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("rtmp", "rtmps") and bool(parts.hostname) and " " not in url


def parse_fields(values: list[str]) -> set[str]:
    """``fields`` from the query (comma-joined and/or repeated)."""
    fields: set[str] = set()
    for value in values:
        for item in value.split(","):
            item = item.strip()
            if not item:
                continue
            if item not in FIELDS:
                raise _Invalid(f"fields may only contain {', '.join(FIELDS)}")
            fields.add(item)
    return fields


def encode_cursor(seq: int) -> str:
    """Make an opaque cursor pointing after the room with this sequence number."""
    return f"after:{seq}".encode().hex()


def decode_cursor(cursor: str) -> int:
    """Decode the sequence number a cursor points after; ``_Invalid`` if not ours."""
    try:
        text = binascii.unhexlify(cursor).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise _Invalid("Invalid cursor") from exc
    kind, _, number = text.partition(":")
    if kind != "after" or not number.isdigit():
        raise _Invalid("Invalid cursor")
    return int(number)


def room_json(room: WherebyRoom, base: str, fields: set[str]) -> dict[str, Any]:
    """Render the ``Meeting`` schema; host/viewer URLs when asked (or viewerMode)."""
    room_url = f"{base}/whereby/web{room.room_name}"
    body: dict[str, Any] = {
        "meetingId": room.meeting_id,
        "roomName": room.room_name,
        "roomUrl": room_url,
        "startDate": format_z(room.start),
        "endDate": format_z(room.end),
    }
    if room.template_type == "viewerMode":
        fields = set(FIELDS)
    if "hostRoomUrl" in fields:
        body["hostRoomUrl"] = f"{room_url}?roomKey={room.host_key}"
    if "viewerRoomUrl" in fields:
        body["viewerRoomUrl"] = f"{room_url}?roomKey={room.viewer_key}"
    return body


def new_room_name(state: SandboxState, prefix: str, pattern: str) -> str:
    """Make a free room name (with its leading slash)."""
    while True:
        if pattern == "human-short":
            suffix = "".join(secrets.choice(HUMAN_SHORT_ALPHABET) for _ in range(6))
        else:
            suffix = str(uuid.uuid4())
        name = f"/{prefix}{suffix}"
        if state.whereby.room_by_name(name) is None:
            return name


def add_room(state: SandboxState, room_name: str, **values: Any) -> WherebyRoom:
    """Store a new room (call with the state lock held)."""
    store = state.whereby
    room = WherebyRoom(
        meeting_id=str(store.next_meeting_id),
        seq=store.next_seq,
        room_name=room_name,
        host_key=new_secret(18),
        viewer_key=new_secret(18),
        **values,
    )
    store.next_meeting_id += 1
    store.next_seq += 1
    store.rooms[room.meeting_id] = room
    return room


class WherebyApi:
    """The Whereby endpoints over one :class:`SandboxState`."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        """Return the ``/whereby/v1`` mount."""
        return [
            Mount(
                "/whereby/v1",
                routes=[
                    Route("/meetings", self.create_meeting, methods=["POST"]),
                    Route("/meetings", self.list_meetings, methods=["GET"]),
                    Route("/meetings/{meeting_id}", self.get_meeting, methods=["GET"]),
                    Route("/meetings/{meeting_id}", self.delete_meeting, methods=["DELETE"]),
                ],
            )
        ]

    def _authorized(self, request: Request) -> bool:
        key = bearer_token(request)
        with self.state.lock:
            return key is not None and key in self.state.whereby.api_keys

    async def create_meeting(self, request: Request) -> Response:
        """``POST /meetings``: 201 with the new room."""
        if not self._authorized(request):
            return _unauthorized("whereby", request.scope)
        try:
            body = await read_json(request)
        except BadBody as exc:
            return error_response("whereby", 400, str(exc))
        try:
            values, fields, prefix, pattern = self._validate(body)
        except _Invalid as exc:
            return error_response("whereby", 400, str(exc))
        base = base_url_of(request.scope)
        with self.state.lock:
            now = self.state.now()
            if values["end"] < now.replace(microsecond=0):
                return error_response("whereby", 400, "endDate must be in the future")
            room = add_room(
                self.state, new_room_name(self.state, prefix, pattern), start=now, **values
            )
            result = room_json(room, base, fields)
        return JSONResponse(result, status_code=201)

    def _validate(self, body: object) -> tuple[dict[str, Any], set[str], str, str]:
        if not isinstance(body, dict):
            raise _Invalid("The body must be a JSON object")
        _check_keys(body, TOP_LEVEL, "")
        if "endDate" not in body:
            raise _Invalid('"endDate" is required')
        try:
            end = parse_iso(body["endDate"])
        except ValueError as exc:
            raise _Invalid('"endDate" must be a valid ISO 8601 date-time') from exc
        locked = body.get("isLocked", False)
        if not isinstance(locked, bool):
            raise _Invalid('"isLocked" must be a boolean')
        mode = body.get("roomMode", "normal")
        _enum(mode, ("normal", "group"), "roomMode", nullable=False)
        prefix = normalise_prefix(body["roomNamePrefix"]) if "roomNamePrefix" in body else ""
        pattern = body.get("roomNamePattern", "uuid")
        _enum(pattern, ("uuid", "human-short"), "roomNamePattern", nullable=False)
        template = body.get("templateType")
        _enum(template, ("viewerMode",), "templateType", nullable=True)
        options: dict[str, Any] = {}
        for key, check in (
            ("recording", _recording),
            ("liveTranscription", _transcription),
            ("streaming", _streaming),
        ):
            if key in body:
                check(body[key])
                options[key] = body[key]
        raw_fields = body.get("fields", [])
        if not isinstance(raw_fields, list) or not all(isinstance(f, str) for f in raw_fields):
            raise _Invalid('"fields" must be an array of strings')
        fields = set()
        for item in raw_fields:
            if item not in FIELDS:
                raise _Invalid(f'"fields" may only contain {", ".join(FIELDS)}')
            fields.add(item)
        if template == "viewerMode":
            locked, mode = True, "group"
        values = {
            "end": end,
            "is_locked": locked,
            "room_mode": mode,
            "template_type": template,
            "options": options,
        }
        return values, fields, prefix, pattern

    async def list_meetings(self, request: Request) -> Response:
        """``GET /meetings?cursor=&limit=&fields=``: a page and the next cursor (or null)."""
        if not self._authorized(request):
            return _unauthorized("whereby", request.scope)
        query = request.query_params
        try:
            raw_limit = query.get("limit", str(DEFAULT_LIMIT))
            if not raw_limit.strip().isdigit():
                raise _Invalid("limit must be an integer between 1 and 100")
            limit = int(raw_limit)
            if not 1 <= limit <= MAX_LIMIT:
                raise _Invalid("limit must be an integer between 1 and 100")
            after = decode_cursor(query["cursor"]) if query.get("cursor") else 0
            fields = parse_fields(query.getlist("fields"))
        except _Invalid as exc:
            return error_response("whereby", 400, str(exc))
        base = base_url_of(request.scope)
        store = self.state.whereby
        with self.state.lock:
            now = self.state.now()
            rooms = sorted(
                (r for r in store.rooms.values() if r.seq > after and store.visible(r, now)),
                key=lambda r: r.seq,
            )
            page = rooms[:limit]
            cursor = encode_cursor(page[-1].seq) if len(rooms) > limit else None
            results = [room_json(r, base, fields) for r in page]
        return JSONResponse({"results": results, "cursor": cursor})

    async def get_meeting(self, request: Request) -> Response:
        """``GET /meetings/{id}``: 404 when unknown, deleted or an hour past endDate."""
        if not self._authorized(request):
            return _unauthorized("whereby", request.scope)
        try:
            fields = parse_fields(request.query_params.getlist("fields"))
        except _Invalid as exc:
            return error_response("whereby", 400, str(exc))
        base = base_url_of(request.scope)
        store = self.state.whereby
        with self.state.lock:
            room = store.rooms.get(request.path_params["meeting_id"])
            if room is None or not store.visible(room, self.state.now()):
                return error_response("whereby", 404, "The requested resource doesn't exist")
            result = room_json(room, base, fields)
        return JSONResponse(result)

    async def delete_meeting(self, request: Request) -> Response:
        """``DELETE /meetings/{id}``: 204 every time (idempotent, even for unknown ids)."""
        if not self._authorized(request):
            return _unauthorized("whereby", request.scope)
        with self.state.lock:
            room = self.state.whereby.rooms.get(request.path_params["meeting_id"])
            if room is not None:
                room.deleted = True
        return Response(status_code=204)
