"""The organization's evaluation page, `/orgs/<pk>/evaluation/?year=`.

For a branch: its campaign — the branch's working table (self-assessments, rating counts, grades,
handling) for those with the change scope, and the approve / return form for the committee one
level up. Someone who may only view (a member, a supervisor) sees the state and dates, not the
members' rows. For a committee: each branch below with its campaign's state, proposals awaiting
this user's approval first (the level above's approval page).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.tree import STEPLEN
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.organizations.models import Organization

from . import services
from .forms import CampaignForm, FollowUpForm, HandlingForm, ReviewForm
from .models import GRADING_STATES, CampaignState, EvaluationCampaign, Grade
from .queries import branches_with_state, campaign_table, rating_total, results_hidden


def year_param(request: HttpRequest) -> int:
    """`?year=`; this year when absent or out of range (pages do not fail on a bad link)."""
    raw = request.GET.get("year", "")
    return int(raw) if is_int(raw) and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def may_decide(user: Any, campaign: EvaluationCampaign) -> bool:
    """Whether `user` is at the level that approves and did not propose (the services check
    again, with the reasons). No query: the user's grants are cached."""
    if getattr(user, "pk", None) is not None and user.pk == campaign.proposed_by_id:
        return False
    paths = user.scope_paths("change") if hasattr(user, "scope_paths") else []
    parent = campaign.branch.path[:-STEPLEN]
    return bool(parent) and any(parent.startswith(p) for p in paths)


def _branch_context(request: HttpRequest, org: Organization, year: int, can_change: bool) -> dict[str, Any]:
    campaign = EvaluationCampaign.objects.filter(branch=org, year=year).select_related("branch").first()
    context: dict[str, Any] = {"campaign": campaign}
    if campaign is None:
        if can_change:
            form = CampaignForm(request.POST if request.method == "POST" else None)
            if request.method == "POST" and form.is_valid():
                try:
                    services.create_campaign(
                        org,
                        year,
                        form.cleaned_data["opens_on"],
                        form.cleaned_data["closes_on"],
                        acting_user=request.user,
                    )
                except ValidationError as exc:
                    apply_errors(form, exc)
                else:
                    messages.success(request, _("Campaign created. Open it when members may start."))
                    context["redirect"] = True
            context["create_form"] = form
        return context
    attach_steps([campaign])
    if not can_change:
        return context
    rows = campaign_table(campaign)
    attach_steps([r.handling for r in rows if r.handling is not None])
    unqualified = [
        (r.member.pk, r.member.name)
        for r in rows
        if r.grade and r.grade.grade == Grade.UNQUALIFIED and r.handling is None
    ]
    context |= {
        "rows": rows,
        "grading": campaign.state in GRADING_STATES,
        "grades": Grade.choices,
        "can_decide": campaign.state == CampaignState.PROPOSED and may_decide(request.user, campaign),
        "review_form": ReviewForm(),
        "dates_form": CampaignForm(initial={"opens_on": campaign.opens_on, "closes_on": campaign.closes_on}),
        "handling_form": HandlingForm(members=unqualified) if unqualified else None,
        # An unqualified member's problem for the rectification list (dangjian.rectification).
        "can_rectify": campaign.state == CampaignState.APPROVED,
        "follow_up_form": FollowUpForm(initial={"on": timezone.localdate()}),
        "results_hidden": results_hidden(campaign),
        "ratings_total": rating_total(campaign),
        "assessed": sum(1 for r in rows if r.self_assessment),
    }
    return context


@login_required
def org_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(request)
    can_change = in_scope(request.user, org, "change")
    context: dict[str, Any] = {"org": org, "year": year, "can_change": can_change}
    if org.holds_members:
        context |= _branch_context(request, org, year, can_change)
        if context.pop("redirect", False):
            return redirect(f"{request.path}?year={year}")
    if not org.is_branch:
        below = [(b, c) for b, c in branches_with_state(org, year) if b.pk != org.pk]
        awaiting = [
            (b, c)
            for b, c in below
            if c and c.state == CampaignState.PROPOSED and may_decide(request.user, c)
        ]
        context |= {"below": below, "awaiting": awaiting, "states": CampaignState}
    return render(request, "evaluation/org_evaluation.html", context)
