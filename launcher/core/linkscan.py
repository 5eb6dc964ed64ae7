"""Find meeting links in an event's fields and recognise their services. Pure.

``extract_urls`` finds every web (and meeting-app) link in plain text or HTML, decodes
HTML entities, trims trailing punctuation and unwraps redirectors (Outlook SafeLinks,
Teams SafeLinks, Google, Proofpoint v1/v2/v3, Slack, LinkedIn, Facebook), nested ones
too. Mimecast links (``protect-*.mimecast.com/s/<token>``) cannot be unwrapped without
asking Mimecast, so they are left as they are.

HTML is not parsed with ``html.parser`` here: a 5,000-event calendar of 5-20 KB
invitation bodies is 60 MB of HTML, which the pure-Python parser cannot get through in
the one-second budget (``benchmarks/link_detection.py``). Links are found from each
``:/`` (a C-speed substring search); the scheme before it and the body after it stop at
the characters that end a URL in HTML and in text (``<``, ``>``, quotes, white space),
so an ``href`` value and a link written in the text are both found; entities are
decoded per link. :func:`html_to_text` (``html.parser``) gives the readable text of a
description where a person reads it.

``detect_links`` recognises catalogue services with one host lookup per link (exact
host, then each parent domain, then the first label) rather than a pattern per
service; in the free-text fields, links of hosts that are neither catalogue services
nor redirectors are skipped after one dictionary look-up of their raw host. A link
found in its app form (``zoommtg://...``) is returned with its web form as ``url`` and
the app form as ``native_url``.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import html
import html.parser
import re
import urllib.parse
from collections.abc import Iterator, Sequence

from launcher.core.catalogue import CATALOGUE, GENERIC, Service, native_schemes, service_by_key
from launcher.core.models import Meeting

#: The fields scanned, in order; the first three are "structured" link fields.
FIELDS = ("conference_url", "join_url", "viewer_url", "location", "description")
_STRUCTURED = frozenset(FIELDS[:3])
_MAX_TEXT = 2_000_000  # characters of one field scanned; beyond is ignored
_MAX_URL = 8192
_NATIVE = tuple(sorted(native_schemes()))

# Links are found from each ":/" (a fast substring search), then the scheme before it
# and the body after it are matched; a regex over the whole text is several times slower.
_SCHEME_END = re.compile(
    r"(?:https?|" + "|".join(re.escape(s) for s in _NATIVE) + r")\Z", re.IGNORECASE
)
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
_LONGEST_SCHEME = max(len(s) for s in ("https", *_NATIVE))
_BODY = re.compile(r":/(?:/([^/?#\s<>\"'`\x00-\x1f\x7f]*))?[^\s<>\"'`\x00-\x1f\x7f]*")
_CUT = re.compile(r"[\s<>\"'`\x00-\x1f\x7f]")
_HEAD = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):(?://([^/?#]*))?")
_TRAILING = ".,;:!?*"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_OK_SCHEMES = frozenset({"http", "https", *_NATIVE})


@dataclasses.dataclass(frozen=True, slots=True)
class DetectedLink:
    """A meeting link found in an event, recognised as a catalogue service.

    ``service`` is the catalogue key (``"link"`` for a link of no known service, kept
    only from conference fields and API providers' own links); ``field`` the Meeting
    field it came from. ``native_url`` opens the service's app, when it has one.
    """

    service: str
    name: str
    url: str
    meeting_id: str | None
    passcode: str | None = dataclasses.field(default=None, repr=False)
    native_url: str | None = dataclasses.field(default=None, repr=False)
    field: str = "description"


# ---------------------------------------------------------------- finding URLs


def extract_urls(text: str) -> list[str]:
    """Return the links in *text* (plain or HTML), unwrapped, in order, without repeats.

    Every result is an http(s) link or a link of a meeting app's scheme. Never raises.
    """
    out: list[str] = []
    seen: set[str] = set()
    for url in _iter_urls(text):
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out


def _iter_urls(text: str, *, relevant_only: bool = False) -> Iterator[str]:
    """Yield the cleaned, unwrapped links of *text*.

    With *relevant_only*, links whose host is neither a catalogue host nor a
    redirector are skipped before any further work (the fast path of detect_links).
    """
    if not isinstance(text, str) or not text:
        return
    if relevant_only:
        yield from _iter_relevant(text)
        return
    end_of_text = min(len(text), _MAX_TEXT)
    pos = text.find(":/", 0, end_of_text)
    while pos != -1:
        found = _link_at(text, pos, end_of_text)
        if found is None:
            pos = text.find(":/", pos + 2, end_of_text)
            continue
        url, end = found
        if url is not None:
            yield url
        pos = text.find(":/", max(end, pos + 2), end_of_text)


def _link_at(text: str, pos: int, end_of_text: int) -> tuple[str | None, int] | None:
    """Return (the cleaned, unwrapped link whose ``:/`` is at *pos*, or None; its end)."""
    head = _SCHEME_END.search(text, max(0, pos - _LONGEST_SCHEME), pos)
    if head is None or (head.start() > 0 and text[head.start() - 1] in _SCHEME_CHARS):
        return None
    body = _BODY.match(text, pos, end_of_text)
    if body is None:  # pragma: no cover - the pattern matches any ":/"
        return None
    url = _clean(text[head.start() : body.end()])
    return (unwrap(url) if url is not None else None), body.end()


# The host part stops at a colon (a port is not needed to tell the host), so it never
# swallows the next "://" ("https://https://zoom.us/...").
_NETLOC = re.compile(r"://([^/?#\s<>\"'`\x00-\x1f\x7f:]*)")
_RELEVANT: dict[str, bool] = {}


def _iter_relevant(text: str) -> Iterator[str]:
    # One C-speed scan for "://"; a dictionary look-up of the raw host skips every
    # link of an unknown web site (most links of an invitation) without more work.
    end_of_text = min(len(text), _MAX_TEXT)
    consumed = 0
    for m in _NETLOC.finditer(text, 0, end_of_text):
        start = m.start()
        if start < consumed:
            continue
        raw_host = m[1]
        relevant = _RELEVANT.get(raw_host)
        if relevant is None:
            relevant = _relevant_host(_host_of(raw_host))
            if len(_RELEVANT) > 16384:
                _RELEVANT.clear()
            _RELEVANT[raw_host] = relevant
        if not relevant:
            continue
        found = _link_at(text, start, end_of_text)
        if found is None:
            continue
        url, consumed = found
        if url is not None:
            yield url
    # App links without "//" (msteams:/l/meetup-join/...).
    lowered = text.lower() if "eams:/" in text or "EAMS:/" in text else ""
    if len(lowered) != len(text):
        return
    pos = lowered.find("msteams:/", 0, end_of_text)
    while pos != -1:
        colon = pos + len("msteams")
        found = _link_at(text, colon, end_of_text)
        if found is not None and found[0] is not None and text[colon + 2 : colon + 3] != "/":
            yield found[0]
        pos = lowered.find("msteams:/", colon, end_of_text)


def _relevant_host(host: str) -> bool:
    """Tell whether *host* is a catalogue service's or a redirector's."""
    return bool(services_for_host(host)) or host in _REDIRECTOR_HOSTS or host.endswith(
        ".safelinks.protection.outlook.com"
    )


def _clean(raw: str) -> str | None:
    url = raw[:_MAX_URL]
    if "&" in url:
        url = html.unescape(url)
        cut = _CUT.search(url)
        if cut:
            url = url[: cut.start()]
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last]):
            url = url[:-1]
        else:
            break
    head = _HEAD.match(url)
    if head is None or head[1].lower() not in _OK_SCHEMES:
        return None
    if head[1].lower() in {"http", "https"} and not _host_of(head[2] or ""):
        return None
    return url


def _host_of(netloc: str) -> str:
    if "@" in netloc:
        netloc = netloc.rpartition("@")[2]
    if netloc.startswith("["):
        return netloc.partition("]")[0] + "]"
    return netloc.partition(":")[0].lower().rstrip(".")


# ---------------------------------------------------------------- redirectors


def unwrap(url: str) -> str:
    """Return the link *url* redirects to when it is a known redirector, else *url*.

    Nested redirectors are unwrapped in turn (up to eight). Never raises.
    """
    for _ in range(8):
        inner = _unwrap_once(url)
        if inner is None or inner == url:
            return url
        url = inner
    return url


def _unwrap_once(url: str) -> str | None:
    head = _HEAD.match(url)
    if head is None or head[1].lower() not in {"http", "https"}:
        return None
    host = _host_of(head[2] or "")
    rest = url[head.end() :]
    path = rest.split("?", 1)[0].split("#", 1)[0]
    inner: str | None = None
    if host.endswith(".safelinks.protection.outlook.com"):
        inner = _param(rest, "url")
    elif host == "statics.teams.cdn.office.net" and path.endswith("/atp-safelinks.html"):
        inner = _param(rest, "url")
    elif host in {"www.google.com", "google.com"} and path == "/url":
        inner = _param(rest, "q") or _param(rest, "url")
    elif host == "urldefense.proofpoint.com":
        if path == "/v2/url":
            encoded = _param(rest, "u")
            if encoded:
                inner = urllib.parse.unquote(encoded.replace("-", "%").replace("_", "/"))
        elif path == "/v1/url":
            inner = _param(rest, "u")
    elif host == "urldefense.com" and rest.startswith("/v3/__"):
        inner = _proofpoint_v3(rest)
    elif host == "slack-redir.net" and path == "/link":
        inner = _param(rest, "url")
    elif host in {"www.linkedin.com", "linkedin.com"} and path == "/redir/redirect":
        inner = _param(rest, "url")
    elif host in {"l.facebook.com", "lm.facebook.com"} and path == "/l.php":
        inner = _param(rest, "u")
    if not inner:
        return None
    return _clean(inner.strip())


_REDIRECTOR_HOSTS = frozenset({
    "statics.teams.cdn.office.net", "www.google.com", "google.com",
    "urldefense.proofpoint.com", "urldefense.com", "slack-redir.net", "www.linkedin.com",
    "linkedin.com", "l.facebook.com", "lm.facebook.com",
})


def _param(rest: str, name: str) -> str | None:
    query = rest.partition("?")[2].partition("#")[0]
    try:
        values = urllib.parse.parse_qs(query).get(name)
    except ValueError:
        return None
    return values[0] if values else None


_V3 = re.compile(r"/v3/__(?P<url>.+?)__;(?P<enc>[A-Za-z0-9+/=_-]*)!!")
_V3_TOKEN = re.compile(r"\*(\*.)?")
_V3_RUNS = {c: i + 2 for i, c in enumerate(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}


def _proofpoint_v3(rest: str) -> str | None:
    """Decode ``/v3/__<url>__;<base64 of the replaced characters>!!...``.

    Proofpoint replaces characters of the link with ``*`` (one character) or ``**X``
    (a run whose length X encodes) and puts them, base64-encoded, after ``__;``.
    """
    m = _V3.match(rest)
    if m is None:
        return None
    encoded_url, enc = m["url"], m["enc"]
    if "*" not in encoded_url:
        return encoded_url
    try:
        padded = enc + "=" * (-len(enc) % 4)
        chars = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
        replacement = chars.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    pos = 0
    failed = False

    def fill(token: re.Match[str]) -> str:
        nonlocal pos, failed
        run = token.group(1)
        count = 1 if run is None else _V3_RUNS.get(run[1], 0)
        if count == 0 or pos + count > len(replacement):
            failed = True
            return ""
        piece = replacement[pos : pos + count]
        pos += count
        return piece

    decoded = _V3_TOKEN.sub(fill, encoded_url)
    return None if failed else decoded


# ---------------------------------------------------------------- recognising services


def _build_tables() -> tuple[
    dict[str, list[Service]], dict[str, list[Service]], dict[str, list[Service]],
    dict[str, list[Service]], dict[str, list[Service]],
]:
    exact: dict[str, list[Service]] = {}
    domain: dict[str, list[Service]] = {}  # ".x": x and subdomains
    sub: dict[str, list[Service]] = {}  # "*.x": subdomains only
    first: dict[str, list[Service]] = {}  # "x.*": first label
    schemes: dict[str, list[Service]] = {}
    for svc in CATALOGUE:
        for pattern in svc.hosts:
            if pattern.startswith("*."):
                sub.setdefault(pattern[2:], []).append(svc)
            elif pattern.startswith("."):
                domain.setdefault(pattern[1:], []).append(svc)
            elif pattern.endswith(".*"):
                first.setdefault(pattern[:-2], []).append(svc)
            else:
                exact.setdefault(pattern, []).append(svc)
        for scheme in svc.schemes:
            schemes.setdefault(scheme, []).append(svc)
        if svc.native:
            scheme = svc.native.split(":", 1)[0]
            if svc not in schemes.get(scheme, []):
                schemes.setdefault(scheme, []).append(svc)
    return exact, domain, sub, first, schemes


_EXACT, _DOMAIN, _SUB, _FIRST, _SCHEME_SERVICES = _build_tables()


def services_for_host(host: str) -> list[Service]:
    """Return the catalogue entries whose host patterns match *host* (lower case)."""
    found = list(_EXACT.get(host, ())) + list(_DOMAIN.get(host, ()))
    dot = host.find(".")
    while dot != -1:
        parent = host[dot + 1 :]
        found += _DOMAIN.get(parent, ())
        found += _SUB.get(parent, ())
        dot = host.find(".", dot + 1)
    if not found and host.count(".") >= 2:
        found += _FIRST.get(host.partition(".")[0], ())
    return found


def match_url(url: str, field: str = "description") -> DetectedLink | None:
    """Recognise *url* as a link of a catalogue service, or return ``None``.

    Never raises.
    """
    head = _HEAD.match(url)
    if head is None:
        return None
    scheme = head[1].lower()
    netloc = head[2] or ""
    if "@" in netloc:
        return None  # links with credentials are never opened
    host = _host_of(netloc)
    if scheme in {"http", "https"}:
        candidates = services_for_host(host)
        is_app = False
    else:
        app_services = _SCHEME_SERVICES.get(scheme, [])
        candidates = [s for s in app_services if _host_matches(s, host)] + app_services
        is_app = True
    if not candidates:
        return None
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    path = parts.path or "/"
    for svc in candidates:
        link = _match_service(svc, url, host, path, parts, is_app, field)
        if link is not None:
            return link
    return None


def _host_matches(svc: Service, host: str) -> bool:
    return bool(host) and svc in services_for_host(host)


def _match_service(
    svc: Service, url: str, host: str, path: str, parts: urllib.parse.SplitResult,
    is_app: bool, field: str,
) -> DetectedLink | None:
    if host in svc.exclude_hosts:
        return None
    groups: dict[str, str | None] = {}
    matched = False
    for only_host, rx in svc.compiled:
        if only_host is not None and only_host != host:
            continue
        m = rx.fullmatch(path)
        if m is not None:
            groups = m.groupdict()
            matched = True
            break
    if not matched and not is_app:
        return None
    params: dict[str, list[str]] = {}
    if svc.id_params or svc.pwd_params or svc.require_params:
        params = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        if svc.fragment_params and "=" in parts.fragment:
            for key, values in urllib.parse.parse_qs(parts.fragment).items():
                params.setdefault(key, values)
    if svc.require_params and not any(p in params for p in svc.require_params):
        return None
    meeting_id = groups.get("id") or _first(params, svc.id_params)
    if not meeting_id:
        return None
    meeting_id = urllib.parse.unquote(meeting_id)
    passcode = groups.get("pwd") or _first(params, svc.pwd_params)
    if is_app:
        native: str | None = url
        url = _web(svc, meeting_id, passcode, host, parts) or url
    else:
        native = _native(svc, meeting_id, passcode, host, parts)
    return DetectedLink(svc.key, svc.name, url, meeting_id, passcode, native, field)


def _web(
    svc: Service, meeting_id: str, passcode: str | None, host: str,
    parts: urllib.parse.SplitResult,
) -> str | None:
    """Return the web form of an app link (``zoommtg://zoom.us/join?confno=1`` -> /j/1)."""
    if svc.web is None:
        return None
    if svc.native_id_re is not None and not svc.native_id_re.fullmatch(meeting_id):
        return None
    quote = urllib.parse.quote
    web = svc.web.format(
        id=quote(meeting_id, safe=""), host=host,
        path=parts.path, query=f"?{parts.query}" if parts.query else "",
    )
    if passcode and svc.web_pwd:
        web += svc.web_pwd.format(pwd=quote(passcode, safe=""))
    return web if _clean(web) == web else None


def _first(params: dict[str, list[str]], names: Sequence[str]) -> str | None:
    for name in names:
        values = params.get(name)
        if values and values[0]:
            return values[0]
    return None


def _native(
    svc: Service, meeting_id: str, passcode: str | None, host: str,
    parts: urllib.parse.SplitResult,
) -> str | None:
    if svc.native is None:
        return None
    if svc.native_id_re is not None and not svc.native_id_re.fullmatch(meeting_id):
        return None
    quote = urllib.parse.quote
    native = svc.native.format(
        id=quote(meeting_id, safe=""), host=host, path=parts.path,
        query=f"?{parts.query}" if parts.query else "",
    )
    if passcode and svc.native_pwd:
        native += svc.native_pwd.format(pwd=quote(passcode, safe=""))
    return native


# ---------------------------------------------------------------- per meeting


def detect_links(meeting: Meeting, priority: Sequence[str] = ()) -> tuple[DetectedLink, ...]:
    """Return the meeting links of *meeting*, best first.

    Scans ``conference_url``, ``join_url``, ``viewer_url``, ``location`` and
    ``description``. The same meeting found twice is kept once (where it was found
    first, taking the passcode of a later copy when the first had none). Links of no
    catalogue service are kept only from ``conference_url`` and from an API provider's
    own ``join_url``/``viewer_url``. Ranking: links from those structured fields first,
    then by the user's *priority* (service keys, earlier is better), then the
    catalogue's priority, then the order found. Never raises.
    """
    found: list[DetectedLink] = []
    index: dict[tuple[str, str], int] = {}
    for field in FIELDS:
        text = getattr(meeting, field, None)
        if not text or not isinstance(text, str):
            continue
        for url in _iter_urls(text, relevant_only=not _is_top(meeting, field)):
            link = match_url(url, field)
            if link is None:
                if not _keeps_generic(meeting, field, url):
                    continue
                link = DetectedLink(GENERIC.key, GENERIC.name, url, None, None, None, field)
            key = (link.service, link.meeting_id if link.meeting_id is not None else url)
            at = index.get(key)
            if at is None:
                index[key] = len(found)
                found.append(link)
            elif found[at].passcode is None and link.passcode is not None:
                found[at] = dataclasses.replace(link, field=found[at].field)
    if len(found) < 2:
        return tuple(found)
    rank = {key: i for i, key in enumerate(priority)}
    order = {id(link): i for i, link in enumerate(found)}

    def sort_key(link: DetectedLink) -> tuple[int, int, int, int]:
        svc = service_by_key(link.service) or GENERIC
        structured = 0 if _is_top(meeting, link.field) else 1
        return (structured, rank.get(link.service, len(rank)), svc.priority, order[id(link)])

    return tuple(sorted(found, key=sort_key))


def _is_top(meeting: Meeting, field: str) -> bool:
    if field == "conference_url":
        return True
    return field in _STRUCTURED and not meeting.provider.is_calendar


def _keeps_generic(meeting: Meeting, field: str, url: str) -> bool:
    return _is_top(meeting, field) and url.lower().startswith(("http://", "https://"))


# ---------------------------------------------------------------- readable text


class _TextParser(html.parser.HTMLParser):
    _BLOCK = frozenset({"br", "p", "div", "tr", "li", "table", "h1", "h2", "h3", "h4"})
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skip:
            self.skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


_LOOKS_HTML = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*[\s/>]|/[A-Za-z]|!--)")


def html_to_text(text: str) -> str:
    """Return the readable text of *text*: HTML tags dropped, entities decoded.

    Plain text is returned as it is (entities decoded). Never raises.
    """
    if not text:
        return ""
    if not _LOOKS_HTML.search(text):
        return html.unescape(text) if "&" in text else text
    parser = _TextParser()
    try:
        parser.feed(text[:_MAX_TEXT])
        parser.close()
    except (AssertionError, ValueError):  # pragma: no cover - defensive
        return re.sub(r"<[^>]*>", " ", html.unescape(text))
    return "".join(parser.parts).replace("\xa0", " ")


__all__ = [
    "FIELDS",
    "DetectedLink",
    "detect_links",
    "extract_urls",
    "html_to_text",
    "match_url",
    "services_for_host",
    "unwrap",
]
