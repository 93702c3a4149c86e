"""Icons: an SVG sprite of the Bootstrap icons the pages use, not the whole 134 KB icon font.

Templates write ``{% icon "bell" %}`` (``dj`` tag library). Python and JavaScript that choose an
icon name at run time declare it with ``icon(...)`` so ``scripts/build_icons.py`` finds it and
puts it in the sprite; a test fails if a page names an icon the sprite lacks.
"""

ICON_SPRITE = "icons.svg"


def icon(name: str) -> str:
    """Declare an icon name used outside templates (returns it unchanged)."""
    return name
