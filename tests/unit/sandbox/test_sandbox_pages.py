"""The HTML pages: escaping, the joined page and the 404 page."""

from __future__ import annotations

from launcher.sandbox.pages import joined_page, not_found_page, page


def test_everything_is_escaped() -> None:
    response = joined_page("Who<&>", '<script>alert("x")</script>', "host & co", "a<b")
    text = bytes(response.body).decode()
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "Who&lt;&amp;&gt;" in text
    assert "as host &amp; co" in text
    assert "<p>a&lt;b</p>" in text


def test_joined_page() -> None:
    response = joined_page("Whereby", "Standup", "viewer")
    assert response.status_code == 200
    assert response.media_type == "text/html"
    text = bytes(response.body).decode()
    assert "<h1>You joined Standup as viewer</h1>" in text
    assert "Whereby" in text


def test_not_found_page() -> None:
    response = not_found_page("join.me")
    assert response.status_code == 404
    assert "does not exist" in bytes(response.body).decode()


def test_page_status() -> None:
    assert page("x", "y", status=410).status_code == 410
