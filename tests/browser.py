"""A stand-in for the system browser in sign-in tests: it really follows the OAuth pages.

Given the authorize URL, it loads the sandbox's consent page over loopback HTTP, presses
Allow (or Deny), follows the redirect to the app's loopback listener and keeps the page
the listener answered with. Runs as a task beside the code under test, as a browser
would; ``python -m tests.browser URL LOG`` does the same from a ``$BROWSER`` command.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import re
import sys
import urllib.parse
import urllib.request
from typing import Any

import httpx

_FORM = re.compile(r"<form[^>]*action='([^']+)'", re.I)
_HIDDEN = re.compile(r"<input type='hidden' name='([^']+)' value='([^']*)'", re.I)


@dataclasses.dataclass
class Visit:
    """What the browser saw at the end: the listener's status and page text."""

    status: int
    text: str


class FakeBrowser:
    """An async ``open(url)`` for the sign-in service.

    ``decision``: "allow", "deny" or None (opens the consent page and never answers).
    ``tamper_state``: send the redirect back with a different ``state``.
    """

    def __init__(self, *, decision: str | None = "allow", tamper_state: bool = False) -> None:
        self.decision = decision
        self.tamper_state = tamper_state
        self.opened: list[str] = []
        self.redirects: list[str] = []
        self.visits: list[Visit] = []
        self.consent_shown = asyncio.Event()
        self.finished = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()

    async def __call__(self, url: str) -> None:
        self.opened.append(url)
        task = asyncio.get_running_loop().create_task(self._browse(url))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _browse(self, url: str) -> None:
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                consent = await http.get(url)
                if consent.status_code != 200:
                    self.visits.append(Visit(consent.status_code, consent.text))
                    return
                self.consent_shown.set()
                if self.decision is None:
                    return
                form = dict(_HIDDEN.findall(consent.text))
                action = _FORM.search(consent.text)
                assert action is not None, consent.text
                target = urllib.parse.urljoin(url, html.unescape(action.group(1)))
                answer = await http.post(target, data={**form, "decision": self.decision})
                assert answer.status_code == 302, answer.text
                location = answer.headers["location"]
                if self.tamper_state:
                    location = re.sub(r"state=[^&]*", "state=forged", location)
                self.redirects.append(location)
                landing = await http.get(location)
                self.visits.append(Visit(landing.status_code, _text(landing.text)))
        finally:
            self.finished.set()

    async def aclose(self) -> None:
        """Stop browsing (a test that ends while the page is open)."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def _text(page: str) -> str:
    without_scripts = re.sub(r"<script.*?</script>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", without_scripts))


def main(argv: list[str]) -> int:
    """``python -m tests.browser URL LOG``: press Allow, append the final page to LOG."""
    url, log = argv[0], argv[1]
    with urllib.request.urlopen(url, timeout=10) as consent:  # loopback sandbox only
        page = consent.read().decode()
    form = dict(_HIDDEN.findall(page))
    action = _FORM.search(page)
    assert action is not None
    data = urllib.parse.urlencode({**form, "decision": "allow"}).encode()
    target = urllib.parse.urljoin(url, html.unescape(action.group(1)))
    # urllib follows the 302 to the app's loopback listener with a GET.
    with urllib.request.urlopen(target, data=data, timeout=30) as landing:
        text = _text(landing.read().decode())
    with open(log, "a", encoding="utf-8") as out:
        out.write(" ".join(text.split()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
