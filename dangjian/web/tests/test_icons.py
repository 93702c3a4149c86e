"""Icons come from the committed SVG sprite, never from the Bootstrap icon font."""

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from django.template import Context, Template

ROOT = Path(__file__).resolve().parents[3]
SPRITE = ROOT / "dangjian" / "static" / "icons.svg"
FONT_CLASS = re.compile(r"""class="[^"]*\bbi\b|\bbi-[a-z0-9]""")


def build_icons() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_icons", ROOT / "scripts" / "build_icons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sources() -> list[Path]:
    files = list((ROOT / "templates").rglob("*.html"))
    files += [p for p in (ROOT / "dangjian" / "static" / "dj").glob("*.js")]
    files += [p for p in (ROOT / "dangjian").rglob("*.py") if "tests" not in p.parts]
    return files


def test_no_page_uses_the_icon_font() -> None:
    offenders = [
        str(p.relative_to(ROOT)) for p in sources() if FONT_CLASS.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    assert "bootstrap-icons" not in (ROOT / "templates" / "base.html").read_text(encoding="utf-8")


def test_every_icon_used_is_in_the_sprite() -> None:
    used = build_icons().used_icons()
    in_sprite = set(re.findall(r'<symbol id="([a-z0-9-]+)"', SPRITE.read_text(encoding="utf-8")))
    assert {"bell", "calendar-check", "check-circle-fill"} <= used  # the scan finds templates and code
    assert sorted(used - in_sprite) == []
    assert sorted(in_sprite - used) == []  # nothing unused is shipped


def test_icon_tag_renders_a_hidden_svg_from_the_sprite() -> None:
    html = Template('{% load dj %}{% icon "bell" css="fs-5" %}|{% icon "check-lg" label="Active" %}').render(
        Context()
    )
    decorative, labelled = html.split("|")
    assert decorative.startswith('<svg class="icon fs-5" width="1em" height="1em" aria-hidden="true"')
    assert 'href="/static/icons.svg#bell"' in decorative
    assert 'role="img" aria-label="Active"' in labelled and "<title>Active</title>" in labelled


def test_every_template_that_uses_the_tag_loads_it() -> None:
    missing = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*.html")
        if "{% icon" in (text := p.read_text(encoding="utf-8"))
        and not re.search(r"{% load [^%]*\bdj\b", text)
    ]
    assert missing == []
