"""Meeting pages: an organization's meetings, scheduling, and the record of one meeting
(attendance, guests, closing). Writes go only through `services`."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.organizations.models import Organization

from . import services
from .forms import GuestForm, MeetingForm
from .models import AttendanceStatus, Meeting, MeetingStatus

LIST_LIMIT = 200
CHOICES = [(s.value, s.label) for s in services.RECORDED]


@login_required
def org_meetings(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    # Narrow first, restrict last (see ScopedQuerySet.restrict).
    meetings = list(
        Meeting.objects.filter(organization=org)
        .restrict(request.user, "view")
        .order_by("-starts_at", "-id")[: LIST_LIMIT + 1]
    )
    return render(
        request,
        "orglife/list.html",
        {
            "org": org,
            "meetings": meetings[:LIST_LIMIT],
            "more": len(meetings) > LIST_LIMIT,
            "can_change": in_scope(request.user, org, "change"),
        },
    )


@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "change")
    form = MeetingForm(request.POST or None, organization=org)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        repeat = data.pop("repeat_months") or 1
        try:
            meeting = services.schedule_series(org, data, months=repeat, acting_user=request.user)[0]
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Meeting scheduled."))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "orglife/form.html", {"form": form, "org": org})


def _detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    guest_form: GuestForm | None = None,
    errors: list[str] | None = None,
    posted: Any = None,
    status: int = 200,
) -> HttpResponse:
    rows = []
    for row in meeting.attendances.select_related("member").order_by("id"):
        chosen = row.status if row.status != AttendanceStatus.EXPECTED else ""
        reason = row.reason
        if posted is not None:
            chosen = posted.get(f"status_{row.pk}", chosen)
            reason = posted.get(f"reason_{row.pk}", reason)
        rows.append({"row": row, "chosen": chosen, "reason": reason})
    can_change = meeting.status == MeetingStatus.PLANNED and in_scope(request.user, meeting, "change")
    return render(
        request,
        "orglife/detail.html",
        {
            "meeting": meeting,
            "org": meeting.organization,
            "rows": rows,
            "choices": CHOICES,
            "can_change": can_change,
            "started": meeting.starts_at <= timezone.now(),
            "guest_form": guest_form or GuestForm(),
            "attendance_errors": errors or [],
        },
        status=status,
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, select_related=["organization", "party_group"])
    return _detail(request, meeting)


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization", "party_group"])
    entries = []
    for row in meeting.attendances.only("id"):
        status = request.POST.get(f"status_{row.pk}", "")
        if status:
            entries.append(
                {"attendance": row.pk, "status": status, "reason": request.POST.get(f"reason_{row.pk}", "")}
            )
    version = request.POST.get("version", "")
    try:
        if not entries:
            raise ValidationError(_("Choose present, on leave or absent for at least one person."))
        services.record_attendance(
            meeting,
            entries,
            acting_user=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationError as exc:
        meeting.refresh_from_db()
        return _detail(request, meeting, errors=exc.messages, posted=request.POST, status=400)
    messages.success(request, _("Attendance saved."))
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_guest(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization", "party_group"])
    form = GuestForm(request.POST)
    if form.is_valid():
        try:
            services.add_guest(meeting, form.cleaned_data["guest_name"], acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Guest added."))
            return redirect("meeting_detail", pk=meeting.pk)
    return _detail(request, meeting, guest_form=form, status=400)


@login_required
@require_POST
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the minutes (plain text, shown escaped) while the record is open."""
    meeting = get_for_user(request, Meeting, pk, "change")
    version = request.POST.get("version", "")
    minutes = request.POST.get("minutes", "")[:20000]
    try:
        services.update_meeting(
            meeting,
            {"minutes": minutes},
            acting_user=request.user,
            expected_version=int(version) if version.isdigit() else None,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Minutes saved."))
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, "change")
    version = request.POST.get("version", "")
    try:
        services.close_meeting(
            meeting, acting_user=request.user, expected_version=int(version) if version.isdigit() else None
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Meeting closed; its record is locked."))
    return redirect("meeting_detail", pk=meeting.pk)
