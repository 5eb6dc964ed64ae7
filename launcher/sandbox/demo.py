"""Demo accounts, seed data relative to "now", and bulk data for the control API."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any, Final

from launcher.sandbox.ics import ICS_USER
from launcher.sandbox.state import (
    BlueJeansClient,
    BlueJeansMeeting,
    BlueJeansToken,
    BlueJeansUser,
    JoinMeMeeting,
    RelayToken,
    SandboxState,
    SkypeError,
    SkypeOnlineMeeting,
    SkypeUser,
    digits,
    to_ms,
)
from launcher.sandbox.whereby import add_room

BLUEJEANS_USER: Final = "demo@bluejeans.test"
BLUEJEANS_PASSWORD: Final = "demo-bluejeans-password"
BLUEJEANS_USER_ID: Final = 1442589
BLUEJEANS_ENTERPRISE_ID: Final = 6
RELAY_TOKEN: Final = "demo-relay-token"
#: The Meetings REST token the demo profile starts with (valid 14 days from the
#: sandbox's start, like a password sign-in's), so the demo keeps no password.
BLUEJEANS_REST_TOKEN: Final = "demo-bluejeans-rest-token"
OUTSIDER_RELAY_TOKEN: Final = "outsider-relay-token"
CLIENT_ID: Final = "demo-client"
CLIENT_SECRET: Final = "demo-client-secret"
JOINME_TOKEN: Final = "demo-joinme-token"
WHEREBY_KEY: Final = "demo-whereby-key"
SKYPE_USER: Final = "demo@contoso.test"
SKYPE_PASSWORD: Final = "demo-skype-password"
SKYPE_SIP: Final = "sip:demo@contoso.test"


@dataclasses.dataclass(frozen=True, slots=True)
class DemoAccount:
    """One demo account: where its API lives and the secrets the sandbox accepts.

    ``secrets`` keys are secret-store kinds: BlueJeans ``token`` (a Meetings REST
    token, as a sign-in leaves it; the password is not kept) and ``relay_token``;
    join.me ``token``; Whereby ``api_key``; Skype ``password``. The BlueJeans password
    (``BLUEJEANS_PASSWORD``) and client-credentials pair (``CLIENT_ID`` /
    ``CLIENT_SECRET``) are accepted too, for signing in.
    """

    name: str
    provider: str
    base_url: str
    relay_url: str | None
    web_url: str | None
    username: str | None
    secrets: dict[str, str] = dataclasses.field(default_factory=dict, repr=False, hash=False)


def provider_urls(base_url: str) -> dict[str, str]:
    """Return the API bases the sandbox serves under *base_url*."""
    base = base_url.rstrip("/")
    return {
        "bluejeans": f"{base}/bluejeans/rest",
        "bluejeans_relay": f"{base}/bluejeans/relay/api",
        "joinme": f"{base}/joinme/v1",
        "whereby": f"{base}/whereby/v1",
        "skype": f"{base}/skype/autodiscover/root",
        "ics": f"{base}/ics/demo.ics",
    }


def demo_accounts(base_url: str) -> list[DemoAccount]:
    """Return the demo accounts (four meeting services, one ICS calendar) at *base_url*."""
    base = base_url.rstrip("/")
    urls = provider_urls(base)
    return [
        DemoAccount(
            name="Demo BlueJeans",
            provider="bluejeans",
            base_url=urls["bluejeans"],
            relay_url=urls["bluejeans_relay"],
            web_url=f"{base}/bluejeans/web",
            username=BLUEJEANS_USER,
            secrets={"token": BLUEJEANS_REST_TOKEN, "relay_token": RELAY_TOKEN},
        ),
        DemoAccount(
            name="Demo join.me",
            provider="joinme",
            base_url=urls["joinme"],
            relay_url=None,
            web_url=f"{base}/joinme/web",
            username="demo@joinme.test",
            secrets={"token": JOINME_TOKEN},
        ),
        DemoAccount(
            name="Demo Whereby",
            provider="whereby",
            base_url=urls["whereby"],
            relay_url=None,
            web_url=f"{base}/whereby/web",
            username=None,
            secrets={"api_key": WHEREBY_KEY},
        ),
        DemoAccount(
            name="Demo Skype for Business",
            provider="skype",
            base_url=urls["skype"],
            relay_url=None,
            web_url=f"{base}/skype/meet",
            username=SKYPE_USER,
            secrets={"password": SKYPE_PASSWORD},
        ),
        DemoAccount(
            name="Demo calendar",
            provider="ics",
            base_url=urls["ics"],
            relay_url=None,
            web_url=None,
            username=ICS_USER,
        ),
    ]


def _slots(now: dt.datetime) -> dict[str, dt.datetime]:
    """Start times: soon today, tomorrow, next week (on the quarter hour)."""
    quarter = now.replace(minute=now.minute - now.minute % 15, second=0, microsecond=0)
    today = quarter + dt.timedelta(minutes=45)
    return {
        "now": quarter - dt.timedelta(minutes=15),
        "today": today,
        "later": today + dt.timedelta(hours=2),
        "tomorrow": today + dt.timedelta(days=1),
        "tomorrow2": today + dt.timedelta(days=1, hours=3),
        "week": today + dt.timedelta(days=7),
        "week2": today + dt.timedelta(days=8),
    }


# (numericMeetingId, title, slot, rules) — the table in bluejeans.py's docstring.
_BLUEJEANS_MEETINGS: Final[list[tuple[str, str, str, dict[str, Any]]]] = [
    ("494435558", "Open office hours", "now", {"moderator_less": True}),
    ("9036439807", "Weekly planning", "today", {"attendee": "1629", "moderator_less": True}),
    ("4159908751", "Design critique", "later", {"attendee": "2404", "moderator_less": True}),
    (
        "4085551212",
        "Board briefing",
        "tomorrow",
        {"attendee": "3691", "moderator": "7788", "moderator_less": False},
    ),
    ("5550100199", "Moderator-led kickoff", "tomorrow2", {"moderator": "8642"}),
    (
        "184405040",
        "Invitee-only review",
        "tomorrow",
        {"secure": "invitee", "invitees": (BLUEJEANS_USER,), "otp": "482913"},
    ),
    (
        "7301146021",
        "Enterprise all-hands",
        "week",
        {"secure": "enterprise", "enterprise": BLUEJEANS_ENTERPRISE_ID, "otp": "551234"},
    ),
    (
        "2600155001",
        "Partner invitee session",
        "week",
        {"secure": "invitee", "invitees": ("partner@partner.test",), "otp": "902211"},
    ),
    (
        "2600155002",
        "Partner enterprise sync",
        "week",
        {"secure": "enterprise", "enterprise": 7, "otp": "902212"},
    ),
    (
        "2600155003",
        "Invitee-only interview",
        "week2",
        {"secure": "invitee", "invitees": (BLUEJEANS_USER,), "otp": "314159"},
    ),
    (
        "2600155004",
        "Enterprise-only audit",
        "week2",
        {"secure": "enterprise", "enterprise": BLUEJEANS_ENTERPRISE_ID, "otp": "271828"},
    ),
    (
        "6175550123",
        "Town hall with waiting room",
        "later",
        {"moderator": "5150", "moderator_less": True, "waiting_room": True},
    ),
    ("8005550100", "Face scan pilot", "week2", {"forced": "GET_FACE_SCAN"}),
]

# (id, subject, slot for expiry, behaviour, error)
_SKYPE_MEETINGS: Final[list[tuple[str, str, str, str, SkypeError | None]]] = [
    ("SUCCESS1", "Project sync", "today", "success", None),
    ("LOBBY001", "Customer review (lobby, admitted)", "tomorrow", "lobby_admit", None),
    ("DENIED01", "Executive session (lobby, denied)", "week", "lobby_deny", None),
    (
        "NOTFOUND",
        "Cancelled meeting",
        "week",
        "error",
        SkypeError(404, "NotFound", "DestinationNotFound", "The meeting could not be found."),
    ),
    (
        "FORBID01",
        "Anonymous-ticket mismatch",
        "week",
        "error",
        SkypeError(
            403,
            "Forbidden",
            None,
            "The target conference URI does not match the conference URI provisioned in "
            "anonymous web ticket.",
        ),
    ),
    (
        "CALLBACK",
        "Unreachable event channel",
        "week",
        "error",
        SkypeError(
            500,
            "ServiceFailure",
            "CallbackChannelError",
            "The remote event channel is not reachable",
        ),
    ),
    (
        "EXISTS01",
        "Already joined",
        "week",
        "error",
        SkypeError(409, "Conflict", "AlreadyExists", "The already exists error."),
    ),
    (
        "GROUPS01",
        "Too many groups",
        "week",
        "error",
        SkypeError(409, "Conflict", "TooManyGroups", "The too many groups error."),
    ),
    (
        "CONFLICT",
        "Unsupported service",
        "week",
        "error",
        SkypeError(409, "Conflict", None, "Un-supported Service/Resource/API error."),
    ),
    (
        "REDIRECT",
        "No backup pool",
        "week",
        "error",
        SkypeError(
            410,
            "Gone",
            "CannotRedirect",
            "Cannot redirect since there is no back up pool configured.",
        ),
    ),
]


def seed(state: SandboxState) -> None:
    """Fill *state* with the demo users and meetings, relative to ``state.now()``."""
    with state.lock:
        now = state.now()
        slots = _slots(now)
        _seed_bluejeans(state, now, slots)
        _seed_joinme(state, now, slots)
        _seed_whereby(state, now, slots)
        _seed_skype(state, now, slots)


def _seed_bluejeans(state: SandboxState, now: dt.datetime, slots: dict[str, dt.datetime]) -> None:
    store = state.bluejeans
    store.enterprises.update(
        {BLUEJEANS_ENTERPRISE_ID: "sandbox-enterprise", 7: "partner-enterprise"}
    )
    demo = BlueJeansUser(
        id=BLUEJEANS_USER_ID,
        username=BLUEJEANS_USER,
        email=BLUEJEANS_USER,
        first_name="Dana",
        last_name="Demo",
        password=BLUEJEANS_PASSWORD,
        enterprise_id=BLUEJEANS_ENTERPRISE_ID,
        enterprise_name="sandbox-enterprise",
        personal_meeting_id="1442589000",
    )
    colleague = BlueJeansUser(
        id=1442590,
        username="admin@bluejeans.test",
        email="admin@bluejeans.test",
        first_name="Ari",
        last_name="Admin",
        password="admin-bluejeans-password",
        enterprise_id=BLUEJEANS_ENTERPRISE_ID,
        enterprise_name="sandbox-enterprise",
        personal_meeting_id="1442590000",
        enterprise_admin=True,
    )
    outsider = BlueJeansUser(
        id=2000001,
        username="outsider@elsewhere.test",
        email="outsider@elsewhere.test",
        first_name="Olli",
        last_name="Outsider",
        password="outsider-password",
        enterprise_id=None,
        enterprise_name=None,
        personal_meeting_id="2000001000",
    )
    for user in (demo, colleague, outsider):
        store.users[user.id] = user
    store.clients[CLIENT_ID] = BlueJeansClient(CLIENT_ID, CLIENT_SECRET, BLUEJEANS_ENTERPRISE_ID)
    store.relay_tokens[RELAY_TOKEN] = RelayToken(RELAY_TOKEN, demo.id, now, None)
    store.tokens[BLUEJEANS_REST_TOKEN] = BlueJeansToken(
        BLUEJEANS_REST_TOKEN, now + dt.timedelta(days=14), user_id=demo.id
    )
    store.relay_tokens[OUTSIDER_RELAY_TOKEN] = RelayToken(
        OUTSIDER_RELAY_TOKEN, outsider.id, now, None
    )
    for numeric_id, title, slot, rules in _BLUEJEANS_MEETINGS:
        start = slots[slot]
        meeting = BlueJeansMeeting(
            id=store.next_meeting_id,
            uuid=str(uuid.uuid5(uuid.NAMESPACE_URL, f"bluejeans:{numeric_id}")),
            owner_id=demo.id,
            numeric_id=numeric_id,
            title=title,
            start_ms=to_ms(start),
            end_ms=to_ms(start + dt.timedelta(hours=1)),
            description=f"Sandbox meeting {numeric_id}",
            attendee_passcode=rules.get("attendee"),
            attendees=["colleague@bluejeans.test", *rules.get("invitees", ())],
            advanced={"moderatorLess": bool(rules.get("moderator_less", False))},
            created_ms=to_ms(now - dt.timedelta(days=3)),
            modified_ms=to_ms(now - dt.timedelta(days=1)),
            moderator_passcode=rules.get("moderator"),
            waiting_room=bool(rules.get("waiting_room", False)),
            secure=rules.get("secure"),
            invitees=tuple(rules.get("invitees", ())),
            secure_enterprise_id=rules.get("enterprise"),
            one_time_passcode=rules.get("otp"),
            forced_answer=rules.get("forced"),
        )
        store.meetings[meeting.id] = meeting
        store.next_meeting_id += 1


def _seed_joinme(state: SandboxState, now: dt.datetime, slots: dict[str, dt.datetime]) -> None:
    store = state.joinme
    store.add_token(JOINME_TOKEN)
    store.profile = {
        "email": "demo@joinme.test",
        "fullName": "Jo Demo",
        "language": "en-US",
        "numberOfMeetingsHosted": 57,
        "registrationDate": "2014-03-22T20:45:00",
        "subscriptionType": "Pro",
    }
    meetings = [
        ("Weekly update with the boss", "today", True, ["boss@joinme.test"]),
        ("Follow up with our best customer", "tomorrow", False, ["customer@example.test"]),
        ("Quarterly planning", "week", False, ["team@joinme.test", "boss@joinme.test"]),
    ]
    for number, (name, slot, personal, participants) in enumerate(meetings):
        start = slots[slot]
        meeting = JoinMeMeeting(
            id=store.next_meeting_id,
            name=name,
            start=start,
            end=start + dt.timedelta(hours=1),
            start_with_personal_url=personal,
            code=f"51234567{number}",
            conference_id=f"98765432{number}",
            participants=list(participants),
        )
        store.meetings[meeting.id] = meeting
        store.next_meeting_id += 1


def _seed_whereby(state: SandboxState, now: dt.datetime, slots: dict[str, dt.datetime]) -> None:
    state.whereby.api_keys.add(WHEREBY_KEY)
    created = (now - dt.timedelta(hours=1)).replace(microsecond=0)
    rooms: list[tuple[str, str, dict[str, Any]]] = [
        ("/daily-standup-5c1f2a7e-0d4b-4f7e-9a51-6f3c2b8d9e10", "today", {}),
        (
            "/customer0348-72b9e0a4-3c1d-4e5f-8a6b-9c0d1e2f3a4b",
            "tomorrow",
            {"is_locked": True},
        ),
        (
            "/all-hands-d41c8e2f-7b6a-4c5d-9e8f-0a1b2c3d4e5f",
            "week",
            {"is_locked": True, "room_mode": "group", "template_type": "viewerMode"},
        ),
    ]
    for name, slot, extra in rooms:
        add_room(state, name, start=created, end=slots[slot] + dt.timedelta(hours=1), **extra)


def _seed_skype(state: SandboxState, now: dt.datetime, slots: dict[str, dt.datetime]) -> None:
    store = state.skype
    store.users[SKYPE_USER] = SkypeUser(
        username=SKYPE_USER, password=SKYPE_PASSWORD, sip=SKYPE_SIP, name="Sam Demo", alias="demo"
    )
    for number, (meeting_id, subject, slot, behaviour, error) in enumerate(_SKYPE_MEETINGS):
        store.meetings[meeting_id] = SkypeOnlineMeeting(
            online_meeting_id=meeting_id,
            organizer=SKYPE_SIP,
            subject=subject,
            expiration=slots[slot] + dt.timedelta(hours=8),
            conference_id=f"1298348{number}",
            behaviour=behaviour,  # type: ignore[arg-type]
            error=error,
            description=f"Sandbox meeting {meeting_id}",
            access_level="Invited" if behaviour.startswith("lobby") else "Everyone",
            attendees=["sip:colleague@contoso.test"],
            leaders=[SKYPE_SIP],
        )


# ----------------------------------------------------------------------------- bulk


def bulk(state: SandboxState, provider: str, count: int) -> int:
    """Add *count* meetings (Whereby: rooms) over the next 30 days; returns *count*."""
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100_000:
        raise ValueError("count must be an integer between 1 and 100000")
    with state.lock:
        now = state.now().replace(second=0, microsecond=0)
        step = dt.timedelta(days=30) / count
        starts = [now + dt.timedelta(minutes=5) + step * i for i in range(count)]
        if provider == "bluejeans":
            _bulk_bluejeans(state, now, starts)
        elif provider == "joinme":
            _bulk_joinme(state, starts)
        elif provider == "whereby":
            _bulk_whereby(state, now, starts)
        elif provider == "skype":
            _bulk_skype(state, starts)
        else:
            raise ValueError("provider must be one of bluejeans, joinme, whereby, skype")
    return count


def _bulk_bluejeans(state: SandboxState, now: dt.datetime, starts: list[dt.datetime]) -> None:
    store = state.bluejeans
    used = {m.numeric_id for m in store.meetings.values()}
    used.update(u.personal_meeting_id for u in store.users.values())
    for start in starts:
        numeric_id = digits(state.rng, 10)
        while numeric_id in used:
            numeric_id = digits(state.rng, 10)
        used.add(numeric_id)
        meeting = BlueJeansMeeting(
            id=store.next_meeting_id,
            uuid=str(uuid.uuid4()),
            owner_id=BLUEJEANS_USER_ID,
            numeric_id=numeric_id,
            title=f"Bulk meeting {store.next_meeting_id}",
            start_ms=to_ms(start),
            end_ms=to_ms(start + dt.timedelta(minutes=30)),
            advanced={"moderatorLess": True},
            created_ms=to_ms(now),
            modified_ms=to_ms(now),
        )
        store.meetings[meeting.id] = meeting
        store.next_meeting_id += 1


def _bulk_joinme(state: SandboxState, starts: list[dt.datetime]) -> None:
    store = state.joinme
    used = {m.code for m in store.meetings.values()} | {store.personal_url}
    for start in starts:
        code = digits(state.rng, 9)
        while code in used:
            code = digits(state.rng, 9)
        used.add(code)
        meeting = JoinMeMeeting(
            id=store.next_meeting_id,
            name=f"Bulk meeting {store.next_meeting_id}",
            start=start,
            end=start + dt.timedelta(minutes=30),
            start_with_personal_url=False,
            code=code,
            conference_id=digits(state.rng, 9),
        )
        store.meetings[meeting.id] = meeting
        store.next_meeting_id += 1


def _bulk_whereby(state: SandboxState, now: dt.datetime, starts: list[dt.datetime]) -> None:
    for start in starts:
        add_room(
            state,
            f"/bulk-{uuid.UUID(int=state.rng.getrandbits(128), version=4)}",
            start=now,
            end=start + dt.timedelta(minutes=30),
        )


def _bulk_skype(state: SandboxState, starts: list[dt.datetime]) -> None:
    store = state.skype
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    for start in starts:
        meeting_id = "".join(state.rng.choice(alphabet) for _ in range(8))
        while meeting_id in store.meetings:
            meeting_id = "".join(state.rng.choice(alphabet) for _ in range(8))
        store.meetings[meeting_id] = SkypeOnlineMeeting(
            online_meeting_id=meeting_id,
            organizer=SKYPE_SIP,
            subject=f"Bulk meeting {meeting_id}",
            expiration=start + dt.timedelta(hours=8),
            conference_id=digits(state.rng, 8),
            leaders=[SKYPE_SIP],
        )
