"""Recognise meeting links and IDs of the providers we have clients for. Pure.

A link is matched by the provider's public hosts, or by the ``web_url`` of a configured
account (self-hosted Skype for Business pools, enterprise proxies, the demo sandbox).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable

from launcher.core.errors import InvalidInput, ProtocolViolation
from launcher.core.models import Provider

#: Longest link we open or recognise; real meeting links are a few hundred characters.
MAX_URL_LENGTH = 4096

_BJN_ID = r"[0-9]{6,13}"
_BJN_PASS = r"[A-Za-z0-9]{1,32}"
_BARE_BJN = re.compile(rf"^(?P<id>{_BJN_ID})(?:[./](?P<pass>{_BJN_PASS}))?$")
_BJN_PATH = re.compile(rf"^/(?P<id>{_BJN_ID})(?:[./](?P<pass>[0-9]{{1,32}}))?(?:/webrtc)?/?$")
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


#: Outlook's link-checking wrapper (``https://nam02.safelinks.protection.outlook.com/?url=…``).
SAFELINKS_DOMAIN = "safelinks.protection.outlook.com"
#: How many wrappers inside each other are unwrapped.
_MAX_UNWRAP = 3


def unwrap_safelink(url: str) -> str | None:
    """Return the link an Outlook SafeLinks URL wraps, or None if *url* is not one."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or not (
        host == SAFELINKS_DOMAIN or host.endswith("." + SAFELINKS_DOMAIN)
    ):
        return None
    values = urllib.parse.parse_qs(parts.query).get("url")
    return values[0] if values else None


def parse_target(
    text: str, web_bases: Iterable[WebBase] = (), *, _depth: int = 0
) -> LinkTarget | None:
    """Return what *text* (a URL or a bare meeting ID) points at, or ``None``.

    A link wrapped by Outlook SafeLinks is unwrapped first; the target then carries
    the meeting's own link. Never raises for any input.
    """
    value = (text or "").strip() if isinstance(text, str) else ""
    if not value or len(value) > MAX_URL_LENGTH or has_unsafe_character(value) or "\\" in value:
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
    if parts.scheme.lower() not in {"http", "https"} or not host or host != ascii_host(host):
        return None
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return None
    inner = unwrap_safelink(value)
    if inner is not None:
        if _depth >= _MAX_UNWRAP:
            return None
        return parse_target(inner, web_bases, _depth=_depth + 1)
    web_bases = list(web_bases)
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


#: The provider's own web hosts (and every subdomain) that may issue role links
#: (join.me presenter links, Whereby host links, BlueJeans moderator links). Skype for
#: Business is always self-hosted: its role links come from the account's own domain.
PROVIDER_DOMAINS: dict[Provider, tuple[str, ...]] = {
    Provider.BLUEJEANS: ("bluejeans.com",),
    Provider.JOINME: ("join.me",),
    Provider.WHEREBY: ("whereby.com",),
    Provider.SKYPE: (),
}

_HOST_LABELS = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$")


def has_unsafe_character(text: str) -> bool:
    """Whether *text* holds a control, format (zero-width, bidi), unassigned or space character."""
    return any(
        unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"}
        for ch in text
    )


def ascii_host(host: str) -> str | None:
    """Return *host* as lower-case ASCII (IDNA A-labels), or None if it is not a clean name.

    A non-ASCII name is accepted only if it converts to ASCII and back unchanged: names
    that IDNA would silently rewrite (``ß`` → ``ss``, zero-width characters dropped,
    ideographic full stops read as dots) are refused, so what is checked here is what a
    browser visits. ``xn--`` labels must be valid Punycode. IP literals pass unchanged.
    """
    host = host.lower()
    if host.startswith("[") or ":" in host:
        try:
            ipaddress.IPv6Address(host.strip("[]"))
        except ValueError:
            return None
        return host.strip("[]")
    name = host[:-1] if host.endswith(".") else host
    if not name or len(name) > 253:
        return None
    if not name.isascii():
        try:
            encoded = name.encode("idna").decode("ascii").lower()
            if encoded.encode("ascii").decode("idna") != name:
                return None
        except (UnicodeError, ValueError):
            return None
        name = encoded
    for label in name.split("."):
        if not _HOST_LABELS.match(label):
            return None
        if label.startswith("xn--"):
            try:
                decoded = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                return None
            if decoded == label or decoded.encode("idna").decode("ascii") != label:
                return None
    return name


def check_openable(url: str) -> str:
    """Return *url* if it may be opened, else raise InvalidInput("url", ...).

    Allowed: http(s) with a clean host name and no embedded user name or password, and
    the schemes of known meeting apps. Refused everywhere: control, zero-width, bidi and
    space characters inside the link, backslashes in web links (browsers read them as
    ``/``, Python does not), and links longer than :data:`MAX_URL_LENGTH`. Surrounding
    white space is dropped. A host written in non-ASCII letters is returned in its
    ASCII (``xn--``) form, so the browser shows and visits exactly the host checked.
    """
    text = (url or "").strip()
    if not text:
        raise InvalidInput("url", "is empty")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidInput("url", f"is longer than {MAX_URL_LENGTH} characters; not opened")
    if ":" not in text:
        raise InvalidInput(
            "url", "is not a link; paste the meeting's full address, e.g. https://zoom.us/j/…"
        )
    if has_unsafe_character(text):
        raise InvalidInput(
            "url", "contains control, invisible or space characters; not opened"
        )
    try:
        parts = urllib.parse.urlsplit(text)
        _ = parts.port
    except ValueError:
        raise InvalidInput("url", "is not a valid link") from None
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        if "\\" in text:
            raise InvalidInput("url", "contains a backslash; not opened")
        if parts.username is not None or parts.password is not None or "@" in parts.netloc:
            raise InvalidInput("url", "contains a user name or password; not opened")
        if not parts.hostname:
            raise InvalidInput("url", "has no host name")
        host = ascii_host(parts.hostname)
        if host is None:
            raise InvalidInput("url", "has a host name that is not valid; not opened")
        if not parts.hostname.isascii():
            netloc = host if parts.port is None else f"{host}:{parts.port}"
            text = urllib.parse.urlunsplit(parts._replace(netloc=netloc))
        return text
    if scheme in APP_SCHEMES:
        return text
    raise InvalidInput(
        "url",
        f"uses the scheme {scheme or '(none)'!r}; only web links and known meeting apps "
        "are opened",
    )


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in {"http", "https"} or not parts.hostname:
        return None
    host = ascii_host(parts.hostname)
    if host is None:
        return None
    return scheme, host, port if port is not None else (443 if scheme == "https" else 80)


def check_role_link(
    url: str,
    provider: Provider,
    *,
    account_urls: Iterable[str | None] = (),
    domain: str | None = None,
) -> str:
    """Return a role link (presenter, host, moderator) if it comes from *provider*'s hosts.

    A role link is accepted from the host and port of one of the account's own
    addresses (*account_urls*: its web, API and relay URLs: self-hosted servers, the
    sandbox), or over https from the provider's public domains and their subdomains
    (:data:`PROVIDER_DOMAINS`), or, for Skype for Business, from the account's SIP
    *domain* and its subdomains. Anything else raises ProtocolViolation naming the host
    (never the link, which carries the role): such a link is never opened.
    """
    text = check_openable(url)
    label = provider.label
    origin = _origin(text)
    if origin is None:
        raise ProtocolViolation(
            provider.value, "sent a role link that is not a web link; it was not opened."
        )
    scheme, host, port = origin
    trusted = {o for o in (_origin(u) for u in account_urls if u) if o is not None}
    if (scheme, host, port) in trusted:
        return text
    domains = list(PROVIDER_DOMAINS.get(provider, ()))
    if provider is Provider.SKYPE and domain:
        clean = ascii_host(domain.strip())
        if clean:
            domains.append(clean)
    if scheme == "https" and port == 443:
        for allowed in domains:
            if host == allowed or host.endswith("." + allowed):
                return text
    raise ProtocolViolation(
        provider.value,
        f"the link for your role points to {host}, which is not a {label} address or "
        "your account's server; it was not opened. Start or join the meeting from the "
        f"{label} website instead.",
    )
