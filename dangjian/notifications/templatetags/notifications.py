"""The navbar bell: how many unread notifications the signed-in user has."""

from typing import Any

from django import template

from ..models import Notification

register = template.Library()

# Counting stops here (the bell shows "99+"): one short index range read on every page, however
# many reminders a user has left unread.
SHOWN_MAX = 99


@register.simple_tag
def unread_notifications(user: Any) -> int:
    """Unread notifications of `user`, at most SHOWN_MAX + 1; one query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.restrict(user).unread().values("id")[: SHOWN_MAX + 1].count()
