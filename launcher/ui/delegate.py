"""Paints one agenda row: day heading, "now" marker, time, title, provider, role, countdown."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from launcher.core.models import Meeting, Provider, Role
from launcher.ui.icons import provider_colour, provider_icon
from launcher.ui.models import TIMELESS_HEADING, MeetingFilterProxy, MeetingRole

_Index = QModelIndex | QPersistentModelIndex

#: Colour of the "now" marker line (also used by the week view).
NOW_COLOUR = QColor("#e0433b")

_PAD_X = 12
_PAD_Y = 9
_LINE_GAP = 4
_ICON = 16
_CARD_MARGIN_X = 6
_CARD_MARGIN_Y = 2


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """Blend *a* towards *b* by *amount* (0 = a, 1 = b)."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
        1.0,
    )


def format_duration(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """Say how long a meeting lasts: "30 min", "1 h 30 min", "1 day 2 h", "7 days".

    Returns "" when the length is unknown. From a day on, minutes are dropped; from a week
    on, hours too (rounded to the nearest day).
    """
    if start is None or end is None or end <= start:
        return ""
    minutes = int((end - start).total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    if days >= 7:
        days += (hours * 60 + rest) >= 12 * 60
        hours = 0
    text = "1 day" if days == 1 else f"{days} days"
    return f"{text} {hours} h" if hours else text


@dataclasses.dataclass(frozen=True, slots=True)
class _Metrics:
    """Fonts and sizes derived from the view's font (cached per font)."""

    title: QFont
    body: QFont
    small: QFont
    heading: QFont
    title_fm: QFontMetrics
    body_fm: QFontMetrics
    small_fm: QFontMetrics
    heading_fm: QFontMetrics
    row_height: int
    heading_height: int
    time_width: int
    #: Size hints of a plain row and of a row under a day heading.
    sizes: tuple[QSize, QSize]


def _metrics_for(font: QFont) -> _Metrics:
    title = QFont(font)
    title.setBold(True)
    body = QFont(font)
    small = QFont(font)
    small.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
    heading = QFont(font)
    heading.setBold(True)
    heading.setPointSizeF(font.pointSizeF() * 1.05)
    title_fm, body_fm = QFontMetrics(title), QFontMetrics(body)
    small_fm, heading_fm = QFontMetrics(small), QFontMetrics(heading)
    line2 = max(small_fm.height(), _ICON)
    row = 2 * _CARD_MARGIN_Y + 2 * _PAD_Y + title_fm.height() + _LINE_GAP + line2
    time_width = max(
        body_fm.horizontalAdvance(sample)
        for sample in ("00:00 – 00:00 +1", "No fixed time", "00:00 – Wed 28 Nov")
    )
    heading_height = heading_fm.height() + 22
    width = time_width + 240
    return _Metrics(
        title=title,
        body=body,
        small=small,
        heading=heading,
        title_fm=title_fm,
        body_fm=body_fm,
        small_fm=small_fm,
        heading_fm=heading_fm,
        row_height=row,
        heading_height=heading_height,
        time_width=time_width,
        sizes=(QSize(width, row), QSize(width, row + heading_height)),
    )


class AgendaDelegate(QStyledItemDelegate):
    """Draws meetings of a MeetingListModel / MeetingFilterProxy as agenda rows."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._metrics: dict[str, _Metrics] = {}
        # sizeHint runs for every row on each layout (10,000 rows: keep it lean).
        self._size_metrics: _Metrics | None = None

    def reset_metrics(self) -> None:
        """Forget cached sizes (the view's font or style changed)."""
        self._metrics.clear()
        self._size_metrics = None

    # ------------------------------------------------------------------ layout
    def metrics(self, font: QFont) -> _Metrics:
        """Return fonts and sizes for *font* (cached)."""
        key = font.key()
        found = self._metrics.get(key)
        if found is None:
            found = self._metrics[key] = _metrics_for(font)
        return found

    def starts_day(self, index: _Index) -> bool:
        """Tell whether *index* is the first row of its day group (drawn with a heading)."""
        model = index.model()
        row = index.row()
        if isinstance(model, MeetingFilterProxy):
            return model.starts_day(row)
        if row <= 0:
            return True
        previous = index.model().index(row - 1, 0)
        return bool(index.data(MeetingRole.DAY) != previous.data(MeetingRole.DAY))

    def shows_now_marker(self, index: _Index) -> bool:
        """Tell whether the "now" line goes above *index*: today's first meeting to come."""
        if not index.data(MeetingRole.IS_TODAY) or index.data(MeetingRole.STARTED):
            return False
        if index.row() == 0:
            return True
        previous = index.model().index(index.row() - 1, 0)
        return not previous.data(MeetingRole.IS_TODAY) or bool(previous.data(MeetingRole.STARTED))

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        """Rows share one height; the first row of a day adds its heading."""
        m = self._size_metrics
        if m is None:
            m = self._size_metrics = self.metrics(option.font)
        model = index.model()
        if isinstance(model, MeetingFilterProxy):
            return m.sizes[model.starts_day(index.row())]
        return m.sizes[self.starts_day(index)]

    # ------------------------------------------------------------------ painting
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        """Paint the heading (if any), the card, and its texts."""
        meeting = index.data(MeetingRole.MEETING)
        if not isinstance(meeting, Meeting):
            super().paint(painter, option, index)
            return
        rect = QRect(option.rect)
        palette: QPalette = option.palette
        m = self.metrics(option.font)
        state = option.state
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        if self.starts_day(index):
            heading = QRect(rect.left(), rect.top(), rect.width(), m.heading_height)
            self._paint_heading(painter, heading, palette, m, index)
            rect.setTop(heading.bottom() + 1)
        card = rect.adjusted(_CARD_MARGIN_X, _CARD_MARGIN_Y, -_CARD_MARGIN_X, -_CARD_MARGIN_Y)
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        is_next = bool(index.data(MeetingRole.IS_NEXT))
        self._paint_card(painter, card, palette, selected=selected, hovered=hovered,
                         is_next=is_next, meeting=meeting)
        self._paint_texts(painter, card, palette, m, index, meeting, selected=selected,
                          is_next=is_next)
        if bool(state & QStyle.StateFlag.State_HasFocus) and selected:
            pen = painter.pen()
            pen.setColor(mix(palette.color(QPalette.ColorRole.Highlight),
                             palette.color(QPalette.ColorRole.Text), 0.35))
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(0, 0, -1, -1), 6, 6)
        if self.shows_now_marker(index):
            self._paint_now_marker(painter, rect)
        painter.restore()

    def _paint_heading(
        self, painter: QPainter, rect: QRect, palette: QPalette, m: _Metrics, index: _Index
    ) -> None:
        text = str(index.data(MeetingRole.DAY_TEXT) or TIMELESS_HEADING)
        today = bool(index.data(MeetingRole.IS_TODAY))
        text_colour = palette.color(QPalette.ColorRole.Text)
        colour = palette.color(QPalette.ColorRole.Highlight) if today else text_colour
        if today:
            # Keep contrast: a light accent on a light base would be hard to read.
            colour = mix(colour, text_colour, 0.25)
        painter.setFont(m.heading)
        painter.setPen(colour)
        text_rect = rect.adjusted(_CARD_MARGIN_X + 6, 12, -_CARD_MARGIN_X - 6, -6)
        elided = m.heading_fm.elidedText(text, Qt.TextElideMode.ElideRight, text_rect.width())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         elided)
        # A hairline after the heading separates the day groups without boxing them.
        painter.setPen(mix(palette.color(QPalette.ColorRole.Base), text_colour, 0.15))
        left = text_rect.left() + m.heading_fm.horizontalAdvance(elided) + 10
        if left < text_rect.right():
            mid = text_rect.center().y() + 1
            painter.drawLine(left, mid, text_rect.right(), mid)

    def _paint_card(
        self,
        painter: QPainter,
        card: QRect,
        palette: QPalette,
        *,
        selected: bool,
        hovered: bool,
        is_next: bool,
        meeting: Meeting,
    ) -> None:
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        painter.setPen(Qt.PenStyle.NoPen)
        if selected:
            fill = highlight
        elif is_next:
            fill = mix(base, highlight, 0.12)
        elif hovered:
            fill = mix(base, text, 0.05)
        else:
            fill = None
        if fill is not None:
            painter.setBrush(fill)
            painter.drawRoundedRect(card, 6, 6)
        # A slim provider-coloured bar, so the service reads at a glance.
        bar = QRect(card.left() + 4, card.top() + 7, 3, card.height() - 14)
        colour = provider_colour(meeting.provider)
        if selected:
            colour = mix(colour, palette.color(QPalette.ColorRole.HighlightedText), 0.4)
        painter.setBrush(colour)
        painter.drawRoundedRect(bar, 1.5, 1.5)

    def _paint_texts(
        self,
        painter: QPainter,
        card: QRect,
        palette: QPalette,
        m: _Metrics,
        index: _Index,
        meeting: Meeting,
        *,
        selected: bool,
        is_next: bool,
    ) -> None:
        group = QPalette.ColorGroup.Active
        text = palette.color(group, QPalette.ColorRole.HighlightedText if selected
                             else QPalette.ColorRole.Text)
        background = palette.color(QPalette.ColorRole.Highlight if selected
                                   else QPalette.ColorRole.Base)
        secondary = mix(text, background, 0.25 if selected else 0.38)
        highlight = palette.color(QPalette.ColorRole.Highlight)

        left = card.left() + _PAD_X + 2
        line1 = QRect(left, card.top() + _PAD_Y, 0, m.title_fm.height())
        line2_h = max(m.small_fm.height(), _ICON)
        line2 = QRect(left, line1.bottom() + 1 + _LINE_GAP, 0, line2_h)
        right = card.right() - _PAD_X

        # Time column: the range, then the duration.
        time_text = str(index.data(MeetingRole.TIME_TEXT) or "")
        painter.setFont(m.body)
        painter.setPen(text if not meeting.timeless else secondary)
        painter.drawText(QRect(left, line1.top(), m.time_width, line1.height()),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         m.body_fm.elidedText(time_text, Qt.TextElideMode.ElideRight,
                                              m.time_width))
        main_left = left + m.time_width + 14

        # Right side of line 1: the countdown chip of the next meeting; where the row is
        # too narrow for it, the countdown takes the duration's place under the time.
        title_right = right
        countdown = index.data(MeetingRole.COUNTDOWN) if is_next else None
        chip_shown = False
        if countdown:
            label = f"Next · {countdown}"
            chip_w = m.small_fm.horizontalAdvance(label) + 16
            chip = QRect(right - chip_w + 1, line1.top() + (line1.height() - m.small_fm.height()
                                                           - 4) // 2,
                         chip_w, m.small_fm.height() + 4)
            if chip.left() > main_left + 60:
                chip_fill = (palette.color(QPalette.ColorRole.HighlightedText) if selected
                             else highlight)
                chip_text = (highlight if selected
                             else palette.color(QPalette.ColorRole.HighlightedText))
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(chip_fill)
                painter.drawRoundedRect(chip, chip.height() / 2, chip.height() / 2)
                painter.setFont(m.small)
                painter.setPen(chip_text)
                painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)
                title_right = chip.left() - 10
                chip_shown = True
        under_time = format_duration(meeting.start, meeting.end)
        painter.setFont(m.small)
        painter.setPen(secondary)
        if countdown and not chip_shown:
            under_time = str(countdown)
            bold = QFont(m.small)
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(text if selected else mix(highlight, text, 0.25))
        if under_time:
            painter.drawText(QRect(left, line2.top(), m.time_width, line2.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             m.small_fm.elidedText(under_time, Qt.TextElideMode.ElideRight,
                                                   m.time_width))

        # Title.
        painter.setFont(m.title)
        painter.setPen(text)
        title_rect = QRect(main_left, line1.top(), max(0, title_right - main_left),
                           line1.height())
        painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         m.title_fm.elidedText(meeting.title or "(untitled)",
                                               Qt.TextElideMode.ElideRight, title_rect.width()))

        # Right side of line 2: the role badge.
        info_right = right
        if meeting.role is not None:
            label = "presenter" if meeting.role == Role.PRESENTER else "viewer"
            badge_w = m.small_fm.horizontalAdvance(label) + 14
            badge = QRect(right - badge_w + 1, line2.top() + (line2.height() - m.small_fm.height()
                                                              - 2) // 2,
                          badge_w, m.small_fm.height() + 2)
            if badge.left() > main_left + 60:
                if meeting.role == Role.PRESENTER:
                    border = mix(highlight, text, 0.2) if not selected else text
                else:
                    border = secondary
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(border)
                painter.drawRoundedRect(QRect(badge).adjusted(0, 0, -1, -1),
                                        badge.height() / 2, badge.height() / 2)
                painter.setFont(m.small)
                painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
                info_right = badge.left() - 10

        # Provider icon, provider name and account.
        icon_rect = QRect(main_left, line2.top() + (line2.height() - _ICON) // 2, _ICON, _ICON)
        provider_icon(meeting.provider).paint(painter, icon_rect)
        label = f"{_provider_label(meeting.provider)}  ·  {meeting.account}"
        info = QRect(icon_rect.right() + 7, line2.top(), max(0, info_right - icon_rect.right() - 7),
                     line2.height())
        painter.setFont(m.small)
        painter.setPen(secondary)
        painter.drawText(info, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         m.small_fm.elidedText(label, Qt.TextElideMode.ElideRight, info.width()))

    def _paint_now_marker(self, painter: QPainter, rect: QRect) -> None:
        y = rect.top() + 1
        pen = painter.pen()
        pen.setColor(NOW_COLOUR)
        pen.setWidthF(2.0)
        painter.setPen(pen)
        painter.drawLine(rect.left() + _CARD_MARGIN_X + 6, y, rect.right() - _CARD_MARGIN_X, y)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(NOW_COLOUR)
        painter.drawEllipse(QPointF(rect.left() + _CARD_MARGIN_X + 4.5, y + 0.5), 4.5, 4.5)


def _provider_label(provider: Provider | str) -> str:
    if isinstance(provider, Provider):
        return provider.label
    try:
        return Provider(provider).label
    except ValueError:
        return str(provider)
