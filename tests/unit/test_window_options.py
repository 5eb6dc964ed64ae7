"""Which arguments open the window, and how the window reads its options."""

from __future__ import annotations

import pytest

from launcher.__main__ import wants_window
from launcher.app import WindowOptions, _parse


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], WindowOptions()),
        (["--demo"], WindowOptions(demo=True)),
        (["--debug", "--minimized"], WindowOptions(debug=True, minimized=True)),
        (["--join", "https://zoom.us/j/123456789"],
         WindowOptions(join="https://zoom.us/j/123456789")),
        (["--join=https://meet.google.com/abc-defg-hij"],
         WindowOptions(join="https://meet.google.com/abc-defg-hij")),
        (["--join-clipboard", "--demo"], WindowOptions(demo=True, join_clipboard=True)),
    ],
)
def test_window_options_are_read(argv: list[str], expected: WindowOptions) -> None:
    assert _parse(argv) == expected


@pytest.mark.parametrize("argv", [["--demoo"], ["--join"], ["meetings"], ["-d"]])
def test_anything_else_exits_2_with_one_line_saying_what_to_do(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        _parse(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert repr(argv[0]) in err and "meeting-launcher --help" in err


@pytest.mark.parametrize(
    ("argv", "window"),
    [
        ([], []),
        (["--demo", "--debug"], ["--demo", "--debug"]),
        (["https://zoom.us/j/123456789"], ["--join", "https://zoom.us/j/123456789"]),
        (["--join", "https://x.test/j"], ["--join", "https://x.test/j"]),
        (["meetings"], None),
        (["--demo", "meetings"], None),
    ],
)
def test_what_goes_to_the_window_parses_there(
    argv: list[str], window: list[str] | None
) -> None:
    assert wants_window(argv) == window
    if window is not None:
        _parse(window)  # never exits: the window takes every argument it is handed
