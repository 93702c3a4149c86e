"""A member's own meetings (phone first): what is coming, asking for leave, and their record."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .checkin_views import window_open
from .models import Attendance, AttendanceStatus, MeetingStatus
from .queries import get_expected_meeting

HISTORY_LIMIT = 50
UPCOMING_LIMIT = 50


def _context(member_id: int | None) -> dict[str, Any]:
    """Everything the page shows, in a fixed number of queries whatever the number of meetings."""
    if member_id is None:
        return {"member_id": None}
    now = timezone.now()
    mine = Attendance.objects.filter(member_id=member_id).select_related("meeting", "meeting__organization")
    upcoming = list(
        mine.filter(meeting__status=MeetingStatus.PLANNED, meeting__ends_at__gt=now).order_by(
            "meeting__starts_at", "meeting__id"
        )[:UPCOMING_LIMIT]
    )
    for row in upcoming:
        # 签到 on the card while a scan would count (the member still scans the host's code).
        row.can_check_in = row.status != AttendanceStatus.PRESENT and window_open(row.meeting, now)  # type: ignore[attr-defined]
    history = list(
        mine.filter(meeting__status=MeetingStatus.CLOSED).order_by("-meeting__starts_at", "-meeting__id")[
            :HISTORY_LIMIT
        ]
    )
    year = timezone.localdate().year
    totals = Attendance.objects.filter(
        member_id=member_id, meeting__status=MeetingStatus.CLOSED, meeting__starts_at__year=year
    ).aggregate(
        present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)),
        recorded=Count("id", filter=Q(status__in=services.RECORDED)),
    )
    recorded, present = totals["recorded"], totals["present"]
    rate = round(100 * present / recorded) if recorded else None
    return {
        "member_id": member_id,
        "upcoming": upcoming,
        "history": history,
        "year": year,
        "present": present,
        "recorded": recorded,
        "rate": rate,
    }


@login_required
def my_meetings(request: HttpRequest) -> HttpResponse:
    member_id = getattr(request.user, "member_id", None)
    return render(request, "orglife/my_meetings.html", _context(member_id))


@login_required
@require_POST
def my_meeting_leave(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask for leave from a meeting the signed-in member is expected at; 404 for any other."""
    meeting = get_expected_meeting(request.user, pk)
    reason = str(request.POST.get("reason", ""))
    try:
        services.request_leave(meeting, reason, acting_user=request.user)
    except ValidationError as exc:
        context = _context(request.user.member_id) | {  # type: ignore[union-attr]
            "leave_meeting": meeting.pk,
            "leave_error": " ".join(exc.messages),
            "leave_reason": reason,
        }
        # Shown by the meeting's form when it is listed; above the lists otherwise (e.g. it ended).
        context["leave_error_inline"] = any(a.meeting_id == meeting.pk for a in context["upcoming"])
        return render(request, "orglife/my_meetings.html", context)
    messages.success(request, _("Your leave request for “%(topic)s” is recorded.") % {"topic": meeting.topic})
    return redirect("my_meetings")
