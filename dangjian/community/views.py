"""Pages of theme practice: a branch's page (posts, the year's commitments, its members'
registrations elsewhere and the registrations with it, pairings), one registration with its
tasks, one pairing with its visits, and the member's own page on the phone (我的 → 主题实践).
Every write posts to a small view that calls the service: outside the reach 404, a refusal shown
on the page (nothing changed), else the success said."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dangjian.core.exceptions import OutOfScope
from dangjian.core.masking import mask_phone
from dangjian.core.views import get_for_user, redirect_back
from dangjian.core.workflow import attach_steps
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.organizations.models import Organization
from dangjian.supervision.common import int_param, year_param

from . import queries, services
from .forms import (
    AssessForm,
    CommitmentForm,
    EndPairingForm,
    PairingForm,
    PostForm,
    ReportForm,
    TaskForm,
    VisitForm,
)
from .models import (
    Commitment,
    CommitmentRelease,
    Pairing,
    PairingState,
    Post,
    Registration,
    RegistrationState,
    ServiceTask,
    TaskState,
)
from .workflows import COMMUNITY, REGISTRATION_FLOW, TASK_FLOW

# The words on a move's button.
MOVE_LABELS = {
    "accept": gettext_lazy("Accept"),
    "decline": gettext_lazy("Decline"),
    "withdraw": gettext_lazy("Withdraw"),
    "end": gettext_lazy("End the registration"),
    "confirm": gettext_lazy("Confirm"),
    "send_back": gettext_lazy("Send back"),
    "cancel": gettext_lazy("Cancel the task"),
}


def _buttons(flow: Any, user: Any, row: Any, prefix: str, skip: str = "") -> list[dict[str, str]]:
    return [
        {
            "label": str(MOVE_LABELS[t.name]),
            "url": reverse(f"community:{prefix}_{t.name}", args=[row.pk]),
            "name": t.name,
        }
        for t in flow.allowed(user, row)
        if t.name != skip
    ]


def _write(request: HttpRequest, write: Callable[[], object], done: str, back: str) -> HttpResponse:
    """A write posted from a page: outside the reach 404, a refusal shown, else `done`."""
    try:
        write()
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect_back(request, back)


def _invalid(request: HttpRequest, form: Form, back: str) -> HttpResponse:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect_back(request, back)


def _member(request: HttpRequest, raw: Any) -> Member:
    """A member named in a form, within the user's reach (else 404)."""
    pk = int_param(raw)
    if pk is None:
        raise Http404
    return get_for_user(request, Member, pk)


# --- the branch's page ----------------------------------------------------------------------


@login_required
def org_page(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(str(request.GET.get("year", "")))
    can_change = services.may_change(request.user, org)
    members = (
        list(
            Member.objects.filter(organization=org, status__in=ON_ROLL_STATUSES)
            .order_by("name", "pk")
            .only("pk", "name")
        )
        if can_change and org.holds_members
        else []
    )
    pairings = list(queries.pairings(request.user, org))
    for p in pairings:
        p.phone_masked = mask_phone(p.phone)  # type: ignore[attr-defined]
    return render(
        request,
        "community/org.html",
        {
            "org": org,
            "year": year,
            "can_change": can_change,
            "members": members,
            "posts": queries.posts(request.user, org),
            "commitments": queries.commitments(request.user, org, year),
            "release": CommitmentRelease.objects.filter(organization=org, year=year).first(),
            "outgoing": queries.registrations(request.user, home=org),
            "incoming": queries.registrations(request.user, community=org),
            "pairings": pairings,
            "post_form": PostForm(),
            "commitment_form": CommitmentForm(),
            "assess_form": AssessForm(auto_id=False),
            "pairing_form": PairingForm(),
        },
    )


@login_required
@require_POST
def post_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    back = f"/orgs/{org.pk}/community/"
    form = PostForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    return _write(
        request,
        lambda: services.create_post(org, form.cleaned_data, acting_user=request.user),
        _("Post created."),
        back,
    )


@login_required
@require_POST
def post_assign(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_for_user(request, Post, pk)
    member = _member(request, request.POST.get("member"))
    return _write(
        request,
        lambda: services.assign(post, member, acting_user=request.user),
        _("The member holds the post."),
        f"/orgs/{post.organization_id}/community/",
    )


@login_required
@require_POST
def post_unassign(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_for_user(request, Post, pk)
    member_id = int_param(request.POST.get("member")) or 0
    return _write(
        request,
        lambda: services.unassign(post, member_id, acting_user=request.user),
        _("The member no longer holds the post."),
        f"/orgs/{post.organization_id}/community/",
    )


@login_required
@require_POST
def commitment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The branch makes a commitment on a member's behalf."""
    org = get_for_user(request, Organization, pk)
    year = year_param(str(request.POST.get("year", "")))
    back = f"/orgs/{org.pk}/community/?year={year}"
    member = _member(request, request.POST.get("member"))
    if member.organization_id != org.pk:
        raise Http404
    form = CommitmentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    return _write(
        request,
        lambda: services.make_commitment(member, year, form.cleaned_data["text"], acting_user=request.user),
        _("Commitment recorded."),
        back,
    )


@login_required
@require_POST
def commitment_publish(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(str(request.POST.get("year", "")))
    return _write(
        request,
        lambda: services.publish(org, year, acting_user=request.user),
        _("The year's commitments are published on the branch's feed."),
        f"/orgs/{org.pk}/community/?year={year}",
    )


@login_required
@require_POST
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_user(request, Commitment, pk)
    form = CommitmentForm(request.POST)
    back = "/my/community/"
    if not form.is_valid():
        return _invalid(request, form, back)
    return _write(
        request,
        lambda: services.edit_commitment(
            row,
            form.cleaned_data["text"],
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        _("Commitment saved."),
        back,
    )


@login_required
@require_POST
def commitment_assess(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_user(request, Commitment, pk)
    back = f"/orgs/{row.organization_id}/community/?year={row.year}"
    form = AssessForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    return _write(
        request,
        lambda: services.assess(
            row,
            form.cleaned_data["fulfilment"],
            form.cleaned_data["note"],
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        _("Fulfilment recorded."),
        back,
    )


@login_required
@require_POST
def pairing_create(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    back = f"/orgs/{org.pk}/community/"
    member = _member(request, request.POST.get("member"))
    form = PairingForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    data = {k: v for k, v in form.cleaned_data.items() if k != "member"}
    return _write(
        request,
        lambda: services.create_pairing(org, member, data, acting_user=request.user),
        _("Pairing recorded."),
        back,
    )


# --- a registration -------------------------------------------------------------------------


@login_required
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_user(request, Registration, pk, select_related=["member", "home", "community"])
    attach_steps([row])
    tasks = list(row.tasks.select_related("registration__member", "registration__community"))
    for task in tasks:
        task.moves = _buttons(TASK_FLOW, request.user, task, "task", skip="report")  # type: ignore[attr-defined]
        task.reports = any(t.name == "report" for t in TASK_FLOW.allowed(request.user, task))  # type: ignore[attr-defined]
    gives_tasks = row.state == RegistrationState.ACCEPTED and COMMUNITY(request.user, row)
    return render(
        request,
        "community/registration.html",
        {
            "registration": row,
            "tasks": tasks,
            "moves": _buttons(REGISTRATION_FLOW, request.user, row, "registration"),
            "gives_tasks": gives_tasks,
            "task_form": TaskForm(initial={"on": timezone.localdate(), "hours_expected": 2}),
            "report_form": ReportForm(),
            "hours": sum(t.hours or 0 for t in tasks if t.state == TaskState.CONFIRMED),
        },
    )


@login_required
@require_POST
def registration_move(request: HttpRequest, pk: int, *, name: str) -> HttpResponse:
    row = get_for_user(request, Registration, pk)
    return _write(
        request,
        lambda: services.REGISTRATION_MOVES[name](
            row,
            note=str(request.POST.get("note", "")),
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        str(REGISTRATION_FLOW.by_name[name].done),
        f"/community/registrations/{row.pk}/",
    )


@login_required
@require_POST
def task_create(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_user(request, Registration, pk)
    back = f"/community/registrations/{row.pk}/"
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    return _write(
        request,
        lambda: services.assign_task(row, form.cleaned_data, acting_user=request.user),
        _("Task given."),
        back,
    )


@login_required
@require_POST
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_for_user(request, ServiceTask, pk)
    back = f"/community/registrations/{task.registration_id}/"
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    return _write(
        request,
        lambda: services.report_task(
            task,
            form.cleaned_data["hours"],
            form.cleaned_data["report"],
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        str(TASK_FLOW.by_name["report"].done),
        back,
    )


@login_required
@require_POST
def task_move(request: HttpRequest, pk: int, *, name: str) -> HttpResponse:
    task = get_for_user(request, ServiceTask, pk)
    return _write(
        request,
        lambda: services.TASK_MOVES[name](
            task,
            note=str(request.POST.get("note", "")),
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        str(TASK_FLOW.by_name[name].done),
        f"/community/registrations/{task.registration_id}/",
    )


# --- a pairing ------------------------------------------------------------------------------


@login_required
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_user(request, Pairing, pk, select_related=["organization", "member"])
    return render(
        request,
        "community/pairing.html",
        {
            "pairing": row,
            "phone": mask_phone(row.phone),
            "visits": row.visits.all(),
            "visits_allowed": row.state == PairingState.ACTIVE and services.may_visit(request.user, row),
            "ends": row.state == PairingState.ACTIVE and services.may_change(request.user, row.organization),
            "visit_form": VisitForm(initial={"on": timezone.localdate()}),
            "end_form": EndPairingForm(),
        },
    )


@login_required
@require_POST
def pairing_visit(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_user(request, Pairing, pk)
    back = f"/community/pairings/{row.pk}/"
    form = VisitForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    return _write(
        request,
        lambda: services.log_visit(
            row, form.cleaned_data["on"], form.cleaned_data["note"], acting_user=request.user
        ),
        _("Visit recorded."),
        back,
    )


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_for_user(request, Pairing, pk)
    back = f"/community/pairings/{row.pk}/"
    form = EndPairingForm(request.POST)
    if not form.is_valid():
        return _invalid(request, form, back)
    return _write(
        request,
        lambda: services.end_pairing(
            row,
            form.cleaned_data["reason"],
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        _("Pairing ended."),
        back,
    )


# --- the member's own page ------------------------------------------------------------------


@login_required
def my_page(request: HttpRequest) -> HttpResponse:
    """The member's posts, commitments, registration with its tasks, and pairings (phone first)."""
    member_id = getattr(request.user, "member_id", None)
    if member_id is None:
        return redirect("my_page")
    member = Member.objects.select_related("organization").get(pk=member_id)
    year = timezone.localdate().year
    home = member.organization
    registrations = list(
        Registration.objects.filter(member=member)
        .select_related("community")
        .annotate(hours_confirmed=queries.confirmed_hours())
        .order_by("-created_at", "-id")
    )
    current = next(
        (r for r in registrations if r.state in (RegistrationState.REQUESTED, RegistrationState.ACCEPTED)),
        None,
    )
    tasks = list(
        ServiceTask.objects.filter(registration__member=member, state=TaskState.ASSIGNED)
        .select_related("registration")
        .order_by("on", "pk")
    )
    registers = current is None and home.sector not in services.RESIDENTIAL_SECTORS
    commitments = list(Commitment.objects.filter(member=member).order_by("-year", "-id"))
    for c in commitments:
        c.editable = services.may_edit_commitment(request.user, c)  # type: ignore[attr-defined]
    return render(
        request,
        "community/mine.html",
        {
            "member": member,
            "year": year,
            "posts": Post.objects.filter(holders__member=member).order_by("name"),
            "commitments": commitments,
            "registrations": registrations,
            "current": current,
            "tasks": tasks,
            "registers": registers,
            "choices": services.community_branches(home).only("pk", "name") if registers else [],
            "pairings": Pairing.objects.filter(member=member, state=PairingState.ACTIVE).order_by(
                "-started_on"
            ),
            "commitment_form": CommitmentForm(),
            "report_form": ReportForm(),
        },
    )


@login_required
@require_POST
def my_commitment(request: HttpRequest) -> HttpResponse:
    member_id = getattr(request.user, "member_id", None)
    if member_id is None:
        raise Http404
    member = Member.objects.get(pk=member_id)
    form = CommitmentForm(request.POST)
    back = "/my/community/"
    if not form.is_valid():
        return _invalid(request, form, back)
    year = timezone.localdate().year
    return _write(
        request,
        lambda: services.make_commitment(member, year, form.cleaned_data["text"], acting_user=request.user),
        _("Commitment recorded."),
        back,
    )


@login_required
@require_POST
def my_register(request: HttpRequest) -> HttpResponse:
    member_id = getattr(request.user, "member_id", None)
    if member_id is None:
        raise Http404
    member = Member.objects.select_related("organization").get(pk=member_id)
    back = "/my/community/"
    community = (
        services.community_branches(member.organization)
        .filter(pk=int_param(request.POST.get("community")) or 0)
        .first()
    )
    if community is None:
        messages.error(request, _("Choose a community branch in your own county."))
        return redirect(back)
    return _write(
        request,
        lambda: services.register(
            member, community, str(request.POST.get("residence", "")), acting_user=request.user
        ),
        _("Registered; the community branch will accept your registration."),
        back,
    )
