"""Desktop entry install: files, Exec quoting, desktop file and metainfo structure."""

from __future__ import annotations

import configparser
import shutil
import stat
import subprocess
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest

from launcher import APP_ID
from launcher.core.errors import ConfigError, InvalidInput
from launcher.services.desktop import (
    default_data_home,
    exec_quote,
    find_executable,
    install_desktop_entry,
    render_desktop_file,
    uninstall_desktop_entry,
)

REPO = Path(__file__).resolve().parents[3]
PACKAGING = REPO / "packaging"
EXE = "/opt/meeting launcher/bin/meeting-launcher"


def parse_desktop(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read_string(text)
    return parser


def package_bytes(*parts: str) -> bytes:
    return resources.files("launcher").joinpath("assets", *parts).read_bytes()


@pytest.fixture
def installed(tmp_path: Path) -> tuple[Path, list[Path]]:
    data_home = tmp_path / "share"
    return data_home, install_desktop_entry(executable=EXE, data_home=data_home)


def test_install_writes_the_three_files(installed: tuple[Path, list[Path]]) -> None:
    data_home, paths = installed
    assert paths == [
        data_home / "applications" / f"{APP_ID}.desktop",
        data_home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
        data_home / "metainfo" / f"{APP_ID}.metainfo.xml",
    ]
    for path in paths:
        assert path.is_file()
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert not [p for p in data_home.rglob("*.tmp")]


def test_icon_is_the_packaged_app_icon(installed: tuple[Path, list[Path]]) -> None:
    _, paths = installed
    icon = paths[1].read_bytes()
    assert icon == package_bytes("icons", "app.svg")
    assert ET.fromstring(icon).tag.endswith("svg")


def test_desktop_file_has_the_required_keys(installed: tuple[Path, list[Path]]) -> None:
    _, paths = installed
    entry = parse_desktop(paths[0].read_text("utf-8"))
    main = entry["Desktop Entry"]
    assert main["Type"] == "Application"
    assert main["Name"] == "Meeting Launcher"
    assert main["GenericName"]
    assert main["Comment"]
    assert main["Icon"] == APP_ID
    assert main["Terminal"] == "false"
    assert main["Exec"] == '"/opt/meeting launcher/bin/meeting-launcher" %u'
    categories = main["Categories"].split(";")
    assert categories[-1] == ""  # lists end with ";"
    assert {"Office", "Network"} & set(categories)  # a main category
    assert {"Calendar", "VideoConference"} <= set(categories)
    assert main["Keywords"].endswith(";")
    assert main["StartupWMClass"] == "meeting-launcher"
    assert main["Actions"] == "join-link;"
    action = entry["Desktop Action join-link"]
    assert action["Name"] == "Join link from clipboard"
    assert action["Exec"] == '"/opt/meeting launcher/bin/meeting-launcher" --join-clipboard'


def test_metainfo_is_well_formed_with_the_app_id(installed: tuple[Path, list[Path]]) -> None:
    _, paths = installed
    root = ET.parse(paths[2]).getroot()
    assert root.tag == "component"
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("metadata_license") == "CC0-1.0"
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("name") == "Meeting Launcher"
    summary = root.findtext("summary") or ""
    assert summary and not summary.endswith(".")
    assert root.find("description/p") is not None
    launchable = root.find("launchable")
    assert launchable is not None and launchable.get("type") == "desktop-id"
    assert launchable.text == f"{APP_ID}.desktop"
    assert root.findtext("provides/binary") == "meeting-launcher"
    assert [c.text for c in root.iterfind("categories/category")]
    rating = root.find("content_rating")
    assert rating is not None and rating.get("type") == "oars-1.1"
    release = root.find("releases/release")
    assert release is not None
    assert (release.get("version"), release.get("date")) == ("0.1.0", "2026-11-21")


def test_reinstall_overwrites_and_uninstall_removes(tmp_path: Path) -> None:
    data_home = tmp_path / "share"
    install_desktop_entry(executable="/old/meeting-launcher", data_home=data_home)
    paths = install_desktop_entry(executable="/new/meeting-launcher", data_home=data_home)
    text = paths[0].read_text("utf-8")
    assert "/new/meeting-launcher %u" in text
    assert "/old/" not in text
    assert uninstall_desktop_entry(data_home=data_home) == paths
    assert not any(p.exists() for p in paths)
    assert uninstall_desktop_entry(data_home=data_home) == []


def test_relative_executable_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as err:
        install_desktop_entry(executable="meeting-launcher", data_home=tmp_path)
    assert err.value.field == "executable"
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("arg", "quoted"),
    [
        ("/usr/bin/meeting-launcher", "/usr/bin/meeting-launcher"),
        ("/opt/my apps/ml", '"/opt/my apps/ml"'),
        ("/opt/50%/ml", "/opt/50%%/ml"),
        ("/opt/$HOME/ml", '"/opt/\\\\$HOME/ml"'),
        ('/opt/a"b/ml', '"/opt/a\\\\"b/ml"'),
        ("/opt/a\\b/ml", '"/opt/a\\\\\\\\b/ml"'),
        ("/opt/it's/ml", '"/opt/it\'s/ml"'),
    ],
)
def test_exec_quoting(arg: str, quoted: str) -> None:
    assert exec_quote(arg) == quoted


@pytest.mark.parametrize("arg", ["", "/opt/a\nb", "/opt/a\tb"])
def test_exec_quoting_refuses_control_characters(arg: str) -> None:
    with pytest.raises(InvalidInput):
        exec_quote(arg)


def test_default_data_home() -> None:
    assert default_data_home({"XDG_DATA_HOME": "/x/data", "HOME": "/h"}) == Path("/x/data")
    assert default_data_home({"HOME": "/h"}) == Path("/h/.local/share")
    # A relative XDG_DATA_HOME is invalid by the spec and ignored.
    assert default_data_home({"XDG_DATA_HOME": "rel", "HOME": "/h"}) == Path("/h/.local/share")
    assert default_data_home({"XDG_DATA_HOME": "  ", "HOME": "/h"}) == Path("/h/.local/share")


def test_find_executable(tmp_path: Path) -> None:
    bindir = tmp_path / "venv" / "bin"
    bindir.mkdir(parents=True)
    script = bindir / "meeting-launcher"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    python = str(bindir / "python")

    def nowhere(_name: str) -> str | None:
        return None

    assert find_executable(str(script), python="/usr/bin/python3", which=nowhere) == str(script)
    assert find_executable("/x/launcher/__main__.py", python=python, which=nowhere) == str(script)
    assert (
        find_executable(None, python="/usr/bin/python3", which=lambda _n: "/usr/bin/ml-x")
        == "/usr/bin/ml-x"
    )
    with pytest.raises(ConfigError):
        find_executable(None, python="/usr/bin/python3", which=nowhere)


# ---------------------------------------------------------------- the distributor copies


def test_packaging_desktop_file_matches_the_template_except_exec() -> None:
    packaged = (PACKAGING / f"{APP_ID}.desktop").read_text("utf-8")
    assert render_desktop_file("meeting-launcher") == packaged
    main = parse_desktop(packaged)["Desktop Entry"]
    assert main["Exec"] == "meeting-launcher %u"


def test_packaging_metainfo_matches_the_package_copy() -> None:
    packaged = (PACKAGING / f"{APP_ID}.metainfo.xml").read_bytes()
    assert packaged == package_bytes("desktop", f"{APP_ID}.metainfo.xml")


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="not installed")
def test_desktop_file_validate(installed: tuple[Path, list[Path]]) -> None:
    _, paths = installed
    for path in (paths[0], PACKAGING / f"{APP_ID}.desktop"):
        result = subprocess.run(
            ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "error" not in result.stdout.lower()


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="not installed")
def test_appstreamcli_validate(installed: tuple[Path, list[Path]]) -> None:
    _, paths = installed
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(paths[2])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
