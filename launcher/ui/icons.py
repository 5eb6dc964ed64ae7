"""The app's SVG icons, loaded from package data and cached."""

from __future__ import annotations

import atexit
import contextlib
import zlib
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from launcher.core.models import Provider

#: Icon file of each provider; anything else (a plain meeting link) gets ``link.svg``.
_PROVIDER_FILES: dict[str, str] = {
    Provider.BLUEJEANS.value: "bluejeans.svg",
    Provider.JOINME.value: "joinme.svg",
    Provider.WHEREBY.value: "whereby.svg",
    Provider.SKYPE.value: "skype.svg",
}
_LINK_FILE = "link.svg"

#: The colour each provider's icon is drawn in, for blocks and markers painted in views.
_PROVIDER_COLOURS: dict[str, str] = {
    Provider.BLUEJEANS.value: "#1f6ff2",
    Provider.JOINME.value: "#f7901e",
    Provider.WHEREBY.value: "#6b45e6",
    Provider.SKYPE.value: "#1aa3e8",
}
_LINK_COLOUR = "#5f6b7a"

_icons: dict[str, QIcon] = {}
# Only used when the package is imported from an archive: keeps extracted files alive.
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


#: The assets folder when the package is installed as files (it always is, but for zips).
_ASSETS = Path(__file__).resolve().parent.parent / "assets"


def asset_path(*parts: str) -> Path:
    """Return a real filesystem path of a file under ``launcher/assets/``."""
    path = _ASSETS.joinpath(*parts)
    if path.is_file():
        return path
    # Imported from an archive: importlib.resources extracts the file (imported here,
    # not at start-up, where it would cost a few milliseconds before the first paint).
    from importlib import resources

    resource = resources.files("launcher").joinpath("assets", *parts)
    if isinstance(resource, Path):
        return resource
    return _extracted.enter_context(resources.as_file(resource))


def _provider_name(provider: Provider | str | None) -> str:
    if provider is None:
        return ""
    return str(provider.value if isinstance(provider, Provider) else provider).casefold()


def _icon(filename: str) -> QIcon:
    icon = _icons.get(filename)
    if icon is None:
        icon = QIcon(str(asset_path("icons", filename)))
        _icons[filename] = icon
    return icon


def app_icon() -> QIcon:
    """Return the Meeting Launcher application icon."""
    return _icon("app.svg")


def provider_icon(provider: Provider | str | None) -> QIcon:
    """Return the icon of *provider* (a Provider or its value); a link icon otherwise."""
    return _icon(_PROVIDER_FILES.get(_provider_name(provider), _LINK_FILE))


def provider_colour(provider: Provider | str | None) -> QColor:
    """Return the colour of *provider*'s icon, to paint meeting blocks and markers."""
    return QColor(_PROVIDER_COLOURS.get(_provider_name(provider), _LINK_COLOUR))


#: Colours letter badges of catalogue services are drawn in (picked by the service key).
_BADGE_COLOURS = ("#2d8cff", "#5b5fc7", "#00897b", "#e8710a", "#c2185b", "#6d4c41",
                  "#3949ab", "#43a047")


def service_icon(key: str | None, name: str) -> QIcon:
    """Return the icon of a catalogue service: its SVG when shipped, else a letter badge."""
    if key:
        file = _PROVIDER_FILES.get(key.casefold()) or f"{key.casefold()}.svg"
        if asset_path("icons").joinpath(file).is_file():
            return _icon(file)
    cache_key = f"badge:{key}:{name}"
    icon = _icons.get(cache_key)
    if icon is None:
        icon = _badge(name[:1].upper() or "?",
                      _BADGE_COLOURS[zlib.crc32((key or name).encode()) % len(_BADGE_COLOURS)])
        _icons[cache_key] = icon
    return icon


def _badge(letter: str, colour: str) -> QIcon:
    icon = QIcon()
    for size in (16, 32, 64):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colour))
        painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(size * 0.6))
        painter.setFont(font)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, letter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
