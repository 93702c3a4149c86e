"""Meeting pages: an organization's meetings, scheduling, and the record of one meeting
(attendance, guests, minutes and resolutions, attachments, closing, revisions). Writes go only
through `services` and `records`."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.uploads import download_response
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.organizations.models import Organization

from . import records, richtext, services
from .forms import ATTACHMENT_ACCEPT, GuestForm, MeetingForm
from .models import AttendanceStatus, Meeting, MeetingAttachment, MeetingStatus
from .queries import clash_label, clashes

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
            _warn_clashes(request, meeting)
            return redirect("meeting_detail", pk=meeting.pk)
    return render(request, "orglife/form.html", {"form": form, "org": org})


def _warn_clashes(request: HttpRequest, meeting: Meeting) -> None:
    """Saved, but say so when it overlaps another meeting of the branch or of its members (the
    user may have meant it, e.g. a committee meeting right before the assembly)."""
    others = clashes(meeting, request.user)
    if others:
        names = "、".join(clash_label(m) for m in others)
        messages.warning(
            request,
            _("This meeting overlaps with %(meetings)s. Check that the time is right.") % {"meetings": names},
        )


def _edit_initial(meeting: Meeting) -> dict[str, Any]:
    initial = {f: getattr(meeting, f) for f in services.MEETING_FIELDS}
    initial["starts_at"] = timezone.localtime(meeting.starts_at)
    initial["ends_at"] = timezone.localtime(meeting.ends_at)
    return initial


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct or reschedule a planned meeting. A stale form (someone saved meanwhile) is
    refused with 409, a held or past-dated move with 400; nothing is changed either way."""
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization", "party_group"])
    if meeting.status != MeetingStatus.PLANNED:
        messages.error(request, _("Only a planned meeting can be edited."))
        return redirect("meeting_detail", pk=meeting.pk)
    form = MeetingForm(
        request.POST or None, organization=meeting.organization, editing=True, initial=_edit_initial(meeting)
    )
    status = 200
    version = meeting.version
    if request.method == "POST":
        version = _version(request) or meeting.version
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k in services.MEETING_FIELDS}
            try:
                meeting = services.update_meeting(
                    meeting, data, acting_user=request.user, expected_version=_version(request)
                )
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 409 if getattr(exc, "code", None) == "stale" else 400
            else:
                messages.success(
                    request, _("Meeting saved; the expected members are told of any change of time or place.")
                )
                _warn_clashes(request, meeting)
                return redirect("meeting_detail", pk=meeting.pk)
        else:
            status = 400
    context = {"form": form, "org": meeting.organization, "meeting": meeting, "version": version}
    return render(request, "orglife/form.html", context, status=status)


@login_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Call off a planned meeting that was not held, with the reason the members are given."""
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization", "party_group"])
    reason = request.POST.get("reason", "")
    try:
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for cancelling; the members are told it.")})
        services.cancel_meeting(
            meeting, reason=reason, acting_user=request.user, expected_version=_version(request)
        )
    except ValidationError as exc:
        return _refused(request, meeting, "cancel", exc, draft={"cancel_reason": reason})
    messages.success(request, _("Meeting cancelled; the expected members are told."))
    return redirect("meeting_detail", pk=meeting.pk)


def _detail(
    request: HttpRequest,
    meeting: Meeting,
    *,
    guest_form: GuestForm | None = None,
    errors: list[str] | None = None,
    posted: Any = None,
    form_errors: dict[str, list[str]] | None = None,
    draft: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The meeting page. `form_errors` are shown by the form they belong to ("record",
    "attachment", "revision"); `draft` keeps what a refused minutes or revision form held, so
    nothing typed is lost (sanitized here like stored minutes: it goes into the editor)."""
    rows = []
    for row in meeting.attendances.select_related("member").order_by("id"):
        chosen = row.status if row.status != AttendanceStatus.EXPECTED else ""
        reason = row.reason
        if posted is not None:
            chosen = posted.get(f"status_{row.pk}", chosen)
            reason = posted.get(f"reason_{row.pk}", reason)
        rows.append({"row": row, "chosen": chosen, "reason": reason})
    may_change = in_scope(request.user, meeting, "change")
    held = any(
        getattr(r["row"], "status", "") in (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT) for r in rows
    )
    draft = draft or {}
    minutes = draft.get("minutes", meeting.minutes)
    attachments = list(meeting.attachments.all())
    attach_steps([meeting])  # closed or cancelled: by whom and when (one query)
    return render(
        request,
        "orglife/detail.html",
        {
            "meeting": meeting,
            "org": meeting.organization,
            "rows": rows,
            "choices": CHOICES,
            "can_change": may_change and meeting.status == MeetingStatus.PLANNED,
            "can_cancel": may_change and meeting.status == MeetingStatus.PLANNED and not held,
            "cancel_reason_draft": draft.get("cancel_reason", ""),
            "can_revise": may_change and meeting.status == MeetingStatus.CLOSED,
            "started": meeting.starts_at <= timezone.now(),
            "guest_form": guest_form or GuestForm(),
            "attendance_errors": errors or [],
            "form_errors": form_errors or {},
            "minutes_html": richtext.render(meeting.minutes),
            # A plain str, so the template escapes it into the textarea: the editor takes the
            # textarea's value as HTML, which must be exactly the sanitized HTML.
            "minutes_draft": richtext.to_html(minutes),
            "resolutions_draft": draft.get("resolutions", meeting.resolutions),
            "reason_draft": draft.get("reason", ""),
            "photos": [a for a in attachments if a.is_image],
            "documents": [a for a in attachments if not a.is_image],
            "attachments": attachments,
            "attachment_accept": ATTACHMENT_ACCEPT,
            "revisions": list(meeting.revisions.select_related("created_by").order_by("-number")),
        },
        status=status,
    )


def _version(request: HttpRequest) -> int | None:
    version = request.POST.get("version", "")
    return int(version) if is_int(version) else None


def _refused(
    request: HttpRequest,
    meeting: Meeting,
    form: str,
    exc: ValidationError,
    draft: dict[str, str] | None = None,
) -> HttpResponse:
    """The page again with the refusal by its form and nothing changed; 409 for a stale version
    (someone else saved first), 400 for bad input."""
    meeting.refresh_from_db()
    status = 409 if getattr(exc, "code", None) == "stale" else 400
    return _detail(request, meeting, form_errors={form: exc.messages}, draft=draft, status=status)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, select_related=["organization", "party_group"])
    return _detail(request, meeting)


@login_required
@require_POST
def meeting_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization", "party_group"])
    entries = []
    for row_id in meeting.attendances.values_list("id", flat=True):
        status = request.POST.get(f"status_{row_id}", "")
        if status:
            entries.append(
                {"attendance": row_id, "status": status, "reason": request.POST.get(f"reason_{row_id}", "")}
            )
    version = request.POST.get("version", "")
    try:
        if not entries:
            raise ValidationError(_("Choose present, on leave or absent for at least one person."))
        services.record_attendance(
            meeting,
            entries,
            acting_user=request.user,
            expected_version=int(version) if is_int(version) else None,
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
    """Save the minutes (rich text, sanitized by the service) and resolutions while the record is
    open. A field left out of the form is left as it is."""
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization", "party_group"])
    data = {k: request.POST[k] for k in ("minutes", "resolutions") if k in request.POST}
    try:
        services.update_meeting(meeting, data, acting_user=request.user, expected_version=_version(request))
    except ValidationError as exc:
        return _refused(request, meeting, "record", exc, draft=data)
    messages.success(request, _("Minutes saved."))
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization", "party_group"])
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError(_("Choose a file to upload."), code="missing")
        records.add_attachment(
            meeting,
            upload,
            acting_user=request.user,
            expected_version=_version(request),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        return _refused(request, meeting, "attachment", exc)
    messages.success(request, _("File attached."))
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
def attachment_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An attachment, to whoever may view its meeting. Images and PDFs open in the browser
    (`?download=1` saves them instead); anything else is always downloaded."""
    row = get_for_user(request, MeetingAttachment, pk)
    stored = records.open_attachment(row)
    if stored is None:
        raise Http404
    inline = row.shown_inline and "download" not in request.GET
    return download_response(stored, row.original_name, row.content_type, inline=inline)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_user(request, MeetingAttachment, pk, "change", select_related=["meeting"])
    meeting = row.meeting
    try:
        records.remove_attachment(
            row,
            acting_user=request.user,
            expected_version=_version(request),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        return _refused(request, meeting, "attachment", exc)
    messages.success(request, _("Attachment removed."))
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_revise(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a closed record: minutes, resolutions, files to add and attachments to remove, as
    one revision with its reason."""
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization", "party_group"])
    data = {k: request.POST[k] for k in ("minutes", "resolutions") if k in request.POST}
    reason = request.POST.get("reason", "")
    remove = [int(v) for v in request.POST.getlist("remove") if is_int(v)]
    try:
        records.revise_record(
            meeting,
            data,
            reason=reason,
            acting_user=request.user,
            expected_version=_version(request),
            add=request.FILES.getlist("files"),
            remove=remove,
        )
    except ValidationError as exc:
        return _refused(request, meeting, "revision", exc, draft=data | {"reason": reason})
    messages.success(request, _("The record was corrected; the revision is kept in its history."))
    return redirect("meeting_detail", pk=meeting.pk)


@login_required
@require_POST
def meeting_close(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, "change")
    version = request.POST.get("version", "")
    try:
        services.close_meeting(
            meeting, acting_user=request.user, expected_version=int(version) if is_int(version) else None
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Meeting closed; its record is locked."))
    return redirect("meeting_detail", pk=meeting.pk)
