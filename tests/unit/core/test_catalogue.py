"""One test per catalogue entry: real-looking links recognised, near misses rejected."""

from __future__ import annotations

import pytest

from launcher.core.catalogue import (
    CATALOGUE,
    SERVICES,
    format_id,
    native_schemes,
    service_by_key,
)
from launcher.core.links import APP_SCHEMES, check_openable
from launcher.core.linkscan import match_url

Hit = tuple[str, str, str | None]  # url, meeting id, passcode

# key -> (links that match with their ID and passcode, near misses that must not match)
TABLE: dict[str, tuple[list[Hit], list[str]]] = {
    "zoom": (
        [("https://us02web.zoom.us/j/84512345678?pwd=QWxhZGRpbjpvcGVuIHNlc2FtZQ.1",
          "84512345678", "QWxhZGRpbjpvcGVuIHNlc2FtZQ.1"),
         ("https://zoom.us/j/123456789", "123456789", None),
         ("https://acme.zoom.us/w/9876543210?tk=abc", "9876543210", None),
         ("https://zoom.us/wc/join/84512345678", "84512345678", None),
         ("https://acme.zoom.us/my/jane.doe", "jane.doe", None),
         ("zoommtg://zoom.us/join?action=join&confno=84512345678&pwd=123456",
          "84512345678", "123456")],
        ["https://zoom.us.evil.com/j/84512345678", "https://notzoom.us/j/84512345678",
         "https://zoom.us/j/12345", "https://zoom.us/pricing", "https://zoom.us/join",
         "https://zoom.us/j/84512345678/extra"],
    ),
    "zoomgov": (
        [("https://www.zoomgov.com/j/1612345678?pwd=abc", "1612345678", "abc"),
         ("https://agency.zoomgov.com/j/161234567", "161234567", None)],
        ["https://zoomgov.com.evil.org/j/1612345678", "https://zoomgov.com/meetings"],
    ),
    "teams": (
        [("https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjA2%40thread.v2/0"
          "?context=%7b%22Tid%22%3a%22t%22%7d", "19:meeting_NjA2@thread.v2", None),
         ("https://teams.microsoft.com/meet/2345678901234?p=aBcD3fGh", "2345678901234",
          "aBcD3fGh"),
         ("https://teams.live.com/meet/9876543210987?p=Xy12", "9876543210987", "Xy12"),
         ("https://gov.teams.microsoft.us/l/meetup-join/19%3ameeting_Zz%40thread.v2/0",
          "19:meeting_Zz@thread.v2", None),
         ("msteams:/l/meetup-join/19%3ameeting_NjA2%40thread.v2/0",
          "19:meeting_NjA2@thread.v2", None)],
        ["https://teams.microsoft.com/", "https://teams.microsoft.com.evil.com/meet/23456789012",
         "https://teams.microsoft.com/meet/abc", "https://teams.live.com/free"],
    ),
    "google_meet": (
        [("https://meet.google.com/abc-defg-hij", "abc-defg-hij", None),
         ("https://meet.google.com/xyz-abcd-efg?authuser=1", "xyz-abcd-efg", None),
         ("https://meet.google.com/lookup/teamsync", "teamsync", None)],
        ["https://meet.google.com/", "https://meet.google.com/abc-defg-hijk",
         "https://meet.google.com.evil.com/abc-defg-hij", "https://meet.google.com/ABC-DEFG-HIJ"],
    ),
    "webex": (
        [("https://acme.webex.com/meet/jdoe", "jdoe", None),
         ("https://acme.webex.com/acme/j.php?MTID=m1234abcd5678ef", "m1234abcd5678ef", None),
         ("https://acme.webex.com/join/jdoe", "jdoe", None)],
        ["https://webex.com.evil.net/meet/jdoe", "https://www.webex.com/pricing/index.html",
         "https://acme.webex.com/acme/j.php"],
    ),
    "whereby": (
        [("https://whereby.com/team-standup", "team-standup", None),
         ("https://acme.whereby.com/room-prefix-793e9ec1?roomKey=abc",
          "room-prefix-793e9ec1", None)],
        ["https://whereby.com/", "https://whereby.com/pricing", "https://whereby.co/room",
         "https://whereby.com/user/settings"],
    ),
    "bluejeans": (
        [("https://bluejeans.com/123456789", "123456789", None),
         ("https://bluejeans.com/123456789/4321", "123456789", "4321"),
         ("https://acme.bluejeans.com/987654321.1234/webrtc", "987654321", "1234")],
        ["https://bluejeans.com/pricing", "https://bluejeans.com.evil.com/123456789",
         "https://bluejeans.com/12345"],
    ),
    "joinme": (
        [("https://join.me/hardwork", "hardwork", None),
         ("https://secure.join.me/123-456-789", "123-456-789", None)],
        ["https://join.me/", "https://join.me.evil.com/hardwork", "https://join.me/pricing"],
    ),
    "skype_business": (
        [("https://meet.contoso.com/bmauldin/IB88RLLY", "IB88RLLY", None),
         ("https://meet.lync.com/contoso/jdoe/ABCD1234", "ABCD1234", None)],
        ["https://meet.contoso.com/careers", "https://meet.com/a/B",
         "https://meeting.contoso.com/bmauldin/IB88RLLY"],
    ),
    "eight_by_eight": (
        [("https://8x8.vc/company-standup", "company-standup", None),
         ("https://8x8.vc/vpaas-magic-cookie-1a2b/WeeklySync", "vpaas-magic-cookie-1a2b/WeeklySync",
          None)],
        ["https://8x8.vc/", "https://8x8.vc.evil.com/room"],
    ),
    "airmeet": (
        [("https://www.airmeet.com/e/3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b",
          "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b", None),
         ("https://airmeet.com/e/00000000-1111-2222-3333-444444444444",
          "00000000-1111-2222-3333-444444444444", None)],
        ["https://www.airmeet.com/e/not-a-uuid", "https://www.airmeet.com/pricing"],
    ),
    "chime": (
        [("https://chime.aws/1234567890", "1234567890", None),
         ("https://app.chime.aws/meetings/?pin=9876543210", "9876543210", None),
         ("chime://meeting?pin=1234567890", "1234567890", None)],
        ["https://chime.aws/123", "https://app.chime.aws/meetings/",
         "https://chime.aws.evil.com/1234567890"],
    ),
    "around": (
        [("https://meet.around.co/r/design-crit", "design-crit", None),
         ("https://around.co/r/standup", "standup", None)],
        ["https://around.co/pricing", "https://meet.around.co/"],
    ),
    "bigbluebutton": (
        [("https://bbb.example.edu/b/abc-d3f-gh1", "abc-d3f-gh1", None),
         ("https://demo.bigbluebutton.org/rooms/abc-def-ghi-jkl/join", "abc-def-ghi-jkl", None)],
        ["https://bbb.example.edu/admins", "https://bigbluebutton.org/b/abc-def-ghi"],
    ),
    "brave_talk": (
        [("https://talk.brave.com/Xk3d9aLmQpZr0sT1uV2w", "Xk3d9aLmQpZr0sT1uV2w", None),
         ("https://talk.brave.com/abcdefgh12345678", "abcdefgh12345678", None)],
        ["https://talk.brave.com/", "https://brave.com/talk"],
    ),
    "cal_video": (
        [("https://app.cal.com/video/3k2JfPq8ZfW1", "3k2JfPq8ZfW1", None),
         ("https://cal.com/video/abcd1234", "abcd1234", None)],
        ["https://cal.com/jane", "https://app.cal.com/bookings"],
    ),
    "clickmeeting": (
        [("https://acme.clickmeeting.com/product-webinar", "product-webinar", None),
         ("https://school.clickmeeting.com/lesson-12?password=x", "lesson-12", None)],
        ["https://www.clickmeeting.com/pricing", "https://clickmeeting.com/room"],
    ),
    "daily": (
        [("https://acme.daily.co/hello", "hello", None),
         ("https://team.daily.co/standup-42", "standup-42", None)],
        ["https://daily.co/hello", "https://docs.daily.co/reference", "https://acme.daily.co/"],
    ),
    "demio": (
        [("https://event.demio.com/ref/AbC123xyZ", "AbC123xyZ", None),
         ("https://my.demio.com/ref/q1w2e3r4", "q1w2e3r4", None)],
        ["https://demio.com/ref/AbC123xyZ", "https://event.demio.com/pricing"],
    ),
    "dialpad": (
        [("https://meetings.dialpad.com/room/acme-sales", "acme-sales", None),
         ("https://www.uberconference.com/jdoe", "jdoe", None)],
        ["https://meetings.dialpad.com/", "https://dialpad.com/meetings"],
    ),
    "discord": (
        [("https://discord.gg/Ab3dEf", "Ab3dEf", None),
         ("https://discord.com/channels/123456789012345678/234567890123456789",
          "123456789012345678/234567890123456789", None),
         ("https://discord.com/invite/Ab3dEf", "Ab3dEf", None)],
        ["https://discord.com/download", "https://discord.gg.evil.com/Ab3dEf"],
    ),
    "facetime": (
        [("https://facetime.apple.com/join#v=1&p=AeXyZ123abc&k=secretKey", "AeXyZ123abc", None),
         ("https://facetime.apple.com/join?p=QwErTy&k=x", "QwErTy", None)],
        ["https://facetime.apple.com/join", "https://apple.com/facetime"],
    ),
    "gather": (
        [("https://app.gather.town/app/Ab12Cd34Ef56Gh78/acme-office",
          "Ab12Cd34Ef56Gh78/acme-office", None),
         ("https://gather.town/app/Qw12Er34Ty56Ui78", "Qw12Er34Ty56Ui78", None)],
        ["https://gather.town/pricing", "https://app.gather.town/"],
    ),
    "goto": (
        [("https://meet.goto.com/123456789", "123456789", None),
         ("https://global.gotomeeting.com/join/987654321", "987654321", None),
         ("https://app.gotomeeting.com/?meetingId=123456789", "123456789", None),
         ("https://gotomeet.me/JaneDoe", "JaneDoe", None)],
        ["https://meet.goto.com/pricing", "https://goto.com/123456789",
         "https://global.gotomeeting.com/join/12"],
    ),
    "gotowebinar": (
        [("https://global.gotowebinar.com/join/1234567890123456789/987654321",
          "1234567890123456789", None),
         ("https://global.gotowebinar.com/join/5555555555", "5555555555", None)],
        ["https://global.gotowebinar.com/", "https://attendee.gotowebinar.com/pricing"],
    ),
    "hangouts": (
        [("https://hangouts.google.com/hangouts/_/acme.com/weekly", "acme.com/weekly", None),
         ("https://hangouts.google.com/call/AbCdEf12345", "AbCdEf12345", None)],
        ["https://hangouts.google.com/", "https://google.com/hangouts/_/x"],
    ),
    "hopin": (
        [("https://hopin.com/events/devcon-2024", "devcon-2024", None),
         ("https://app.hopin.com/events/acme-summit/reception", "acme-summit", None)],
        ["https://hopin.com/pricing", "https://hopin.com/events"],
    ),
    "jitsi": (
        [("https://meet.jit.si/WeeklyTeamSync", "WeeklyTeamSync", None),
         ("https://jitsi.example.org/board-meeting", "board-meeting", None)],
        ["https://meet.jit.si/", "https://jit.si/room", "https://meet.jit.si/a/b"],
    ),
    "lark": (
        [("https://vc.larksuite.com/j/123456789", "123456789", None),
         ("https://vc.feishu.cn/j/987654321", "987654321", None)],
        ["https://vc.larksuite.com/j/12", "https://larksuite.com/j/123456789"],
    ),
    "lifesize": (
        [("https://call.lifesizecloud.com/1234567", "1234567", None),
         ("https://guest.lifesizecloud.com/9876543", "9876543", None)],
        ["https://call.lifesizecloud.com/login", "https://lifesize.com/1234567"],
    ),
    "livekit": (
        [("https://meet.livekit.io/rooms/abc-123", "abc-123", None),
         ("https://meet.livekit.io/rooms/team_sync", "team_sync", None)],
        ["https://meet.livekit.io/", "https://livekit.io/rooms/abc"],
    ),
    "livestorm": (
        [("https://app.livestorm.co/p/3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b/live?s=x",
          "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b", None),
         ("https://app.livestorm.co/p/00000000-1111-2222-3333-444444444444/form",
          "00000000-1111-2222-3333-444444444444", None)],
        ["https://app.livestorm.co/acme/webinar", "https://livestorm.co/pricing"],
    ),
    "on24": (
        [("https://event.on24.com/wcc/r/4123456/ABCDEF0123456789", "4123456", None),
         ("https://event.on24.com/wcc/r/987654", "987654", None)],
        ["https://event.on24.com/", "https://on24.com/wcc/r/4123456"],
    ),
    "ringcentral": (
        [("https://meetings.ringcentral.com/j/1234567890?pwd=abc", "1234567890", "abc"),
         ("https://v.ringcentral.com/join/123456789?pw=xyz", "123456789", "xyz")],
        ["https://ringcentral.com/j/1234567890", "https://v.ringcentral.com/join/"],
    ),
    "riverside": (
        [("https://riverside.fm/studio/jane-show", "jane-show", None),
         ("https://www.riverside.fm/studio/podcast_42?t=x", "podcast_42", None)],
        ["https://riverside.fm/pricing", "https://riverside.fm/studio/"],
    ),
    "signal": (
        [("https://signal.link/call/#key=bcdf-ghkm-npqr-stxz", "bcdf-ghkm-npqr-stxz", None),
         ("https://signal.link/call/#key=qrst-vwxz-bcdf", "qrst-vwxz-bcdf", None)],
        ["https://signal.link/call/", "https://signal.org/call/#key=abc"],
    ),
    "skype": (
        [("https://join.skype.com/AbCdEfGh1234", "AbCdEfGh1234", None),
         ("https://join.skype.com/qwertyUIOP", "qwertyUIOP", None)],
        ["https://join.skype.com/", "https://skype.com/AbCdEfGh1234"],
    ),
    "slack": (
        [("https://app.slack.com/huddle/T01ABCDEF/C02GHIJKL", "C02GHIJKL", None),
         ("https://app.slack.com/huddle/T0123456/D0987654", "D0987654", None)],
        ["https://app.slack.com/client/T01ABCDEF/C02GHIJKL", "https://slack.com/huddle/T1/C1"],
    ),
    "streamyard": (
        [("https://streamyard.com/abc12def34", "abc12def34", None),
         ("https://streamyard.com/Q1w2E3r4T5y6", "Q1w2E3r4T5y6", None)],
        ["https://streamyard.com/resources", "https://streamyard.com/pricingpage"],
    ),
    "talky": (
        [("https://talky.io/team-room", "team-room", None),
         ("https://talky.io/abc123", "abc123", None)],
        ["https://talky.io/", "https://talky.io/about"],
    ),
    "telegram": (
        [("https://t.me/acme_team?videochat", "acme_team", None),
         ("https://t.me/devchat?voicechat=abc", "devchat", None)],
        ["https://t.me/acme_team", "https://t.me/acme_team?start=1"],
    ),
    "tencent": (
        [("https://meeting.tencent.com/dm/AbCd1234Ef", "AbCd1234Ef", None),
         ("https://voovmeeting.com/dm/Qw3rTy12", "Qw3rTy12", None)],
        ["https://meeting.tencent.com/", "https://tencent.com/dm/AbCd1234Ef"],
    ),
    "telemost": (
        [("https://telemost.yandex.ru/j/12345678901234", "12345678901234", None),
         ("https://telemost.yandex.com/j/98765432109876", "98765432109876", None)],
        ["https://telemost.yandex.ru/", "https://yandex.ru/j/12345678901234"],
    ),
    "vk": (
        [("https://vk.com/call/join/AbCdEfGhIjKlMnOp", "AbCdEfGhIjKlMnOp", None),
         ("https://vk.ru/call/join/q1w2e3r4t5y6", "q1w2e3r4t5y6", None)],
        ["https://vk.com/id12345", "https://vk.com/call/join/"],
    ),
    "whatsapp": (
        [("https://call.whatsapp.com/video/AbCdEfGh12345", "AbCdEfGh12345", None),
         ("https://call.whatsapp.com/voice/Qw3rTy12Ui", "Qw3rTy12Ui", None)],
        ["https://call.whatsapp.com/", "https://whatsapp.com/video/AbCdEfGh12345"],
    ),
    "workplace": (
        [("https://acme.workplace.com/groupcall/LINK:abc123xyz/", "LINK:abc123xyz", None),
         ("https://fb.workplace.com/groupcall/ROOM:123456789", "ROOM:123456789", None)],
        ["https://acme.workplace.com/groups/123", "https://workplace.com.evil.net/groupcall/x1234"],
    ),
    "zoho": (
        [("https://meeting.zoho.com/join?key=123456789", "123456789", None),
         ("https://meeting.zoho.eu/join?key=987654321", "987654321", None)],
        ["https://meeting.zoho.com/join", "https://zoho.com/join?key=123456789"],
    ),
}


def test_every_catalogue_entry_has_a_test() -> None:
    assert set(TABLE) == set(SERVICES)
    assert len(CATALOGUE) >= 45


def test_keys_are_unique_and_entries_look_up() -> None:
    keys = [s.key for s in CATALOGUE]
    assert len(keys) == len(set(keys))
    for svc in CATALOGUE:
        assert service_by_key(svc.key) is svc
        assert svc.icon
    assert service_by_key("nope") is None
    assert service_by_key("link") is not None


def test_native_schemes_are_openable() -> None:
    assert native_schemes() <= APP_SCHEMES


@pytest.mark.parametrize("key", sorted(TABLE))
def test_service_links(key: str) -> None:
    hits, misses = TABLE[key]
    assert len(hits) >= 2
    for url, meeting_id, passcode in hits:
        link = match_url(url)
        assert link is not None, url
        assert (link.service, link.meeting_id, link.passcode) == (key, meeting_id, passcode), url
        assert link.url.startswith("https://")
        if link.native_url is not None:
            check_openable(link.native_url)
    for url in misses:
        link = match_url(url)
        assert link is None or link.service != key, url


def test_zoom_native_link() -> None:
    link = match_url("https://us02web.zoom.us/j/84512345678?pwd=abc.1")
    assert link is not None
    assert link.native_url == (
        "zoommtg://us02web.zoom.us/join?action=join&confno=84512345678&pwd=abc.1"
    )
    vanity = match_url("https://acme.zoom.us/my/jane.doe")
    assert vanity is not None
    assert vanity.native_url is None


def test_teams_native_link() -> None:
    url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_X%40thread.v2/0?context=%7b%7d"
    link = match_url(url)
    assert link is not None
    assert link.native_url == "msteams:/l/meetup-join/19%3ameeting_X%40thread.v2/0?context=%7b%7d"
    short = match_url("https://teams.microsoft.com/meet/2345678901234?p=abc")
    assert short is not None
    assert short.native_url is None


def test_app_links_get_a_web_form() -> None:
    link = match_url("zoommtg://zoom.us/join?action=join&confno=123456789&pwd=xy")
    assert link is not None
    assert link.url == "https://zoom.us/j/123456789?pwd=xy"
    assert link.native_url == "zoommtg://zoom.us/join?action=join&confno=123456789&pwd=xy"


def test_links_with_credentials_are_not_recognised() -> None:
    assert match_url("https://user:pw@zoom.us/j/123456789") is None


@pytest.mark.parametrize(
    ("key", "raw", "shown"),
    [
        ("zoom", "84512345678", "845 1234 5678"),
        ("zoom", "1234567890", "123 456 7890"),
        ("zoom", "123456789", "123 456 789"),
        ("teams", "234567890123", "234 567 890 123"),
        ("goto", "123456789", "123-456-789"),
        ("google_meet", "abc-defg-hij", "abc-defg-hij"),
        ("zoom", "jane.doe", "jane.doe"),
    ],
)
def test_format_id(key: str, raw: str, shown: str) -> None:
    svc = service_by_key(key)
    assert svc is not None
    assert format_id(svc, raw) == shown
