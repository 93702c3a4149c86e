"""An organization's pages for member movement, one tab each: transfers in and out, floating
members (out of and managed by its branches), lost-contact members, probations coming due.

Each reads the organization's subtree (narrow first) and then the user's reach (restrict last).
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.tree import subtree_q
from dangjian.core.views import bootstrap_form, get_for_user
from dangjian.organizations.models import Organization

from .filters import TransferFilterSet
from .models import CaseState, LostContactCase, Transfer
from .queries import (
    floating_out,
    lost_contact_counts,
    lost_without_case,
    managed_floating,
    probation_due,
    unattached_floating_count,
)

LIMIT = 200
WITHIN_CHOICES = (30, 60, 90, 180, 365)


def _tab(request: HttpRequest, org: Organization, tab: str, template: str, **context: object) -> HttpResponse:
    return render(
        request,
        template,
        {"org": org, "tab": tab, "can_change": in_scope(request.user, org, "change"), **context},
    )


@login_required
def org_transfers(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    data = request.GET.copy()
    data["org"] = org.code
    if "open" not in data and "state" not in data:
        data["open"] = "true"
    filterset = TransferFilterSet(
        data, queryset=Transfer.objects.select_related("member", "from_org", "to_org")
    )
    rows = filterset.qs.restrict(request.user, "view") if filterset.is_valid() else Transfer.objects.none()
    bootstrap_form(filterset.form)
    page = list(rows[: LIMIT + 1])
    return _tab(
        request,
        org,
        "transfers",
        "transfers/org_transfers.html",
        filter=filterset,
        transfers=page[:LIMIT],
        more=len(page) > LIMIT,
        show_open=data.get("open"),
    )


@login_required
def org_floating(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    related = ("member", "home_org", "managing_org")
    return _tab(
        request,
        org,
        "floating",
        "transfers/org_floating.html",
        away=floating_out(org.path).restrict(request.user, "view").select_related(*related)[:LIMIT],
        managed=managed_floating(org.path).restrict(request.user, "view").select_related(*related)[:LIMIT],
        unattached=unattached_floating_count(org.path),
    )


@login_required
def org_lost_contact(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    counts = lost_contact_counts(org.path)
    orgs = Organization.objects.filter(pk__in=list(counts))[:LIMIT]
    cases = (
        LostContactCase.objects.filter(
            subtree_q(org.path, "member__organization__path"), state=CaseState.OPEN
        )
        .restrict(request.user, "view")
        .select_related("member__organization")[:LIMIT]
    )
    return _tab(
        request,
        org,
        "lost",
        "transfers/org_lost_contact.html",
        total=sum(counts.values()),
        by_org=[(o, counts[o.pk]) for o in orgs],
        cases=cases,
        without_case=lost_without_case(org.path).count(),
    )


@login_required
def org_probation(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    raw = request.GET.get("within", "")
    within = int(raw) if is_int(raw) and int(raw) in WITHIN_CHOICES else WITHIN_CHOICES[1]
    rows = probation_due(org.path, within)
    return _tab(
        request,
        org,
        "probation",
        "transfers/org_probation.html",
        rows=rows[:LIMIT],
        more=len(rows) > LIMIT,
        within=within,
        within_choices=WITHIN_CHOICES,
    )
