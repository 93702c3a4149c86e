"""The signed-in user's inbox: unread first, open one (marks it read), mark one or all read; and
their notification settings (channels per kind, quiet hours) with the last deliveries."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.views import get_for_user

from . import delivery, services
from .models import Category, Channel, Delivery, Notification

UNREAD_LIMIT = 100
READ_LIMIT = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.restrict(request.user)
    # Two bounded reads on the (user, read_at, created_at) index rather than one sorted scan of
    # a long history.
    unread = list(mine.unread().order_by("-created_at", "-id")[: UNREAD_LIMIT + 1])
    read = list(mine.filter(read_at__isnull=False).order_by("-created_at", "-id")[:READ_LIMIT])
    return render(
        request,
        "notifications/inbox.html",
        {"unread": unread[:UNREAD_LIMIT], "more_unread": len(unread) > UNREAD_LIMIT, "read": read},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read; with `open`, go on to what it is about."""
    notification = get_for_user(request, Notification, pk)
    services.mark_read(notification, acting_user=request.user)
    target = notification.url
    if request.POST.get("open") and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect(target)
    return redirect("notification_inbox")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect("notification_inbox")


LOG_LIMIT = 20


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """The user's channels per kind of notification, quiet hours, and the last deliveries."""
    user = request.user
    channels = delivery.enabled_channels()
    errors: dict[str, Any] = {}
    if request.method == "POST":
        choices = {
            category: {ch: request.POST.get(f"pref-{category}-{ch}") == "on" for ch in channels}
            for category in Category.values
        }
        try:
            services.set_preferences(
                user,
                choices=choices,
                quiet_start=_hour(request.POST.get("quiet_start")),
                quiet_end=_hour(request.POST.get("quiet_end")),
                acting_user=user,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification_preferences")
    current = delivery.matrix(user)
    start, end = delivery.quiet_hours(user)
    rows = [
        {
            "category": category,
            "label": label,
            "channels": [
                {
                    "channel": ch,
                    "label": Channel(ch).label,
                    "on": current[category][ch],
                    "name": f"pref-{category}-{ch}",
                }
                for ch in channels
            ],
        }
        for category, label in Category.choices
    ]
    log = list(Delivery.objects.restrict(user).select_related("notification").order_by("-id")[:LOG_LIMIT])
    return render(
        request,
        "notifications/preferences.html",
        {
            "rows": rows,
            "channels": channels,
            "quiet_start": start,
            "quiet_end": end,
            "start_choices": delivery.QUIET_START_CHOICES,
            "end_choices": delivery.QUIET_END_CHOICES,
            "errors": errors,
            "log": log,
        },
        status=400 if errors else 200,
    )


def _hour(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return -1  # refused by the service with its message
