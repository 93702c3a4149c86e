"""Pages of problem lists: an organization's list for the year (with its members' own problems
for those who may change them, and what waits for this level's acceptance below), one problem
with its evidence, steps and moves, a member's own problems, and problems from a life meeting, a
五化 assessment, a democratic evaluation and a special campaign's case."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.campaigns.models import Case
from dangjian.core import attachments
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.core.tree import subtree_q
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.evaluation.models import EvaluationCampaign, ProposedGrade
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting
from dangjian.supervision.common import year_param
from dangjian.supervision.models import FiveStandardsAssessment

from . import queries, services
from .forms import FromMeetingForm, NewProblemForm, ProblemForm
from .models import EDITABLE, Evidence, Problem, ProblemState
from .workflows import PROBLEM_FLOW

AWAITING_LIMIT = 50


@login_required
def org_problems(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(str(request.GET.get("year", "")))
    can_change = in_scope(request.user, org, "change")
    form = NewProblemForm(request.POST if request.method == "POST" and can_change else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.create_problem(
                org, data, year=year, source=data["source"], acting_user=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Problem added to the list."))
            return redirect("problem_detail", pk=problem.pk)
    today = timezone.localdate()
    own = list(queries.org_list(org.pk, year))
    members = list(queries.member_problems(org.pk, year)) if can_change else []
    awaiting = [
        p
        for p in Problem.objects.restrict(request.user, "change")
        .filter(subtree_q(org.path, "organization__path"), state=ProblemState.SUBMITTED)
        .exclude(organization=org, member__isnull=True)
        .select_related("organization", "member")
        .order_by("deadline", "id")[:AWAITING_LIMIT]
        if PROBLEM_FLOW.allowed(request.user, p)
    ]
    return render(
        request,
        "rectification/org_problems.html",
        {
            "org": org,
            "year": year,
            "today": today,
            "own": own,
            "members": members,
            "keeps_members": org.is_branch,
            "counts": queries.counts(own, today),
            "awaiting": awaiting,
            "can_change": can_change,
            "form": form,
        },
    )


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_for_user(request, Problem, pk, select_related=["organization", "member"])
    can_change = in_scope(request.user, problem, "change")
    form = ProblemForm(
        request.POST if request.method == "POST" and request.POST.get("form") == "edit" else None,
        initial={f: getattr(problem, f) for f in services.FIELDS},
    )
    if form.is_bound and form.is_valid():
        try:
            services.update_problem(
                problem,
                form.cleaned_data,
                expected_version=_version(request),
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Problem updated."))
            return redirect("problem_detail", pk=problem.pk)
    attach_steps([problem])
    moves = PROBLEM_FLOW.allowed(request.user, problem)
    return render(
        request,
        "rectification/problem.html",
        {
            "problem": problem,
            "form": form,
            "can_edit": can_change and problem.is_editable,
            "can_add_evidence": problem.is_editable and services.may_add_evidence(request.user, problem),
            "can_delete": can_change and problem.state == ProblemState.OPEN,
            "evidence": list(problem.evidence.all()),
            "moves": moves,
            "takes_note": any(t.note != "none" for t in moves),
            "today": timezone.localdate(),
            "overdue": problem.state in EDITABLE and problem.deadline < timezone.localdate(),
        },
    )


def _version(request: HttpRequest) -> int | None:
    raw = str(request.POST.get("version", ""))
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


@login_required
@require_POST
def problem_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_for_user(request, Problem, pk, select_related=["organization"])
    try:
        services.add_evidence(problem, request.FILES.getlist("files"), acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Evidence added."))
    return redirect("problem_detail", pk=problem.pk)


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    problem = get_for_user(request, Problem, pk, select_related=["organization"])
    try:
        name = services.remove_evidence(problem, evidence_pk, acting_user=request.user)
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Removed %(name)s.") % {"name": name})
    return redirect("problem_detail", pk=problem.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> Any:
    problem = get_for_user(request, Problem, pk)
    row = Evidence.objects.filter(problem=problem, pk=evidence_pk).first()
    return attachments.serve(row)


@login_required
@require_POST
def problem_delete(request: HttpRequest, pk: int) -> HttpResponse:
    problem = get_for_user(request, Problem, pk, "change", select_related=["organization"])
    org_id, year = problem.organization_id, problem.year
    try:
        services.delete_problem(problem, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("problem_detail", pk=problem.pk)
    messages.success(request, _("Problem removed."))
    return redirect(f"/orgs/{org_id}/problems/?year={year}")


@login_required
def my_problems(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    rows = (
        list(
            Problem.objects.filter(member=member)
            .select_related("organization")
            .order_by("-year", "deadline", "id")
        )
        if member is not None
        else []
    )
    return render(request, "rectification/my_problems.html", {"rows": rows, "today": timezone.localdate()})


@login_required
def meeting_problems(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_for_user(request, Meeting, pk, "change", select_related=["organization"])
    form = FromMeetingForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.problems_from_meeting(
                meeting,
                data["lines"],
                owner=data["owner"],
                deadline=data["deadline"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(n)s problems added to the list.") % {"n": len(created)})
            year = created[0].year
            return redirect(f"/orgs/{meeting.organization_id}/problems/?year={year}")
    taken = Problem.objects.filter(source_ref=f"meeting:{meeting.pk}").select_related("organization")
    return render(
        request, "rectification/from_meeting.html", {"meeting": meeting, "form": form, "taken": taken}
    )


@login_required
@require_POST
def from_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """The 五化 assessment of the year found below standard: its dimensions not met onto the list."""
    org = get_for_user(request, Organization, pk, "change")
    year = year_param(str(request.POST.get("year", "")))
    assessment = FiveStandardsAssessment.objects.filter(organization=org, year=year).first()
    if assessment is None:
        raise Http404
    try:
        made = services.problems_from_assessment(assessment, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"/orgs/{org.pk}/five-standards/?year={year}")
    messages.success(request, _("%(n)s problems added to the list.") % {"n": len(made)})
    return redirect(f"/orgs/{org.pk}/problems/?year={year}")


@login_required
@require_POST
def from_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """A member graded unqualified in the approved evaluation: a problem of their own."""
    campaign = get_for_user(request, EvaluationCampaign, pk, "change")
    raw = str(request.POST.get("member", ""))
    grade = (
        ProposedGrade.objects.filter(campaign=campaign, member_id=int(raw)).first()
        if raw.isdigit() and len(raw) < 12
        else None
    )
    if grade is None:
        raise Http404
    try:
        problem = services.problem_from_evaluation(grade, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"/orgs/{campaign.branch_id}/evaluation/?year={campaign.year}")
    messages.success(request, _("Problem added to the list."))
    return redirect("problem_detail", pk=problem.pk)


@login_required
@require_POST
def from_case(request: HttpRequest, pk: int) -> HttpResponse:
    """A special campaign's case still being handled: onto its organization's problem list."""
    case = get_for_user(
        request, Case, pk, "change", select_related=["assignment__organization", "assignment__campaign"]
    )
    back = f"/assignments/{case.assignment_id}/#case-{case.pk}"
    try:
        problem = services.problem_from_case(case, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("Problem added to the list."))
    return redirect("problem_detail", pk=problem.pk)
