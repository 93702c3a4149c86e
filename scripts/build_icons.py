"""Write dangjian/static/icons.svg: one <symbol> per Bootstrap icon the pages use.

Scans templates for {% icon "name" ... %} and Python / JavaScript for icon("name"), then copies
each icon's paths from node_modules/bootstrap-icons/icons/<name>.svg. Run after adding an icon:

    .venv/bin/python scripts/build_icons.py          # rewrites the sprite
    .venv/bin/python scripts/build_icons.py --check  # exit 1 if the sprite is out of date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "node_modules" / "bootstrap-icons" / "icons"
SPRITE = ROOT / "dangjian" / "static" / "icons.svg"
TEMPLATE_USE = re.compile(r"""{%\s*icon\s+["']([a-z0-9-]+)["']""")
CODE_USE = re.compile(r"""\bicon\(\s*["']([a-z0-9-]+)["']""")
SVG = re.compile(r"<svg[^>]*viewBox=\"([^\"]+)\"[^>]*>(.*)</svg>", re.S)


def used_icons() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "templates").rglob("*.html"):
        names.update(TEMPLATE_USE.findall(path.read_text(encoding="utf-8")))
    for path in (ROOT / "dangjian").rglob("*.html"):
        names.update(TEMPLATE_USE.findall(path.read_text(encoding="utf-8")))
    for pattern in ("*.py", "*.js"):
        for path in (ROOT / "dangjian").rglob(pattern):
            if "vendor" in path.parts or "tests" in path.parts:
                continue
            names.update(CODE_USE.findall(path.read_text(encoding="utf-8")))
    return names


def build(names: set[str]) -> str:
    symbols = []
    for name in sorted(names):
        source = SOURCE / f"{name}.svg"
        if not source.exists():
            raise SystemExit(f"no such Bootstrap icon: {name}")
        match = SVG.search(source.read_text(encoding="utf-8"))
        if not match:
            raise SystemExit(f"cannot read {source}")
        body = " ".join(match.group(2).split())
        symbols.append(f'<symbol id="{name}" viewBox="{match.group(1)}">{body}</symbol>')
    header = "<!-- Built by scripts/build_icons.py from bootstrap-icons (MIT); do not edit. -->"
    return '<svg xmlns="http://www.w3.org/2000/svg">' + header + "\n" + "\n".join(symbols) + "\n</svg>\n"


def main() -> int:
    text = build(used_icons())
    if "--check" in sys.argv:
        current = SPRITE.read_text(encoding="utf-8") if SPRITE.exists() else ""
        if current != text:
            print("dangjian/static/icons.svg is out of date: run scripts/build_icons.py")
            return 1
        return 0
    SPRITE.write_text(text, encoding="utf-8")
    print(f"{SPRITE.relative_to(ROOT)}: {len(text)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
