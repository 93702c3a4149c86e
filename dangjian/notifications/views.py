"""The signed-in user's inbox: unread first, open one (marks it read), mark one or all read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.views import get_for_user

from . import services
from .models import Notification

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
