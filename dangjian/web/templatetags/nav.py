"""`{% nav_menu as nav %}`: the header's and the tab bar's items for the signed-in user."""

from typing import Any

from django import template

from dangjian.web.nav import section_of, tab_items, top_items

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_menu(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return {"tabs": [], "top": [], "current": ""}
    return {"tabs": tab_items(user), "top": top_items(user), "current": section_of(request.path)}
