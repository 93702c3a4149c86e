"""The user's calendar-link page and the public feed it points at."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from . import calendar


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """Create (or replace) and revoke the secret link. The link is shown once, in the response to
    the POST that created it: only its hash is kept."""
    user = request.user
    feed_url = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = calendar.create_feed(user, acting_user=user)  # type: ignore[arg-type]
            feed_url = request.build_absolute_uri(reverse("calendar_feed", args=[token]))
        elif action == "revoke":
            calendar.revoke_feed(user, acting_user=user)  # type: ignore[arg-type]
            messages.success(request, _("The calendar link was revoked; it no longer works."))
            return redirect("calendar_settings")
        else:
            return HttpResponse(status=400)
    feed = calendar.active_feed(user)  # type: ignore[arg-type]
    context = {
        "feed": feed,
        "expires_at": calendar.feed_expires_at(feed) if feed else None,
        "feed_url": feed_url,
        "has_member": getattr(user, "member_id", None) is not None,
    }
    return render(request, "orglife/calendar.html", context)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No login: the secret URL is the credential. Unknown or revoked links are 404."""
    user = calendar.user_for_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(calendar.feed_ics(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Disposition"] = 'inline; filename="meetings.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response
