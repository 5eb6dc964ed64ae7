from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from launcher.store.settings import Settings, SettingsStore
from launcher.ui.settings_dialog import SettingsDialog


def test_settings_dialog_roundtrip(qtbot: Any) -> None:
    dialog = SettingsDialog(None, Settings(reminder_minutes=1, next_meeting_grace_minutes=10))
    qtbot.addWidget(dialog)
    assert dialog.reminder.currentData() == 1
    dialog.reminder.setCurrentIndex(dialog.reminder.findData(None))
    dialog.grace.setValue(25)
    result = dialog.result_value()
    assert result.reminder_minutes is None and result.next_meeting_grace_minutes == 25
    dialog.reminder.setCurrentIndex(dialog.reminder.findData(0))
    assert dialog.result_value().reminder_minutes == 0


def test_hand_edited_value_is_kept(qtbot: Any) -> None:
    dialog = SettingsDialog(None, Settings(reminder_minutes=7))
    qtbot.addWidget(dialog)
    assert dialog.reminder.currentText() == "7 minutes before"
    assert dialog.result_value().reminder_minutes == 7


def test_settings_store_validates_and_keeps_unknown_keys(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"reminder_minutes": "soon", "view": "week", "future": 1}))
    store = SettingsStore(path)
    settings = store.load()
    assert settings.reminder_minutes == 1 and settings.view == "week"
    assert any("reminder_minutes" in p for p in store.problems)
    store.save(Settings(reminder_minutes=None))
    saved = json.loads(path.read_text())
    assert saved["future"] == 1 and saved["reminder_minutes"] is None
    assert SettingsStore(path).load().reminder_minutes is None
