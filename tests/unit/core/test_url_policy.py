"""Which links may be opened at all, and which role links are trusted (core/links.py)."""

from __future__ import annotations

import urllib.parse

import pytest
from hypothesis import given
from hypothesis import strategies as st

from launcher.core.errors import InvalidInput, ProtocolViolation
from launcher.core.links import (
    MAX_URL_LENGTH,
    WebBase,
    check_openable,
    check_role_link,
    parse_target,
)
from launcher.core.models import Provider

# ---- check_openable -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://user:pass@bluejeans.com/9036439807", "user name or password"),
        ("https://user@join.me/abc", "user name or password"),
        ("https://:@whereby.com/room", "user name or password"),
        ("http://evil.example@bluejeans.com/1", "user name or password"),
        ("https://evil.example\\@bluejeans.com/1", "backslash"),
        ("https://bluejeans.com\\.evil.example/1", "backslash"),
        ("https://blue\tjeans.com/9036439807", "control"),
        ("https://bluejeans.com/90364\n39807", "control"),
        ("https://bluejeans.com/9036439807\x00", "control"),
        ("https://bluejeans.com/\x7f", "control"),
        ("https://bluejeans.com/\u0085x", "control"),
        ("https://blue\u200bjeans.com/1", "invisible"),
        ("https://bluejeans.com/\u202eexe.txt", "invisible"),
        ("https://bluejeans.com/a\u00a0b", "space"),
        ("https://bluejeans.com/a\u3000b", "space"),
        ("https://bluejeans.com/a b", "space"),
        ("https://" + "a" * MAX_URL_LENGTH + ".com/", "longer than"),
        ("https://xn--/", "host name"),
        ("https://xn--zz.com/", "host name"),
        ("https://bluejeans\u3002com/1", "host name"),  # an ideographic full stop
        ("https://stra\u00dfe.example/", "host name"),  # IDNA 2003 would turn ß into ss
        ("https://a..b.com/", "host name"),
        ("https://a%2eb.com/", "host name"),
        ("https://-bad-.com/", "host name"),
        ("https://[::zz]/", "valid link"),
        ("https:///nohost", "no host"),
        ("file:///etc/passwd", "scheme"),
        ("javascript:alert(1)", "scheme"),
        ("data:text/html,hi", "scheme"),
        ("", "empty"),
        ("   ", "empty"),
        ("http://x.com:bad/", "valid link"),
    ],
)
def test_refused_links_say_why(url: str, why: str) -> None:
    with pytest.raises(InvalidInput) as info:
        check_openable(url)
    assert info.value.field == "url"
    assert why in info.value.reason
    # The message never repeats the link (it may carry a token).
    if len(url) > 12:
        assert url not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://bluejeans.com/9036439807/1629",
        "http://127.0.0.1:8765/joinme/web/API/Public/StartMeeting.aspx?token=abc",
        "https://[::1]:8443/x",
        "https://team.whereby.com/room?roomKey=abc",
        "https://bluejeans.com/caf\u00e9",  # non-ASCII in the path is fine
        "zoommtg://zoom.us/join?confno=1",
    ],
)
def test_accepted_links_come_back_unchanged(url: str) -> None:
    assert check_openable(url) == url


def test_surrounding_white_space_is_dropped() -> None:
    assert check_openable("  https://join.me/abc\n") == "https://join.me/abc"


def test_a_non_ascii_host_is_opened_in_its_ascii_form() -> None:
    # What the browser visits (and shows) is exactly the host that was checked.
    assert check_openable("https://m\u00fcnchen.example/x?y=1") == (
        "https://xn--mnchen-3ya.example/x?y=1"
    )
    assert check_openable("https://b\u0131uejeans.com:8443/1").startswith("https://xn--")


def test_overlong_app_links_are_refused_too() -> None:
    with pytest.raises(InvalidInput, match="longer than"):
        check_openable("zoommtg://zoom.us/join?confno=" + "1" * MAX_URL_LENGTH)


@given(st.text(max_size=300))
def test_whatever_is_accepted_is_clean(text: str) -> None:
    try:
        url = check_openable(text)
    except InvalidInput:
        return
    assert url == url.strip() and len(url) <= MAX_URL_LENGTH
    assert not any(ord(c) < 0x20 or c in "\x7f\u200b\u202e\u00a0" for c in url)
    assert check_openable(url) == url  # idempotent


# ---- parse_target refuses the same tricks -----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "https://blue\tjeans.com/9036439807",
        "https://bluejeans.com/9036439\n807",
        "https://evil.example\\.bluejeans.com/9036439807",
        "https://bluejeans.com\u200b/9036439807",
        "\u0669\u0660\u0663\u0666\u0664\u0663\u0669\u0668\u0660\u0667",  # Arabic-Indic digits
        "https://bluejeans.com/\u0669\u0660\u0663\u0666\u0664\u0663\u0669",
        "https://bluejeans.com:443@evil.example/9036439807",
        "https://bluejeans.com./9036439807x",
        "9036439807" + " " * 10 + "x",
        "https://join.me/" + "a" * MAX_URL_LENGTH,
    ],
)
def test_parse_target_refuses_tricks(text: str) -> None:
    assert parse_target(text) is None


def test_parse_target_still_takes_pasted_links_with_white_space_around() -> None:
    target = parse_target("  https://bluejeans.com/9036439807/1629 \n")
    assert target is not None and target.meeting_id == "9036439807"


# ---- role links ------------------------------------------------------------------------------

SANDBOX = "http://127.0.0.1:8765"


@pytest.mark.parametrize(
    ("url", "provider", "account_urls", "domain"),
    [
        ("https://join.me/API/Public/StartMeeting.aspx?token=t", Provider.JOINME, (), None),
        ("https://secure.join.me/StartMeeting.aspx?token=t", Provider.JOINME, (), None),
        ("https://team.whereby.com/r-1?roomKey=k", Provider.WHEREBY, (), None),
        ("https://bluejeans.com/123456789/0000", Provider.BLUEJEANS, (), None),
        ("https://acme.bluejeans.com/123456789/0000", Provider.BLUEJEANS, (), None),
        (f"{SANDBOX}/joinme/web/API/Public/StartMeeting.aspx?token=t", Provider.JOINME,
         (f"{SANDBOX}/joinme/web",), None),
        # The API or relay address of the account counts as its server too.
        ("http://127.0.0.1:8765/x?roomKey=k", Provider.WHEREBY,
         (None, f"{SANDBOX}/whereby/v1"), None),
        ("https://meet.contoso.com/u/ABC", Provider.SKYPE, (), "contoso.com"),
        ("https://lyncweb.emea.contoso.com/u/ABC", Provider.SKYPE, (), "Contoso.com"),
    ],
)
def test_trusted_role_links(
    url: str, provider: Provider, account_urls: tuple[str | None, ...], domain: str | None
) -> None:
    assert check_role_link(url, provider, account_urls=account_urls, domain=domain) == url


@pytest.mark.parametrize(
    ("url", "provider", "account_urls", "domain"),
    [
        ("https://evil.example/API/Public/StartMeeting.aspx?token=t", Provider.JOINME, (), None),
        ("https://join.me.evil.example/StartMeeting.aspx?token=t", Provider.JOINME, (), None),
        ("https://notjoin.me/StartMeeting.aspx?token=t", Provider.JOINME, (), None),
        ("http://join.me/StartMeeting.aspx?token=t", Provider.JOINME, (), None),  # not https
        ("https://join.me:8443/StartMeeting.aspx?token=t", Provider.JOINME, (), None),
        # Another provider's domain is not this provider's.
        ("https://team.whereby.com/r?roomKey=k", Provider.JOINME, (), None),
        ("https://bluejeans.com/1?roomKey=k", Provider.WHEREBY, (), None),
        # The account's server: the same host and port only.
        ("http://127.0.0.1:9999/joinme/web/StartMeeting.aspx?token=t", Provider.JOINME,
         (f"{SANDBOX}/joinme/web",), None),
        ("https://127.0.0.1:8765/StartMeeting.aspx?token=t", Provider.JOINME,
         (f"{SANDBOX}/joinme/web",), None),
        ("https://meet.contoso.com.evil.example/u/A", Provider.SKYPE, (), "contoso.com"),
        ("https://meet.contoso.com/u/A", Provider.SKYPE, (), None),
        ("https://meet.fabrikam.com/u/A", Provider.SKYPE, (), "contoso.com"),
        # A lookalike host is never a provider's.
        ("https://j\u043ein.me/StartMeeting.aspx?token=t", Provider.JOINME, (), None),
        ("zoommtg://join.me/x", Provider.JOINME, (), None),
    ],
)
def test_untrusted_role_links_are_refused_naming_only_the_host(
    url: str, provider: Provider, account_urls: tuple[str, ...], domain: str | None
) -> None:
    with pytest.raises(ProtocolViolation) as info:
        check_role_link(url, provider, account_urls=account_urls, domain=domain)
    message = str(info.value)
    assert "not opened" in message
    assert "token=t" not in message and "roomKey=k" not in message and url not in message
    assert info.value.provider == provider.value


def test_role_links_with_credentials_are_refused_as_bad_links() -> None:
    with pytest.raises(InvalidInput, match="user name or password"):
        check_role_link("https://a:b@join.me/StartMeeting.aspx?token=t", Provider.JOINME)


@given(st.text(max_size=120), st.sampled_from(list(Provider)))
def test_role_link_check_raises_only_typed_errors(text: str, provider: Provider) -> None:
    try:
        url = check_role_link(text, provider, account_urls=(SANDBOX, text), domain=text)
    except (InvalidInput, ProtocolViolation):
        return
    assert check_openable(url) == url


def test_web_bases_with_odd_urls_never_break_parsing() -> None:
    bases = [WebBase("http://[::zz]/x", Provider.JOINME, "a"),
             WebBase("not a url", Provider.WHEREBY, "b")]
    assert parse_target("https://join.me/abc", bases) is not None


# ---- Outlook SafeLinks ---------------------------------------------------------------------


def _safelink(inner: str, host: str = "nam02.safelinks.protection.outlook.com") -> str:
    quoted = urllib.parse.quote(inner, safe="")
    return f"https://{host}/?url={quoted}&data=05%7C01%7Cx%40y.test&sdata=abc%3D&reserved=0"


@pytest.mark.parametrize(
    "inner",
    ["https://bluejeans.com/9036439807/1629", "https://join.me/hardwork",
     "https://acme.whereby.com/room-1?roomKey=abc", "https://meet.contoso.com/bmauldin/IB88RLLY",
     "9036439807"],
)
def test_safelinks_are_unwrapped(inner: str) -> None:
    wrapped = parse_target(_safelink(inner))
    assert wrapped is not None and wrapped == parse_target(inner)
    twice = parse_target(_safelink(_safelink(inner), host="eur01.safelinks.protection.outlook.com"))
    assert twice == wrapped


@pytest.mark.parametrize(
    "text",
    [
        _safelink("https://example.com/not-a-meeting"),
        _safelink("javascript:alert(1)"),
        _safelink("https://user:pw@bluejeans.com/9036439807"),
        "https://nam02.safelinks.protection.outlook.com/?data=no-url",
        "http://nam02.safelinks.protection.outlook.com/?url=https%3A%2F%2Fjoin.me%2Fabc",
        "https://safelinks.protection.outlook.com.evil.example/?url=https%3A%2F%2Fjoin.me%2Fabc",
        _safelink(_safelink(_safelink(_safelink("https://join.me/abc")))),  # too deep
    ],
)
def test_safelinks_that_wrap_nothing_joinable(text: str) -> None:
    assert parse_target(text) is None


def test_a_safelink_to_an_account_server_uses_the_account() -> None:
    bases = [WebBase("http://127.0.0.1:8765/bluejeans/web", Provider.BLUEJEANS, "BJ")]
    target = parse_target(_safelink("http://127.0.0.1:8765/bluejeans/web/9036439807"), bases)
    assert target is not None and target.account == "BJ"


def test_words_instead_of_a_link_are_told_to_paste_the_address() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_openable("zoom tomorrow")
    assert caught.value.field == "url" and "is not a link" in str(caught.value)
