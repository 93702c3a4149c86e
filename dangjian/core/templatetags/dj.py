"""Small template helpers shared by every page."""

from typing import Any

from django import template
from django.http import QueryDict
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import get_language

from dangjian.core.icons import ICON_SPRITE

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for 'more' links and sorting)."""
    params: QueryDict = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()


@register.filter
def can(user: Any, action: str) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.can(action))


@register.simple_tag
def icon(name: str, css: str = "", label: str = "") -> str:
    """One icon from the sprite (static/icons.svg, built by scripts/build_icons.py).

    Decorative by default (hidden from screen readers: the text next to it says the same);
    with a label it is an image with that name, for an icon that stands alone. The size is also
    given in the markup: until the stylesheet has arrived (or if it fails to), an SVG without one
    is drawn 300 px wide and pushes a phone page sideways.
    """
    classes = f"icon {css}".strip()
    href = f"{static(ICON_SPRITE)}#{name}"
    if label:
        return format_html(
            '<svg class="{}" width="1em" height="1em" role="img" aria-label="{}">'
            '<title>{}</title><use href="{}"></use></svg>',
            classes,
            label,
            label,
            href,
        )
    return format_html(
        '<svg class="{}" width="1em" height="1em" aria-hidden="true" focusable="false">'
        '<use href="{}"></use></svg>',
        classes,
        href,
    )


@register.simple_tag
def gap() -> str:
    """The space between two translated sentences: one in English, none after a Chinese full stop
    (“暂无会议。点击…”, not “暂无会议。 点击…”)."""
    return "" if (get_language() or "").startswith("zh") else " "
