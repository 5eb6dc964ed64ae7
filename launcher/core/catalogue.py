"""The catalogue of meeting services recognised in links: data, one entry per service. Pure.

Each :class:`Service` says which hosts its links live on, which paths are meeting links,
where the meeting ID and passcode sit (a named group of a path pattern, or a query
parameter), how to build the native-app link, and whether joining needs a sign-in.
Adding a service is one entry here plus one row in ``tests/unit/core/test_catalogue.py``.

Host patterns:

- ``"zoom.us"``: exactly that host;
- ``".zoom.us"``: that domain and every subdomain (``us02web.zoom.us``);
- ``"*.daily.co"``: subdomains only (the bare domain is the company's web site);
- ``"meet.*"``: any host whose first label is ``meet`` and that has at least three
  labels (self-hosted Skype for Business pools). Exact and domain patterns win over
  these: ``meet.google.com`` is Google Meet, never Skype for Business.

Path patterns are regular expressions matched against the whole URL path (case
sensitive); ``"gotomeet.me /(?P<id>...)"`` (a host, a space, the pattern) applies on that
host only. The named group ``id`` is the meeting ID, ``pwd`` a passcode. Query
parameters named in ``id_params``/``pwd_params`` are read when the path has no such
group; ``fragment_params`` reads them from a ``#a=1&b=2`` fragment too.

Native links: ``native`` is a template with ``{id}``, ``{host}``, ``{path}`` and
``{query}`` (``?...`` or empty); ``native_pwd`` (with ``{pwd}``) is appended when the
link carries a passcode; the native link is made only when the ID fully matches
``native_id`` (if set). Sign-in decisions (``needs_sign_in``) are documented per entry:
True only where a guest cannot join without an account of that service.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from types import MappingProxyType


@dataclasses.dataclass(frozen=True, slots=True)
class Service:
    """One meeting service: where its links live and what they hold."""

    key: str
    name: str
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    id_params: tuple[str, ...] = ()
    pwd_params: tuple[str, ...] = ()
    #: The link is a meeting link only with one of these query parameters present.
    require_params: tuple[str, ...] = ()
    fragment_params: bool = False
    #: Hosts matching a pattern above that are NOT meeting hosts (web sites, docs).
    exclude_hosts: tuple[str, ...] = ()
    #: Native-app URL schemes whose links belong to this service (``zoommtg``).
    schemes: tuple[str, ...] = ()
    native: str | None = None
    native_pwd: str = ""
    native_id: str | None = None
    #: For links found in their app form (``zoommtg://...``): the web link, same
    #: placeholders as ``native``; ``web_pwd`` appended when there is a passcode.
    web: str | None = None
    web_pwd: str = ""
    icon: str = "link"
    needs_sign_in: bool = False
    sign_in_note: str = ""
    #: Lower ranks first among links of the same event.
    priority: int = 50
    #: What the ID is called in "Copy meeting ID + passcode".
    id_label: str = "Meeting ID"
    #: How the ID is written for people: "zoom" (123 4567 8901), "groups3" (123 456 789),
    #: "dashes3" (123-456-789), or None (as in the link).
    id_format: str | None = None
    #: A passcode is typed by people only when it fully matches this (else it is an
    #: encoded token that only works inside the link, like Zoom's long ``pwd``).
    typed_passcode: str | None = None
    compiled: tuple[tuple[str | None, re.Pattern[str]], ...] = dataclasses.field(
        init=False, repr=False, compare=False, default=()
    )
    native_id_re: re.Pattern[str] | None = dataclasses.field(
        init=False, repr=False, compare=False, default=None
    )
    typed_passcode_re: re.Pattern[str] | None = dataclasses.field(
        init=False, repr=False, compare=False, default=None
    )

    def __post_init__(self) -> None:
        """Compile the patterns once."""
        compiled = []
        for spec in self.paths:
            host, sep, pattern = spec.partition(" ")
            if not sep:
                host, pattern = "", spec
            compiled.append((host or None, re.compile(pattern)))
        object.__setattr__(self, "compiled", tuple(compiled))
        if self.native_id is not None:
            object.__setattr__(self, "native_id_re", re.compile(self.native_id))
        if self.typed_passcode is not None:
            object.__setattr__(self, "typed_passcode_re", re.compile(self.typed_passcode))


_ZOOM_ID = r"\d{9,11}"
_ZOOM_PATHS = (
    rf"/j/(?P<id>{_ZOOM_ID})/?",
    rf"/w/(?P<id>{_ZOOM_ID})/?",
    rf"/s/(?P<id>{_ZOOM_ID})/?",
    rf"/wc/join/(?P<id>{_ZOOM_ID})/?",
    rf"/wc/(?P<id>{_ZOOM_ID})/join/?",
    r"/my/(?P<id>[A-Za-z0-9][A-Za-z0-9._-]{1,63})/?",
    r"/join/?",  # zoommtg://zoom.us/join?confno=... and the web form with confno
)
_ROOM = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"
_SITE_WORDS = (
    "about|blog|pricing|login|signin|signup|sign-up|help|support|features|download|"
    "privacy|terms|legal|contact|careers|jobs|docs|developers|api|static|assets|app|"
    "information|user|org|embed|dashboard|settings|account|home|index\\.html"
)
_NOT_SITE = rf"(?!(?:{_SITE_WORDS})(?:/|$))"

CATALOGUE: tuple[Service, ...] = (
    # --- the big three -------------------------------------------------------------
    Service(
        "zoom", "Zoom", (".zoom.us",), _ZOOM_PATHS,
        id_params=("confno",), pwd_params=("pwd",), schemes=("zoommtg", "zoomus"),
        native="zoommtg://{host}/join?action=join&confno={id}", native_pwd="&pwd={pwd}",
        native_id=_ZOOM_ID, web="https://{host}/j/{id}", web_pwd="?pwd={pwd}",
        icon="zoom", priority=10, id_format="zoom", typed_passcode=r"[A-Za-z0-9@*_-]{1,10}",
    ),
    Service(
        "zoomgov", "ZoomGov", (".zoomgov.com",), _ZOOM_PATHS,
        id_params=("confno",), pwd_params=("pwd",),
        native="zoommtg://{host}/join?action=join&confno={id}", native_pwd="&pwd={pwd}",
        native_id=_ZOOM_ID, web="https://{host}/j/{id}", web_pwd="?pwd={pwd}",
        icon="zoom", priority=10, id_format="zoom", typed_passcode=r"[A-Za-z0-9@*_-]{1,10}",
    ),
    # Teams: guests can join organisation meetings in a browser unless the organiser's
    # tenant blocks anonymous join, so no sign-in is assumed.
    Service(
        "teams", "Microsoft Teams",
        ("teams.microsoft.com", "teams.live.com", ".teams.microsoft.us",
         "teams.cloud.microsoft"),
        (r"/l/meetup-join/(?P<id>[^/]+)(?:/[^/]*)?/?", r"/meet/(?P<id>\d{9,20})/?"),
        pwd_params=("p",), schemes=("msteams",),
        native="msteams:{path}{query}", native_id=r"19:.*",
        web="https://teams.microsoft.com{path}{query}", icon="teams", priority=10,
        id_format="groups3", typed_passcode=r"[A-Za-z0-9]{1,16}",
    ),
    # Consumer Google accounts may be asked to sign in, but Workspace meetings let
    # guests "ask to join": no sign-in assumed.
    Service(
        "google_meet", "Google Meet", ("meet.google.com", "g.co"),
        (r"/(?P<id>[a-z]{3}-[a-z]{4}-[a-z]{3})/?",
         r"/lookup/(?P<id>[A-Za-z0-9_-]{2,64})/?",
         r"/meet/(?P<id>[A-Za-z0-9_-]{2,64})/?"),
        icon="google_meet", priority=10, id_label="Meeting code",
    ),
    Service(
        "webex", "Webex", (".webex.com",),
        (r"/meet/(?P<id>[A-Za-z0-9._-]{1,64})/?",
         r"/join/(?P<id>[A-Za-z0-9._-]{1,64})/?",
         r"(?:/[A-Za-z0-9_-]{1,64})?/j\.php",
         r"/wbxmjs/joinservice/sites/[A-Za-z0-9_-]+/meeting/download/(?P<id>[0-9A-Fa-f]{8,64})/?"),
        id_params=("MTID",), icon="webex", priority=20,
    ),
    # --- the four services with API clients ---------------------------------------
    Service(
        "whereby", "Whereby", (".whereby.com",),
        (rf"/{_NOT_SITE}(?P<id>[A-Za-z0-9][A-Za-z0-9_-]{{0,127}})/?",),
        icon="whereby", priority=30, id_label="Room",
    ),
    Service(
        "bluejeans", "BlueJeans", (".bluejeans.com",),
        (r"/(?P<id>\d{6,13})(?:[./](?P<pwd>\d{1,32}))?(?:/webrtc|/browser)?/?",),
        icon="bluejeans", priority=30, typed_passcode=r"\d{1,32}",
    ),
    Service(
        "joinme", "join.me", ("join.me", "www.join.me", "secure.join.me"),
        (rf"/{_NOT_SITE}(?P<id>[A-Za-z0-9][A-Za-z0-9-]{{1,63}})/?",),
        icon="joinme", priority=30, id_label="Meeting code",
    ),
    Service(
        "skype_business", "Skype for Business", ("meet.lync.com", "meet.*"),
        (r"/(?:[A-Za-z0-9._-]{1,128}/)?[A-Za-z0-9._-]{1,128}/(?P<id>[A-Za-z0-9]{1,64})/?",),
        icon="skype", priority=40, id_label="Conference ID",
    ),
    # --- everything else, alphabetically by name -----------------------------------
    Service(
        "eight_by_eight", "8x8 Meet", ("8x8.vc",),
        (rf"/(?P<id>{_ROOM}(?:/{_ROOM})?)/?",),
        icon="eight_by_eight", id_label="Room",
    ),
    Service(
        "airmeet", "Airmeet", ("airmeet.com", "www.airmeet.com"),
        (r"/e/(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/?",),
        icon="airmeet", id_label="Event",
    ),
    Service(
        "chime", "Amazon Chime", ("chime.aws", "app.chime.aws"),
        (r"chime.aws /(?P<id>\d{10})/?", r"/meetings/?"),
        id_params=("pin",), schemes=("chime",), native="chime://meeting?pin={id}",
        native_id=r"\d{10}", web="https://app.chime.aws/meetings/?pin={id}", icon="chime",
    ),
    Service(
        "around", "Around", ("around.co", "meet.around.co"),
        (r"/r/(?P<id>[A-Za-z0-9_-]{2,64})/?",), icon="around", id_label="Room",
    ),
    Service(
        "bigbluebutton", "BigBlueButton", ("demo.bigbluebutton.org", "bbb.*"),
        (r"/b/(?P<id>[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}(?:-[a-z0-9]{3})?)/?",
         r"/rooms/(?P<id>[a-z0-9]{3}-[a-z0-9]{3}-[a-z0-9]{3}(?:-[a-z0-9]{3})?)(?:/join)?/?"),
        icon="bigbluebutton", id_label="Room",
    ),
    Service(
        "brave_talk", "Brave Talk", ("talk.brave.com",),
        (r"/(?P<id>[A-Za-z0-9_-]{8,128})/?",), icon="brave_talk", id_label="Room",
    ),
    Service(
        "cal_video", "Cal Video", ("app.cal.com", "cal.com"),
        (r"/video/(?P<id>[A-Za-z0-9_-]{4,64})/?",), icon="cal_video", id_label="Room",
    ),
    Service(
        "clickmeeting", "ClickMeeting", ("*.clickmeeting.com",),
        (rf"/{_NOT_SITE}(?P<id>[A-Za-z0-9][A-Za-z0-9_-]{{1,63}})/?",),
        exclude_hosts=("www.clickmeeting.com", "knowledge.clickmeeting.com",
                       "blog.clickmeeting.com"),
        icon="clickmeeting", id_label="Room",
    ),
    Service(
        "daily", "Daily", ("*.daily.co",),
        (rf"/{_NOT_SITE}(?P<id>[A-Za-z0-9][A-Za-z0-9_-]{{0,127}})/?",),
        exclude_hosts=("www.daily.co", "docs.daily.co", "dashboard.daily.co",
                       "status.daily.co", "help.daily.co"),
        icon="daily", id_label="Room",
    ),
    Service(
        "demio", "Demio", ("event.demio.com", "my.demio.com"),
        (r"/ref/(?P<id>[A-Za-z0-9]{4,64})/?",), icon="demio", id_label="Event",
    ),
    Service(
        "dialpad", "Dialpad Meetings",
        ("meetings.dialpad.com", "uberconference.com", "www.uberconference.com"),
        (rf"/(?:room/)?{_NOT_SITE}(?P<id>[A-Za-z0-9][A-Za-z0-9._-]{{1,63}})/?",),
        icon="dialpad", id_label="Room",
    ),
    # Discord voice channels and invites need a Discord account.
    Service(
        "discord", "Discord", ("discord.gg", "discord.com", "discordapp.com"),
        (r"discord.gg /(?P<id>[A-Za-z0-9-]{2,32})/?",
         r"/invite/(?P<id>[A-Za-z0-9-]{2,32})/?",
         r"/channels/(?P<id>\d{5,25}/\d{5,25})/?"),
        icon="discord", needs_sign_in=True, sign_in_note="a Discord account", priority=60,
        id_label="Invite",
    ),
    # FaceTime links work in a browser on any system without an Apple ID.
    Service(
        "facetime", "FaceTime", ("facetime.apple.com",), (r"/join/?",),
        id_params=("p",), fragment_params=True, icon="facetime", id_label="Call",
    ),
    Service(
        "gather", "Gather", ("gather.town", "app.gather.town", "app.v2.gather.town"),
        (r"/app/(?P<id>[A-Za-z0-9_-]{4,64}(?:/[^/]{1,128})?)/?",),
        icon="gather", id_label="Space",
    ),
    Service(
        "goto", "GoTo Meeting",
        ("meet.goto.com", "global.gotomeeting.com", "app.gotomeeting.com", "gotomeet.me",
         "www.gotomeet.me"),
        (r"/(?P<id>\d{9,10})/?", r"/join/(?P<id>\d{9,10})/?",
         r"app.gotomeeting.com /(?:index\.html)?",
         rf"gotomeet.me /{_NOT_SITE}(?P<id>[A-Za-z0-9_-]{{2,64}})/?",
         rf"www.gotomeet.me /{_NOT_SITE}(?P<id>[A-Za-z0-9_-]{{2,64}})/?"),
        id_params=("meetingId",), icon="goto", priority=30, id_format="dashes3",
    ),
    Service(
        "gotowebinar", "GoTo Webinar", ("global.gotowebinar.com",),
        (r"/join/(?P<id>\d{6,20})(?:/\d{1,20})?/?",), icon="goto", id_label="Webinar ID",
    ),
    # Legacy Hangouts always needed a Google account.
    Service(
        "hangouts", "Google Hangouts", ("hangouts.google.com", "plus.google.com"),
        (r"/hangouts/_/(?P<id>[A-Za-z0-9._/-]{2,256}?)/?", r"/call/(?P<id>[A-Za-z0-9_-]{4,64})/?"),
        icon="hangouts", needs_sign_in=True, sign_in_note="a Google account", priority=70,
    ),
    # Hopin asks every attendee to sign in or register.
    Service(
        "hopin", "Hopin", ("hopin.com", "app.hopin.com"),
        (r"/events/(?P<id>[A-Za-z0-9_-]{2,128})(?:/[A-Za-z0-9_/-]*)?",),
        icon="hopin", needs_sign_in=True, sign_in_note="a Hopin account", priority=60,
        id_label="Event",
    ),
    Service(
        "jitsi", "Jitsi Meet", ("meet.jit.si", "jitsi.*"),
        (rf"/{_NOT_SITE}(?P<id>{_ROOM})/?",), icon="jitsi", priority=30, id_label="Room",
    ),
    Service(
        "lark", "Lark / Feishu", ("vc.larksuite.com", "vc.feishu.cn"),
        (r"/j/(?P<id>\d{9,12})/?",), icon="lark", id_format="groups3",
    ),
    Service(
        "lifesize", "Lifesize", (".lifesizecloud.com",),
        (r"/(?P<id>\d{3,12})/?",), icon="lifesize", id_label="Extension",
    ),
    Service(
        "livekit", "LiveKit Meet", ("meet.livekit.io",),
        (r"/rooms/(?P<id>[A-Za-z0-9_-]{2,128})/?",), icon="livekit", id_label="Room",
    ),
    Service(
        "livestorm", "Livestorm", ("app.livestorm.co",),
        (r"/p/(?P<id>[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
         r"/(?:live|form)/?",),
        icon="livestorm", id_label="Event",
    ),
    Service(
        "on24", "ON24", ("event.on24.com",),
        (r"/wcc/r/(?P<id>\d{4,12})(?:/[A-Za-z0-9]{1,64})?/?",), icon="on24",
        id_label="Event",
    ),
    Service(
        "ringcentral", "RingCentral", ("meetings.ringcentral.com", "v.ringcentral.com"),
        (rf"/j/(?P<id>{_ZOOM_ID})/?", r"/join/(?P<id>\d{9,12})/?"),
        pwd_params=("pwd", "pw"), icon="ringcentral", priority=30, id_format="groups3",
    ),
    Service(
        "riverside", "Riverside", ("riverside.fm", "www.riverside.fm"),
        (r"/studio/(?P<id>[A-Za-z0-9_-]{2,128})/?",), icon="riverside", id_label="Studio",
    ),
    # Signal call links need the Signal app and a Signal account.
    Service(
        "signal", "Signal", ("signal.link",), (r"/call/?",),
        id_params=("key",), fragment_params=True, icon="signal", needs_sign_in=True,
        sign_in_note="the Signal app and account", priority=60, id_label="Call link",
    ),
    Service(
        "skype", "Skype", ("join.skype.com",),
        (rf"/{_NOT_SITE}(?P<id>[A-Za-z0-9]{{6,32}})/?",), icon="skype", priority=40,
        id_label="Meeting code",
    ),
    # Huddles are inside a Slack workspace: members only.
    Service(
        "slack", "Slack huddle", ("app.slack.com",),
        (r"/huddle/T[A-Z0-9]{6,}/(?P<id>[A-Z0-9]{6,})/?",),
        icon="slack", needs_sign_in=True, sign_in_note="the Slack workspace", priority=60,
        id_label="Channel",
    ),
    Service(
        "streamyard", "StreamYard", ("streamyard.com",),
        (r"/(?P<id>(?=[A-Za-z]*\d)[A-Za-z0-9]{10,14})/?",), icon="streamyard",
        id_label="Studio",
    ),
    Service(
        "talky", "Talky", ("talky.io",),
        (rf"/{_NOT_SITE}(?P<id>[A-Za-z0-9][A-Za-z0-9_-]{{1,63}})/?",), icon="talky",
        id_label="Room",
    ),
    # Telegram video chats of groups and channels need a Telegram account.
    Service(
        "telegram", "Telegram video chat", ("t.me",),
        (r"/(?P<id>[A-Za-z][A-Za-z0-9_]{4,31})/?",),
        require_params=("videochat", "voicechat", "livestream"), icon="telegram",
        needs_sign_in=True, sign_in_note="a Telegram account", priority=60, id_label="Chat",
    ),
    Service(
        "tencent", "Tencent Meeting / VooV",
        ("meeting.tencent.com", "voovmeeting.com", "www.voovmeeting.com"),
        (r"/dm/(?P<id>[A-Za-z0-9]{6,32})/?",), icon="tencent",
    ),
    Service(
        "telemost", "Yandex Telemost", ("telemost.yandex.ru", "telemost.yandex.com"),
        (r"/j/(?P<id>\d{8,20})/?",), icon="telemost",
    ),
    Service(
        "vk", "VK Calls", ("vk.com", "vk.ru"),
        (r"/call/join/(?P<id>[A-Za-z0-9_-]{8,128})/?",), icon="vk", id_label="Call",
    ),
    # WhatsApp call links open in the app, which needs a WhatsApp account.
    Service(
        "whatsapp", "WhatsApp call", ("call.whatsapp.com",),
        (r"/(?:video|voice)/(?P<id>[A-Za-z0-9]{8,64})/?",), icon="whatsapp",
        needs_sign_in=True, sign_in_note="a WhatsApp account", priority=60,
        id_label="Call",
    ),
    # Workplace rooms are for people in the company's Workplace.
    Service(
        "workplace", "Workplace", (".workplace.com",),
        (r"/groupcall/(?P<id>[A-Za-z0-9:_-]{4,128})/?",),
        icon="workplace", needs_sign_in=True, sign_in_note="a Workplace account",
        priority=60, id_label="Room",
    ),
    Service(
        "zoho", "Zoho Meeting",
        ("meeting.zoho.com", "meeting.zoho.eu", "meeting.zoho.in", "meeting.zoho.com.au",
         "meeting.zoho.jp"),
        (r"/join/?", r"/meeting/join/?"), id_params=("key",), icon="zoho",
        id_format="groups3",
    ),
)

#: Every entry by key.
SERVICES: Mapping[str, Service] = MappingProxyType({s.key: s for s in CATALOGUE})

#: A link of no catalogue service (kept from conference fields and API providers).
GENERIC = Service("link", "Link", (), (), icon="link", priority=100, id_label="Link")


def service_by_key(key: str) -> Service | None:
    """Return the catalogue entry called *key*, or ``None``."""
    if key == GENERIC.key:
        return GENERIC
    return SERVICES.get(key)


def native_schemes() -> frozenset[str]:
    """Every native-app scheme the catalogue makes or recognises."""
    out = {s for svc in CATALOGUE for s in svc.schemes}
    for svc in CATALOGUE:
        if svc.native:
            out.add(svc.native.split(":", 1)[0])
    return frozenset(out)


def format_id(service: Service, meeting_id: str) -> str:
    """Write *meeting_id* the way people read it (``123 4567 8901`` for Zoom)."""
    fmt = service.id_format
    if fmt is None or not meeting_id.isdigit():
        return meeting_id
    if fmt == "zoom":
        n = len(meeting_id)
        if n == 11:
            return f"{meeting_id[:3]} {meeting_id[3:7]} {meeting_id[7:]}"
        if n == 10:
            return f"{meeting_id[:3]} {meeting_id[3:6]} {meeting_id[6:]}"
        return _groups(meeting_id, 3, " ")
    if fmt == "dashes3":
        return _groups(meeting_id, 3, "-")
    return _groups(meeting_id, 3, " ")


def _groups(digits: str, size: int, sep: str) -> str:
    return sep.join(digits[i : i + size] for i in range(0, len(digits), size))


__all__ = [
    "CATALOGUE",
    "GENERIC",
    "SERVICES",
    "Service",
    "format_id",
    "native_schemes",
    "service_by_key",
]
