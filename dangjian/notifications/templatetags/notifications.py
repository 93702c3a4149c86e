"""The navbar bell: how many unread notifications the signed-in user has."""

from typing import Any

from django import template

from ..models import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """Unread notifications of `user`, at most UNREAD_CAP (shown as 99+); one query, none when
    the page (the home) has counted them already."""
    return unread_count(user)
