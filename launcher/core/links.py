"""Recognise meeting links and IDs of the providers we have clients for. Pure.

A link is matched by the provider's public hosts, or by the ``web_url`` of a configured
account (self-hosted Skype for Business pools, enterprise proxies, the demo sandbox).
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections.abc import Iterable

from launcher.core.errors import InvalidInput
from launcher.core.models import Provider

_BJN_ID = r"\d{6,13}"
_BJN_PASS = r"[A-Za-z0-9]{1,32}"
_BARE_BJN = re.compile(rf"^(?P<id>{_BJN_ID})(?:[./](?P<pass>{_BJN_PASS}))?$")
_BJN_PATH = re.compile(rf"^/(?P<id>{_BJN_ID})(?:[./](?P<pass>\d{{1,32}}))?(?:/webrtc)?/?$")
_SKYPE_PATH = re.compile(r"^/(?P<user>[A-Za-z0-9._-]{1,128})/(?P<id>[A-Za-z0-9]{1,64})/?$")
_JOINME_PATH = re.compile(r"^/(?P<code>[A-Za-z0-9-]{1,64})/?$")
_WHEREBY_PATH = re.compile(r"^/(?P<room>[A-Za-z0-9][A-Za-z0-9._-]{0,127})/?$")


@dataclasses.dataclass(frozen=True, slots=True)
class WebBase:
    """Where an account's meeting pages live, for recognising its links."""

    url: str
    provider: Provider
    account: str


@dataclasses.dataclass(frozen=True, slots=True)
class LinkTarget:
    """What a pasted link or ID points at.

    ``meeting_id`` is what the provider's pre-check or join needs (BlueJeans numeric ID,
    Skype conference ID, join.me code, Whereby room name). ``user`` is the organiser part
    of a Skype for Business link. ``account`` is set when the link is under the web URL
    of a configured account.
    """

    provider: Provider
    meeting_id: str
    url: str | None = None
    passcode: str | None = dataclasses.field(default=None, repr=False)
    user: str | None = None
    host: str | None = None
    account: str | None = None


def parse_target(text: str, web_bases: Iterable[WebBase] = ()) -> LinkTarget | None:
    """Return what *text* (a URL or a bare meeting ID) points at, or ``None``.

    Never raises for any input.
    """
    value = (text or "").strip()
    if not value or len(value) > 4096:
        return None
    bare = _BARE_BJN.match(value)
    if bare:
        return LinkTarget(Provider.BLUEJEANS, bare["id"], passcode=bare["pass"])
    try:
        parts = urllib.parse.urlsplit(value)
        host = (parts.hostname or "").lower()
        _ = parts.port  # raises ValueError for a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not host:
        return None
    if parts.username or parts.password:
        return None
    for base in web_bases:
        target = _match_base(value, parts, base)
        if target is not None:
            return target
    return _match_public(value, parts, host)


def _match_base(
    url: str, parts: urllib.parse.SplitResult, base: WebBase
) -> LinkTarget | None:
    try:
        bparts = urllib.parse.urlsplit(base.url)
        bport = bparts.port
        port = parts.port
    except ValueError:
        return None
    if (bparts.hostname or "").lower() != (parts.hostname or "").lower() or bport != port:
        return None
    prefix = bparts.path.rstrip("/")
    if prefix and not (parts.path == prefix or parts.path.startswith(prefix + "/")):
        return None
    rest = parts.path[len(prefix) :] or "/"
    target = _match_path(base.provider, url, rest, parts)
    if target is None:
        return None
    return dataclasses.replace(target, account=base.account)


def _match_path(
    provider: Provider, url: str, path: str, parts: urllib.parse.SplitResult
) -> LinkTarget | None:
    host = parts.hostname
    if provider is Provider.BLUEJEANS:
        m = _BJN_PATH.match(path)
        if m:
            return LinkTarget(provider, m["id"], url=url, passcode=m["pass"], host=host)
        return None
    if provider is Provider.SKYPE:
        m = _SKYPE_PATH.match(path)
        if m:
            return LinkTarget(provider, m["id"], url=url, user=m["user"], host=host)
        return None
    if provider is Provider.JOINME:
        m = _JOINME_PATH.match(path)
        if m:
            return LinkTarget(provider, m["code"], url=url, host=host)
        return None
    m = _WHEREBY_PATH.match(path)
    if m:
        return LinkTarget(provider, m["room"], url=url, host=host)
    return None


def _match_public(url: str, parts: urllib.parse.SplitResult, host: str) -> LinkTarget | None:
    if host == "bluejeans.com" or host.endswith(".bluejeans.com"):
        return _match_path(Provider.BLUEJEANS, url, parts.path, parts)
    if host in {"join.me", "www.join.me", "secure.join.me"}:
        return _match_path(Provider.JOINME, url, parts.path, parts)
    if host == "whereby.com" or host.endswith(".whereby.com"):
        return _match_path(Provider.WHEREBY, url, parts.path, parts)
    if host.startswith("meet.") and host.count(".") >= 2:
        return _match_path(Provider.SKYPE, url, parts.path, parts)
    return None


def skype_meeting_uri(user: str, domain: str, conference_id: str) -> str:
    """Derive a UCWA ``onlineMeetingUri`` from the parts of a join link.

    ``https://meet.<domain>/<user>/<id>`` becomes
    ``sip:<user>@<domain>;gruu;opaque=app:conf:focus:id:<id>``.
    This mapping is an inference (PROVIDERS.md 3.9): prefer the meeting's own URI from the
    account's meeting list when it is there.
    """
    return f"sip:{user}@{domain};gruu;opaque=app:conf:focus:id:{conference_id}"


def bluejeans_join_url(web_url: str, meeting_id: str) -> str:
    """Return the browser link of a BlueJeans meeting (without its passcode)."""
    return f"{web_url.rstrip('/')}/{meeting_id}"


#: Schemes of meeting apps we hand links to, besides http(s).
APP_SCHEMES = frozenset(
    {
        "zoommtg",
        "zoomus",
        "msteams",
        "bjnb",
        "webex",
        "wbx",
        "ciscospark",
        "lync",
        "lync15",
        "sip",
        "facetime",
        "skype",
        "slack",
        "discord",
        "chime",
        "rcapp",
        "gotomeeting",
    }
)


def check_openable(url: str) -> str:
    """Return *url* if it may be opened, else raise InvalidInput("url", ...).

    Allowed: http(s) with a host and no embedded user name or password, and the
    schemes of known meeting apps.
    """
    text = (url or "").strip()
    try:
        parts = urllib.parse.urlsplit(text)
        _ = parts.port
    except ValueError:
        raise InvalidInput("url", "is not a valid link") from None
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        if not parts.hostname:
            raise InvalidInput("url", "has no host name")
        if parts.username or parts.password:
            raise InvalidInput("url", "contains a user name or password; not opened")
        return text
    if scheme in APP_SCHEMES:
        return text
    raise InvalidInput(
        "url",
        f"uses the scheme {scheme or '(none)'!r}; only web links and known meeting apps "
        "are opened",
    )
