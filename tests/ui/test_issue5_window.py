"""Issue 5, window side: filters, next meeting with the grace rule, Join with, copy ID,
the pre-join dialog, Add meeting, the Settings filters.

Link detection and checks come from the STAND-IN in tests/ui/linkstub.py (part A's
contract), injected into LinkInfo, so these tests pin the UI, not the catalogue rules.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QDialog

from launcher.core.filters import EventFilter, calendar_of, compile_blocklist
from launcher.core.models import Meeting, Provider
from launcher.store.settings import Settings, SettingsStore
from launcher.ui.details import DetailsPane
from launcher.ui.dialogs.links import AddMeetingDialog, PreJoinDialog, shown_findings
from launcher.ui.linkinfo import LinkInfo
from launcher.ui.models import MeetingFilterProxy, MeetingListModel, meeting_key
from launcher.ui.settings_dialog import SettingsDialog
from tests.ui import linkstub

pytestmark = pytest.mark.gui

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


def event(title: str, minutes: int, length: int = 30, **kw: Any) -> Meeting:
    kw.setdefault("join_url", f"https://example.zoom.us/j/{abs(hash(title)) % 10**9}")
    start = NOW + dt.timedelta(minutes=minutes)
    return Meeting(id=title, account=kw.pop("account", "Work calendar"),
                   provider=kw.pop("provider", Provider.ICS), title=title, start=start,
                   end=start + dt.timedelta(minutes=length), **kw)


MIXED = [
    event("Standup", 30),
    event("Holiday", -540, 24 * 60, all_day=True),
    event("Declined review", 60, attendance="declined"),
    event("Maybe planning", 90, attendance="tentative"),
    event("Tentative status", 100, status="tentative"),
    event("Cancelled sync", 45, status="cancelled"),
    event("Lunch", 180, join_url=None),
    event("Team lunch", 200, calendar="Social"),
    event("1:1 with Ana", 240, calendar="Personal"),
]


def shown(proxy: MeetingFilterProxy) -> set[str]:
    return {m.title for m in proxy.shown_meetings()}


def build(meetings: list[Meeting]) -> tuple[MeetingListModel, MeetingFilterProxy]:
    model = MeetingListModel(tz=dt.UTC, now=NOW)
    proxy = MeetingFilterProxy()
    proxy.setSourceModel(model)
    model.set_meetings(meetings)
    return model, proxy


# ---- filters ---------------------------------------------------------------------------


def test_cancelled_events_are_always_hidden(qtbot: Any) -> None:
    _model, proxy = build(MIXED)
    assert shown(proxy) == {m.title for m in MIXED} - {"Cancelled sync"}


@pytest.mark.parametrize(
    ("change", "hidden"),
    [
        ({"hide_all_day": True}, {"Holiday"}),
        ({"hide_declined": True}, {"Declined review"}),
        ({"hide_tentative": True}, {"Maybe planning", "Tentative status"}),
        ({"hide_without_link": True}, {"Lunch"}),
        ({"title_blocklist": ("lunch$",)}, {"Lunch", "Team lunch"}),
        ({"title_blocklist": ("^1:1", "holi")}, {"1:1 with Ana", "Holiday"}),
        ({"excluded_calendars": ("Social", "Work calendar")},
         {m.title for m in MIXED if m.calendar in (None, "Social")}),
    ],
)
def test_each_filter_hides_its_events(
    qtbot: Any, change: dict[str, Any], hidden: set[str]
) -> None:
    _model, proxy = build(MIXED)
    proxy.set_event_filter(Settings(**change).event_filter())
    assert shown(proxy) == {m.title for m in MIXED} - {"Cancelled sync"} - hidden
    proxy.set_event_filter(EventFilter())
    assert "Lunch" in shown(proxy)


def test_filters_combine_with_search(qtbot: Any) -> None:
    _model, proxy = build(MIXED)
    proxy.set_event_filter(Settings(hide_declined=True).event_filter())
    proxy.set_search("review")
    assert shown(proxy) == set()
    proxy.set_search("lunch")
    assert shown(proxy) == {"Lunch", "Team lunch"}


def test_without_link_counts_links_found_in_the_text(qtbot: Any) -> None:
    text_only = event("Text link", 20, join_url=None,
                      description="<p>Join: https://meet.google.com/abc-defg-hij</p>")
    model, proxy = build([text_only, event("Nothing", 25, join_url=None)])
    model.set_link_checker(LinkInfo(linkscan=linkstub.linkscan, prejoin=False).has_link)
    proxy.set_event_filter(Settings(hide_without_link=True).event_filter())
    assert shown(proxy) == {"Text link"}


def test_calendar_is_the_calendar_name_or_the_account() -> None:
    assert calendar_of(event("a", 0, calendar="Team")) == "Team"
    assert calendar_of(event("b", 0, account="Demo Whereby")) == "Demo Whereby"


# ---- blocklist validation ----------------------------------------------------------------


def test_blocklist_reports_the_line_of_each_bad_pattern() -> None:
    patterns, errors = compile_blocklist(["^Lunch", "", "(unclosed", "ok", "[z-a]"])
    assert len(patterns) == 2
    assert [e.line for e in errors] == [3, 5]
    assert str(errors[0]).startswith("Line 3: ")


def test_settings_file_with_a_bad_pattern_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"title_blocklist": ["(bad"], "hide_declined": True,
                                "excluded_calendars": ["Social"]}))
    store = SettingsStore(path)
    settings = store.load()
    assert settings.title_blocklist == ()
    assert settings.hide_declined is True
    assert settings.excluded_calendars == ("Social",)
    assert any("title_blocklist" in p for p in store.problems)
    store.save(dataclasses_replace(settings, title_blocklist=("^x",)))
    assert SettingsStore(path).load().title_blocklist == ("^x",)


def dataclasses_replace(settings: Settings, **kw: Any) -> Settings:
    import dataclasses

    return dataclasses.replace(settings, **kw)


def test_settings_dialog_marks_a_bad_pattern_and_disables_ok(qtbot: Any) -> None:
    dialog = SettingsDialog(None, Settings(), calendars=["Work calendar", "Social"])
    qtbot.addWidget(dialog)
    dialog.blocklist.setPlainText("^Lunch\n(unclosed")
    assert not dialog.ok_button.isEnabled()
    assert dialog.blocklist_message.is_error()
    assert "Line 2" in dialog.blocklist_message.text()
    assert dialog.blocklist.property("invalid") is True
    dialog.blocklist.setPlainText("^Lunch\n\n(closed)")
    assert dialog.ok_button.isEnabled()
    assert dialog.result_value().title_blocklist == ("^Lunch", "(closed)")


def test_settings_dialog_per_calendar_toggles(qtbot: Any) -> None:
    settings = Settings(excluded_calendars=("Old",), hide_all_day=True)
    dialog = SettingsDialog(None, settings, calendars=["Work calendar", "Social"])
    qtbot.addWidget(dialog)
    assert set(dialog.calendar_boxes) == {"Work calendar", "Social", "Old"}
    assert not dialog.calendar_boxes["Old"].isChecked()
    assert dialog.hide_all_day.isChecked()
    dialog.calendar_boxes["Social"].setChecked(False)
    dialog.calendar_boxes["Old"].setChecked(True)
    dialog.findChild(QCheckBox, "hide_declined").setChecked(True)
    result = dialog.result_value()
    assert result.excluded_calendars == ("Social",)
    assert result.hide_declined and result.hide_all_day


# ---- next meeting ---------------------------------------------------------------------


def test_next_meeting_prefers_upcoming_over_long_started(qtbot: Any) -> None:
    started = event("Started 15 min ago", -15, 60)
    upcoming = event("Upcoming", 20)
    model, _proxy = build([started, upcoming])
    assert model.next_key == meeting_key(upcoming)  # default grace: 10 min
    model.set_grace(dt.timedelta(minutes=30))
    assert model.next_key == meeting_key(started)
    model.set_grace(dt.timedelta(minutes=14))
    assert model.next_key == meeting_key(upcoming)


def test_next_meeting_skips_hidden_and_linkless(qtbot: Any) -> None:
    meetings = [event("Declined first", 5, attendance="declined"),
                event("No link", 8, join_url=None),
                event("Cancelled", 9, status="cancelled"),
                event("Real one", 12)]
    model, proxy = build(meetings)
    assert model.next_key == meeting_key(meetings[0])
    proxy.set_event_filter(Settings(hide_declined=True).event_filter())
    assert model.next_key == meeting_key(meetings[3])


def test_window_applies_filter_settings(qtbot: Any) -> None:
    from launcher.ui.main_window import MainWindow

    window = MainWindow(clock=lambda: NOW, tz=dt.UTC)
    qtbot.addWidget(window)
    window.set_meetings(MIXED)
    window.select_meeting(MIXED[2])
    window.set_filter_settings(Settings(hide_declined=True).event_filter(),
                               dt.timedelta(minutes=5))
    assert window.model.grace == dt.timedelta(minutes=5)
    assert "Declined review" not in shown(window.proxy)
    # The hidden meeting is no longer shown in the details (the selection moved on).
    assert window.details.meeting is None or window.details.meeting.title != "Declined review"


# ---- details: Join with, copy ID -------------------------------------------------------

SEVERAL = event(
    "Quarterly review", 30, join_url=None,
    conference_url="https://acme.zoom.us/j/85012345678?pwd=Zx81",
    description=("<p>Teams: https://teams.microsoft.com/l/meetup-join/19%3ameeting_x</p>"
                 "<p>Backup: https://meet.google.com/abc-defg-hij</p>"),
    calendar="Work", location="Room 4.12",
)


def pane(qtbot: Any) -> DetailsPane:
    widget = DetailsPane(clock=lambda: NOW, tz=dt.UTC,
                         links=LinkInfo(linkscan=linkstub.linkscan, prejoin=linkstub.prejoin))
    qtbot.addWidget(widget)
    return widget


def test_join_with_menu_lists_the_other_links(qtbot: Any) -> None:
    details = pane(qtbot)
    details.set_meeting(SEVERAL)
    assert details.join_button.text() == "Join with Zoom"
    assert [a.text() for a in details.join_with_menu.actions()] == [
        "Join with Microsoft Teams", "Join with Google Meet"]
    assert not details.join_with_button.isHidden()
    with qtbot.waitSignal(details.join_with_requested) as blocker:
        details.join_with_menu.actions()[1].trigger()
    meeting, link = blocker.args
    assert meeting is SEVERAL and link.url == "https://meet.google.com/abc-defg-hij"


def test_one_link_has_no_join_with_menu(qtbot: Any) -> None:
    details = pane(qtbot)
    details.set_meeting(event("Plain", 5, join_url="https://intranet.example.org/x"))
    assert details.join_button.text() == "Join"
    assert details.join_with_button.isHidden()
    assert not details.copy_id_button.isEnabled()  # no recognised service, no ID


def test_copy_meeting_id_and_passcode_for_any_service(qtbot: Any) -> None:
    details = pane(qtbot)
    details.set_meeting(SEVERAL)
    assert details.copy_id_button.isEnabled()
    details.copy_id_button.click()
    assert QGuiApplication.clipboard().text() == "Meeting ID: 85012345678\nPasscode: Zx81"


def test_saved_link_can_be_deleted(qtbot: Any) -> None:
    details = pane(qtbot)
    details.set_meeting(event("Saved", 5, provider=Provider.LOCAL))
    assert not details.delete_button.isHidden()
    assert details.delete_button.text() == "Delete saved link…"


def test_linkinfo_without_the_catalogue_uses_the_join_link() -> None:
    info = LinkInfo(linkscan=False, prejoin=False)
    meeting = event("Plain", 5)
    assert [x.url for x in info.links(meeting)] == [meeting.join_url]
    assert info.check(meeting, info.links(meeting)) == ()


# ---- pre-join dialog ---------------------------------------------------------------------

MISSING = event("Zoom without pwd", 10, join_url=None,
                conference_url="https://acme.zoom.us/j/85012345678",
                description="Meeting ID: 850 1234 5678 Passcode: 314159")


def prejoin(qtbot: Any, meeting: Meeting) -> PreJoinDialog:
    links = linkstub.detect_links(meeting)
    findings = shown_findings(linkstub.check_links(meeting, links))
    dialog = PreJoinDialog(None, findings, links, subject=meeting.title)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_prejoin_add_passcode_and_join(qtbot: Any) -> None:
    dialog = prejoin(qtbot, MISSING)
    assert dialog.fix_button is not None and dialog.fix_button.isDefault()
    dialog.fix_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.chosen_url() == "https://acme.zoom.us/j/85012345678?pwd=314159"


def test_prejoin_copy_passcode_keeps_the_dialog_open(qtbot: Any) -> None:
    dialog = prejoin(qtbot, MISSING)
    assert dialog.copy_button is not None
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == "314159"
    assert dialog.isVisible()
    dialog.join_button.click()
    assert dialog.chosen_url() == "https://acme.zoom.us/j/85012345678"


def test_prejoin_cancel(qtbot: Any) -> None:
    dialog = prejoin(qtbot, MISSING)
    dialog.cancel_button.click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.chosen_url() is None


def test_prejoin_conflicting_links_lets_one_choose(qtbot: Any) -> None:
    meeting = event("Two services", 10, join_url=None,
                    conference_url="https://acme.zoom.us/j/85012345678",
                    description="Passcode: 314159 or https://meet.google.com/abc-defg-hij")
    dialog = prejoin(qtbot, meeting)
    assert len(dialog.choices.buttons()) == 2
    dialog.choices.button(1).setChecked(True)
    assert dialog.fix_button is not None and dialog.fix_button.isHidden()
    dialog.join_button.click()
    assert dialog.chosen_url() == "https://meet.google.com/abc-defg-hij"


def test_bluejeans_check_alone_shows_no_dialog() -> None:
    meeting = event("BJ", 10, join_url="https://bluejeans.com/123456789")
    links = linkstub.detect_links(meeting)
    assert shown_findings(linkstub.check_links(meeting, links)) == ()


# ---- add meeting ----------------------------------------------------------------------


def add_dialog(qtbot: Any, clipboard: str = "") -> AddMeetingDialog:
    dialog = AddMeetingDialog(None, clipboard=clipboard, now=NOW, tz=dt.UTC)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_add_meeting_prefills_a_link_from_the_clipboard(qtbot: Any) -> None:
    assert add_dialog(qtbot, " https://meet.google.com/abc-defg-hij \n").link.text() == (
        "https://meet.google.com/abc-defg-hij")
    assert add_dialog(qtbot, "shopping list: milk").link.text() == ""
    assert add_dialog(qtbot, "javascript:alert(1)").link.text() == ""


def test_add_meeting_validation(qtbot: Any) -> None:
    dialog = add_dialog(qtbot)
    assert not dialog.ok_button.isEnabled()
    assert set(dialog.problems()) == {"url", "title"}
    qtbot.keyClicks(dialog.link, "file:///etc/passwd")
    assert "url" in dialog.problems()
    assert dialog.link.parentWidget().property("invalid") is True  # marked once touched
    dialog.link.clear()
    qtbot.keyClicks(dialog.link, "zoommtg://zoom.us/join?confno=123")
    qtbot.keyClicks(dialog.title, "Design crit")
    assert dialog.problems() == {}
    assert dialog.ok_button.isEnabled()
    dialog.end.set_value(dialog.start.value() - dt.timedelta(minutes=5))
    dialog.end.changed.emit()
    assert dialog.problems() == {"end": "must be after the start."}
    assert not dialog.ok_button.isEnabled()


def test_add_meeting_keeps_the_length_when_the_start_moves(qtbot: Any) -> None:
    dialog = add_dialog(qtbot, "https://meet.google.com/abc-defg-hij")
    assert dialog.start.value() == NOW + dt.timedelta(minutes=30)
    dialog.start.set_value(NOW + dt.timedelta(hours=2))
    assert dialog.end.value() - dialog.start.value() == dt.timedelta(minutes=30)
    qtbot.keyClicks(dialog.title, "Later")
    value = dialog.value()
    assert (value.title, value.url) == ("Later", "https://meet.google.com/abc-defg-hij")
