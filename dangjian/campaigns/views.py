"""Pages of campaigns and tasks sent down: an organization's received and sent campaigns, a new
campaign, one campaign with its completion per child (drilling down to each branch), and one
organization's report with its files and cases (each case onto the organization's problem list,
`rectification`)."""

import os
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import attachments, audit
from dangjian.core.exceptions import OutOfScope
from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.tree import ancestor_paths, subtree_q
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.organizations.models import Organization
from dangjian.rectification.models import Problem
from dangjian.rectification.services import case_ref

from . import exports, queries, services
from .forms import CampaignForm, CaseForm, answers_form
from .models import TO_SUBMIT, Assignment, Campaign, CampaignKind, CampaignState, Case, CaseState
from .workflows import ASSIGNMENT_FLOW, CAMPAIGN_FLOW, CASE_FLOW, RECEIVER

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _version(request: HttpRequest) -> int | None:
    raw = str(request.POST.get("version", ""))
    return int(raw) if is_int(raw) and len(raw) < 12 else None


def _refused(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
def org_campaigns(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    received = list(queries.received(org, request.user)[:100])
    sent = list(
        Campaign.objects.restrict(request.user, "view")
        .filter(organization=org)
        .select_related("organization")[:100]
    )
    return render(
        request,
        "campaigns/org_campaigns.html",
        {
            "org": org,
            "received": received,
            "sent": sent,
            "can_send": org.numchild > 0 and in_scope(request.user, org, "change"),
            "today": timezone.localdate(),
        },
    )


@login_required
def campaign_new(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "change")
    form = CampaignForm(
        request.POST if request.method == "POST" else None, initial={"kind": CampaignKind.TASK}
    )
    if form.is_bound and form.is_valid():
        try:
            campaign = services.create_campaign(org, form.data_for_service(), acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Draft saved. Check it, attach files, then launch it."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "campaigns/campaign_new.html", {"org": org, "form": form})


def _node(request: HttpRequest, campaign: Campaign) -> Organization:
    """The organization whose children the progress table shows (`?under=`, within the campaign)."""
    raw = str(request.GET.get("under", ""))
    top = campaign.organization
    if not is_int(raw) or len(raw) > 11 or int(raw) == top.pk:
        return top
    node = Organization.objects.restrict(request.user, "view").filter(pk=int(raw)).first()
    if node is None or not node.path.startswith(top.path):
        raise Http404
    return node


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request, Campaign, pk, select_related=["organization"])
    can_change = in_scope(request.user, campaign, "change")
    editing = can_change and campaign.state == CampaignState.DRAFT
    form = None
    if editing:
        posted = request.method == "POST" and request.POST.get("form") == "edit"
        form = CampaignForm(request.POST if posted else None, initial=CampaignForm.initial_of(campaign))
        if form.is_bound and form.is_valid():
            try:
                services.update_campaign(
                    campaign,
                    form.data_for_service(),
                    acting_user=request.user,
                    expected_version=_version(request),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Draft saved."))
                return redirect("campaign_detail", pk=campaign.pk)
    node = _node(request, campaign)
    running = campaign.state != CampaignState.DRAFT
    trail = list(
        Organization.objects.filter(path__in=ancestor_paths(node.path), path__gte=campaign.organization.path)
    )
    attach_steps([campaign])
    return render(
        request,
        "campaigns/campaign.html",
        {
            "campaign": campaign,
            "form": form,
            "editing": editing,
            "can_change": can_change,
            "files": list(campaign.files.all()),
            "moves": [t for t in CAMPAIGN_FLOW.allowed(request.user, campaign) if t.name != "launch"],
            "can_launch": editing,
            "node": node,
            "trail": trail,
            "total": queries.node_total(campaign.pk, node) if running else None,
            "children": queries.children(campaign.pk, node) if running else [],
            "awaiting": queries.awaiting(campaign, node, request.user) if running and can_change else [],
        },
    )


@login_required
@require_POST
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request, Campaign, pk, "change", select_related=["organization"])
    try:
        campaign = services.launch(campaign, acting_user=request.user, expected_version=_version(request))
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(
            request, _("Launched: %(n)s organizations have received it.") % {"n": campaign.assigned}
        )
    return redirect("campaign_detail", pk=pk)


@login_required
@require_POST
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request, Campaign, pk, "change", select_related=["organization"])
    org_id = campaign.organization_id
    try:
        services.delete_campaign(campaign, acting_user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("campaign_detail", pk=pk)
    messages.success(request, _("Draft removed."))
    return redirect("org_campaigns", pk=org_id)


@login_required
@require_POST
def campaign_files(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request, Campaign, pk, "change", select_related=["organization"])
    try:
        services.add_campaign_files(campaign, request.FILES.getlist("files"), acting_user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Files attached."))
    return redirect("campaign_detail", pk=pk)


@login_required
@require_POST
def campaign_file_remove(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    campaign = get_for_user(request, Campaign, pk, "change", select_related=["organization"])
    try:
        name = services.remove_campaign_file(campaign, file_pk, acting_user=request.user)
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Removed %(name)s.") % {"name": name})
    return redirect("campaign_detail", pk=pk)


@login_required
def campaign_file(request: HttpRequest, pk: int, file_pk: int) -> Any:
    campaign = get_for_user(request, Campaign, pk)
    return attachments.serve(campaign.files.filter(pk=file_pk).first())


@login_required
def instruction_file(request: HttpRequest, pk: int, file_pk: int) -> Any:
    """An attachment of the instructions, for the organization that received them."""
    assignment = get_for_user(request, Assignment, pk)
    return attachments.serve(assignment.campaign.files.filter(pk=file_pk).first())


def _under(request: HttpRequest, campaign: Campaign) -> Any:
    node = _node(request, campaign)
    rows = Assignment.objects.restrict(request.user, "view").filter(
        subtree_q(node.path, "organization__path"), campaign=campaign
    )
    return node, rows


@login_required
@require_POST
def campaign_remind(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request, Campaign, pk, "change", select_related=["organization"])
    if campaign.state != CampaignState.LAUNCHED:
        raise Http404
    node, rows = _under(request, campaign)
    count = services.remind_missing(campaign, node, rows, acting_user=request.user)
    messages.success(request, _("Reminded %(n)s people.") % {"n": count})
    return redirect(f"/campaigns/{pk}/?under={node.pk}")


@login_required
def campaign_export(request: HttpRequest, pk: int) -> FileResponse:
    campaign = get_for_user(request, Campaign, pk, select_related=["organization"])
    if campaign.state == CampaignState.DRAFT:
        raise Http404
    node, rows = _under(request, campaign)
    path, count = exports.xlsx_file(campaign, exports.rows_of(rows))
    audit.record(
        "campaign.export", actor=request.user, obj=campaign, org_path=node.path, detail=f"{count} rows"
    )
    stream = path.open("rb")
    os.unlink(path)  # the open handle keeps the data until the response is sent
    response = FileResponse(stream, as_attachment=True, filename=f"campaign-{pk}.xlsx", content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response


# --- one organization's report -------------------------------------------------------------------


@login_required
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_for_user(
        request, Assignment, pk, select_related=["organization", "campaign", "campaign__organization"]
    )
    campaign = assignment.campaign
    live = campaign.state == CampaignState.LAUNCHED
    receiver = live and RECEIVER(request.user, assignment)
    may_answer = receiver and assignment.state in TO_SUBMIT
    posted = request.method == "POST" and request.POST.get("form") == "answers" and may_answer
    form = answers_form(campaign.fields, request.POST if posted else None, initial=assignment.answers)
    if posted and form.is_valid():
        try:
            services.save_answers(
                assignment, form.cleaned_data, acting_user=request.user, expected_version=_version(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved. Submit it when it is complete."))
            return redirect("assignment_detail", pk=pk)
    cases = list(assignment.cases.all())
    attach_steps([assignment])
    if cases:
        attach_steps(cases)
    for case in cases:
        case.moves = [t for t in CASE_FLOW.allowed(request.user, case) if t.name != "conclude"]  # type: ignore[attr-defined]
    _attach_problems(request, assignment, cases)
    moves = ASSIGNMENT_FLOW.allowed(request.user, assignment) if live else []
    return render(
        request,
        "campaigns/assignment.html",
        {
            "a": assignment,
            "campaign": campaign,
            "form": form,
            "may_answer": may_answer,
            "answers": [(f["label"], assignment.answers.get(f["key"], "")) for f in campaign.fields],
            "files": list(assignment.files.all()),
            "instructions": list(campaign.files.all()),
            "moves": moves,
            "takes_note": any(t.note != "none" for t in moves),
            "cases": cases,
            "case_form": CaseForm() if receiver and campaign.kind == CampaignKind.CAMPAIGN else None,
            "receiver": receiver,
            "overdue": assignment.state in TO_SUBMIT and assignment.deadline < timezone.localdate(),
            "sender_view": in_scope(request.user, campaign, "view"),
        },
    )


def _attach_problems(request: HttpRequest, assignment: Assignment, cases: list[Case]) -> None:
    """Each case's problem on the organization's list, once taken (`case.problem`, in one query),
    and whether this user may take it there now (`case.may_rectify`: who writes the
    organization's problems, for a case still being handled)."""
    if not cases:
        return
    refs = {case_ref(c): c for c in cases}
    for c in cases:
        c.problem = None  # type: ignore[attr-defined]
    for problem in Problem.objects.filter(source_ref__in=list(refs)).restrict(request.user, "view"):
        refs[problem.source_ref].problem = problem  # type: ignore[attr-defined]
    writes = in_scope(request.user, assignment.organization, "change")
    for c in cases:
        c.may_rectify = writes and c.state == CaseState.OPEN and c.problem is None  # type: ignore[attr-defined]


@login_required
@require_POST
def assignment_files(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_for_user(request, Assignment, pk, select_related=["organization", "campaign"])
    try:
        services.add_assignment_files(assignment, request.FILES.getlist("files"), acting_user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Files attached."))
    return redirect("assignment_detail", pk=pk)


@login_required
@require_POST
def assignment_file_remove(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    assignment = get_for_user(request, Assignment, pk, select_related=["organization", "campaign"])
    try:
        name = services.remove_assignment_file(assignment, file_pk, acting_user=request.user)
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Removed %(name)s.") % {"name": name})
    return redirect("assignment_detail", pk=pk)


@login_required
def assignment_file(request: HttpRequest, pk: int, file_pk: int) -> Any:
    assignment = get_for_user(request, Assignment, pk)
    return attachments.serve(assignment.files.filter(pk=file_pk).first())


@login_required
@require_POST
def case_add(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = get_for_user(request, Assignment, pk, select_related=["organization", "campaign"])
    form = CaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("assignment_detail", pk=pk)
    try:
        case = services.add_case(assignment, form.cleaned_data, acting_user=request.user)
    except ValidationError as exc:
        _refused(request, exc)
        return redirect("assignment_detail", pk=pk)
    messages.success(request, _("Case added."))
    return redirect(f"/assignments/{pk}/#case-{case.pk}")


@login_required
@require_POST
def case_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_for_user(request, Case, pk, select_related=list(CASE_FLOW.view_related))
    try:
        services.conclude_case(
            case,
            str(request.POST.get("conclusion", "")),
            acting_user=request.user,
            expected_version=_version(request),
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Case concluded."))
    return redirect(f"/assignments/{case.assignment_id}/#case-{case.pk}")
