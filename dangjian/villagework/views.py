"""Pages of the village work: the county's overview of its poverty-alleviation villages (flag a
village there), a village's page (its flags and teams; the county assigns there), an assignment's
page (the work log from a phone, the quarterly assessments, the handover), and the county's
training sessions for village secretaries with their attendance."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import attachments
from dangjian.core.exceptions import OutOfScope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.organizations.models import COMMITTEE_KINDS, Organization
from dangjian.supervision.common import int_param

from . import queries, services
from .forms import AssessForm, AssignForm, AttendanceForm, FlagForm, HandOverForm, LogForm, TrainingForm
from .models import AssignmentState, Grade, LogPhoto, PovertyVillage, TrainingSession
from .quarters import last_ended
from .workflows import COUNTY


def _org(request: HttpRequest, pk: int) -> Organization:
    """An organization the user reads as an officer (a member's "view" grant gets 404)."""
    return get_for_user(request, Organization, pk, queries.READ)


def _write(
    request: HttpRequest, write: Callable[[], object], done: str, back: str, form: Any = None
) -> HttpResponse | None:
    """A write posted from a page: outside the user's reach 404; a refusal shown on the form (or
    as a message), nothing changed; else the success said and back to `back`."""
    try:
        write()
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        if form is not None:
            apply_errors(form, exc)
            return None
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect(back)


def _form_errors(request: HttpRequest, form: Any) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


def _village(request: HttpRequest, code: str) -> Organization | None:
    return Organization.objects.restrict(request.user, queries.READ).filter(code=code.strip()).first()


@login_required
def overview(request: HttpRequest, pk: int) -> HttpResponse:
    """The county's flagged villages, each with its first secretary, team and last assessment;
    the missing ones highlighted. The county flags a village here."""
    county = _org(request, pk)
    if county.kind not in COMMITTEE_KINDS:
        raise Http404
    acts = services.may_act_for_county(request.user, county)
    form = FlagForm(request.POST if request.method == "POST" and acts else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        village = _village(request, data["code"])
        if village is None:
            form.add_error("code", _("No organization with this code within your reach."))
        else:
            done = _write(
                request,
                lambda: services.flag_village(
                    county, village, data["start"], data["reason"], data["end"], acting_user=request.user
                ),
                _("The village is flagged."),
                request.path,
                form,
            )
            if done is not None:
                return done
    today = timezone.localdate()
    rows = list(queries.overview(request.user, county, today))
    labels = dict(Grade.choices)
    for row in rows:
        row.grade_label = labels.get(row.last_grade or "", "")  # type: ignore[attr-defined]
    year, quarter = last_ended(today)
    return render(
        request,
        "villagework/overview.html",
        {
            "county": county,
            "rows": rows,
            "missing": sum(1 for r in rows if getattr(r, "missing", False)),
            "acts": acts,
            "form": form,
            "due": f"{year}Q{quarter}",
        },
    )


@login_required
def village(request: HttpRequest, pk: int) -> HttpResponse:
    """A village: its poverty-alleviation periods and everyone sent to it; the county assigns."""
    org = _org(request, pk)
    today = timezone.localdate()
    flags = list(PovertyVillage.objects.filter(village=org).select_related("county"))
    current = next((f for f in flags if f.start <= today and (f.end is None or f.end >= today)), None)
    county = current.county if current else (flags[-1].county if flags else None)
    acts = county is not None and services.may_act_for_county(request.user, county)
    form = AssignForm(request.POST if request.method == "POST" and acts else None)
    if county is not None and form.is_bound and form.is_valid():
        done = _write(
            request,
            lambda: services.assign(county, org, form.cleaned_data, acting_user=request.user),
            _("The assignment is recorded."),
            request.path,
            form,
        )
        if done is not None:
            return done
    return render(
        request,
        "villagework/village.html",
        {
            "org": org,
            "flags": flags,
            "current": current,
            "county": county,
            "assignments": list(queries.village_assignments(request.user, org)),
            "acts": acts,
            "form": form,
        },
    )


def _assignment(request: HttpRequest, pk: int) -> Any:
    row = queries.get_assignment(request.user, pk)
    if row is None:
        raise Http404
    return row


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    attach_steps([assignment])
    today = timezone.localdate()
    county = COUNTY(request.user, assignment)
    year, quarter = last_ended(today)
    return render(
        request,
        "villagework/assignment.html",
        {
            "a": assignment,
            "logs": list(queries.logs_of(assignment)),
            "assessments": list(assignment.assessments.select_related("assessed_by")),
            "logs_here": services.may_log(request.user, assignment),
            "county": county,
            "active": assignment.state == AssignmentState.ACTIVE,
            "log_form": LogForm(initial={"on": today, "households": 0}),
            "assess_form": AssessForm(initial={"year": year, "quarter": quarter}),
            "hand_form": HandOverForm(initial={"end": today}),
        },
    )


@login_required
@require_POST
def assignment_log(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = LogForm(request.POST)
    back = f"/village-assignments/{assignment.pk}/"
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    photos = request.FILES.getlist("photos")
    done = _write(
        request,
        lambda: services.add_log(assignment, form.cleaned_data, photos, acting_user=request.user),
        _("Work log recorded."),
        back,
    )
    assert done is not None
    return done


@login_required
@require_POST
def assignment_assess(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = AssessForm(request.POST)
    back = f"/village-assignments/{assignment.pk}/"
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    data = form.cleaned_data
    done = _write(
        request,
        lambda: services.assess(
            assignment,
            data["year"],
            data["quarter"],
            data["grade"],
            data["comment"],
            acting_user=request.user,
        ),
        _("Assessment recorded."),
        back,
    )
    assert done is not None
    return done


@login_required
@require_POST
def assignment_hand_over(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment(request, pk)
    form = HandOverForm(request.POST)
    back = f"/village-assignments/{assignment.pk}/"
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    done = _write(
        request,
        lambda: services.hand_over(
            assignment,
            form.cleaned_data["end"],
            form.cleaned_data["note"],
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        _("Handed over."),
        back,
    )
    assert done is not None
    return done


@login_required
def photo_file(request: HttpRequest, pk: int, photo_pk: int) -> Any:
    assignment = _assignment(request, pk)
    return attachments.serve(LogPhoto.objects.filter(log__assignment=assignment, pk=photo_pk).first())


@login_required
def trainings(request: HttpRequest, pk: int) -> HttpResponse:
    county = _org(request, pk)
    if county.kind not in COMMITTEE_KINDS:
        raise Http404
    acts = services.may_act_for_county(request.user, county)
    form = TrainingForm(request.POST if request.method == "POST" and acts else None)
    if form.is_bound and form.is_valid():
        done = _write(
            request,
            lambda: services.create_training(county, form.cleaned_data, acting_user=request.user),
            _("Training session recorded."),
            request.path,
            form,
        )
        if done is not None:
            return done
    sessions = TrainingSession.objects.restrict(request.user, queries.READ).filter(county=county)
    return render(
        request,
        "villagework/trainings.html",
        {"county": county, "sessions": list(sessions), "acts": acts, "form": form},
    )


@login_required
def training_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_for_user(request, TrainingSession, pk, queries.READ, select_related=["county"])
    acts = services.may_act_for_county(request.user, session.county)
    form = AttendanceForm(request.POST if request.method == "POST" and acts else None)
    if form.is_bound and form.is_valid():
        village = _village(request, form.cleaned_data["code"])
        if village is None:
            form.add_error("code", _("No organization with this code within your reach."))
        else:
            done = _write(
                request,
                lambda: services.record_attendance(
                    session, village, form.cleaned_data["name"], acting_user=request.user
                ),
                _("Attendance recorded."),
                request.path,
                form,
            )
            if done is not None:
                return done
    return render(
        request,
        "villagework/training.html",
        {
            "session": session,
            "attendance": list(session.attendance.select_related("village")),
            "acts": acts,
            "form": form,
        },
    )
