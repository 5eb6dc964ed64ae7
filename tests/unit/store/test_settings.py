from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from launcher.store import atomic
from launcher.store.settings import Settings, SettingsStore


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("reminder_minutes", -1),
        ("reminder_minutes", 121),
        ("reminder_minutes", "5"),
        ("reminder_minutes", True),
        ("next_meeting_grace_minutes", None),
        ("next_meeting_grace_minutes", 1.5),
        ("tray_notice_shown", "yes"),
        ("view", "calendar"),
    ],
)
def test_an_invalid_value_falls_back_to_its_default_with_a_message(
    tmp_path: Path, key: str, bad: Any
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({key: bad, "view": "week"} if key != "view" else {key: bad}))
    store = SettingsStore(path)
    settings = store.load()
    assert getattr(settings, key) == getattr(Settings(), key)
    [problem] = store.problems
    assert repr(key) in problem and repr(bad) in problem
    if key != "view":
        assert settings.view == "week"  # the valid values next to it are kept


def test_unknown_keys_survive_a_save(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"view": "month", "from_a_newer_version": {"x": [1, 2]},
                                "theme": "dark"}))
    store = SettingsStore(path)
    settings = store.load()
    assert store.problems == []
    store.save(Settings(reminder_minutes=None, view=settings.view))
    saved = json.loads(path.read_text())
    assert saved["from_a_newer_version"] == {"x": [1, 2]} and saved["theme"] == "dark"
    assert saved["reminder_minutes"] is None and saved["view"] == "month"
    assert path.read_text().startswith("{\n")  # human-readable


def test_a_key_removed_from_the_file_is_not_brought_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"old": 1}))
    store = SettingsStore(path)
    store.load()
    path.write_text(json.dumps({}))
    store.load()
    store.save(Settings())
    assert "old" not in json.loads(path.read_text())


def test_a_crash_in_the_middle_of_a_save_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "settings.json"
    store = SettingsStore(path)
    store.save(Settings(view="week"))
    before = path.read_bytes()
    written: list[bytes] = []

    def crash(src: str, dst: str) -> None:
        written.append(Path(src).read_bytes())  # the new content is fully written...
        raise OSError(28, "No space left on device")  # ...and the rename never happens

    monkeypatch.setattr(atomic.os, "replace", crash)
    with pytest.raises(OSError, match="No space"):
        store.save(Settings(view="month"))
    monkeypatch.undo()
    assert b'"month"' in written[0]
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]  # no temp file left
    assert SettingsStore(path).load().view == "week"


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "\udcff"])
def test_an_unreadable_file_is_kept_aside_with_a_message(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    store = SettingsStore(path)
    assert store.load() == Settings()
    [problem] = store.problems
    [aside] = [p for p in tmp_path.iterdir() if p.name.startswith("settings.json.damaged-")]
    assert str(aside) in problem and "default settings" in problem
    assert aside.read_bytes() == content.encode("utf-8", "surrogateescape")
    store.save(Settings(view="week"))  # the next save does not touch the kept copy
    assert aside.read_bytes() == content.encode("utf-8", "surrogateescape")
    assert SettingsStore(path).load().view == "week"


def test_a_file_that_cannot_be_opened_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.mkdir()  # (as root, a chmod 0 file would still be readable)
    store = SettingsStore(path)
    assert store.load() == Settings()
    assert str(path) in store.problems[0] and "defaults are used" in store.problems[0]
    assert [p.name for p in tmp_path.iterdir()] == ["settings.json"]
