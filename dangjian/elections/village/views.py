"""Pages of the village elections: an organization's plan of a year (a township's villages, or
above, every township's, each with the 一肩挑 figure) and one village's election (its candidates
and their review, the results, the moves and the history)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.exceptions import OutOfScope
from dangjian.core.params import is_int
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.organizations.models import Organization
from dangjian.supervision.common import int_param

from ..models import Elected, TermChange, TermChangeState
from . import queries, services
from .forms import CandidateForm, PlanForm, ResultsForm, ReviewForm
from .models import (
    COMMITTEE_POSTS,
    Candidate,
    ReviewResult,
    VillageCommittee,
    VillageElection,
    VillageElectionState,
    due_day,
)
from .workflows import VILLAGE_FLOW

S = VillageElectionState
FIRST_YEAR = 2017
ROWS_MAX = 500


def _year(raw: str) -> int:
    """`?year=`: this year when absent or out of range; next year's plan may be drawn already."""
    this = timezone.localdate().year
    return int(raw) if is_int(raw) and FIRST_YEAR <= int(raw) <= this + 1 else this


@login_required
def org_village_elections(request: HttpRequest, pk: int) -> HttpResponse:
    # Who writes for the organization (its officers, the levels above): not its members.
    org = get_for_user(request, Organization, pk, "change")
    year = _year(request.GET.get("year", ""))
    rows = list(queries.elections_under(request.user, org, year)[:ROWS_MAX])
    queries.annotate(rows)
    township = services.is_township(org)
    unplanned: list[Organization] = []
    form = None
    if township:
        planned = {e.organization_id for e in rows}
        unplanned = [v for v in services.villages_of(org) if v.pk not in planned]
        if unplanned and services.may_plan(request.user, unplanned[0]):
            form = PlanForm(
                request.POST if request.method == "POST" else None,
                villages=[(v.pk, v.name) for v in unplanned],
            )
    if form is not None and form.is_bound and form.is_valid():
        village = next(v for v in unplanned if v.pk == form.cleaned_data["village"])
        try:
            services.plan_election(village, year, form.cleaned_data["planned_on"], acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        except OutOfScope as exc:
            raise Http404 from exc
        else:
            messages.success(request, _("Election planned."))
            return redirect(f"{request.path}?year={year}")
    townships = {e.township_id: e.township.name for e in rows}
    each, total = queries.figures(rows, townships)
    return render(
        request,
        "elections/village_plan.html",
        {
            "org": org,
            "year": year,
            "years": list(range(timezone.localdate().year + 1, FIRST_YEAR - 1, -1)),
            "rows": rows,
            "township": township,
            "unplanned": unplanned,
            "form": form,
            "figures": each if len(each) > 1 or not township else [],
            "total": total,
            "due": due_day(year),
        },
    )


def _party_side(e: VillageElection) -> tuple[TermChange | None, list[Elected]]:
    """The village Party organization's own election: its term change confirmed in the year
    (or the latest under way), with who was elected."""
    tc = (
        TermChange.objects.filter(organization_id=e.organization_id, planned_on__year=e.year)
        .exclude(state=TermChangeState.WITHDRAWN)
        .order_by("-planned_on", "-id")
        .first()
    )
    return tc, list(tc.elected.select_related("member")) if tc is not None else []


def _results_form(request: HttpRequest, e: VillageElection, candidates: list[Candidate]) -> ResultsForm:
    eligible = [
        (c.pk, f"{c.name} · {c.get_post_display()}") for c in candidates if c.review == ReviewResult.PASSED
    ]
    seats = {s.candidate_id: s for s in e.seats.all()}
    initial: dict[str, Any] = {"held_on": e.held_on}
    for pk, seat in seats.items():
        initial.update({f"post_{pk}": seat.post, f"votes_{pk}": seat.votes})
    data = request.POST if request.method == "POST" and request.POST.get("form") == "results" else None
    return ResultsForm(data, candidates=eligible, initial=initial)


def _handle(
    request: HttpRequest, e: VillageElection, forms: dict[str, Any], candidates: list[Candidate]
) -> bool:
    """Take the posted form's write; True when done (the page redirects)."""
    posted = request.POST.get("form")
    form = forms.get(posted or "")
    if form is None or not form.is_bound or not form.is_valid():
        return False
    data = form.cleaned_data
    version = int_param(request.POST.get("version"))
    try:
        if posted == "candidate":
            services.add_candidate(e, data["name"], data["id_number"], data["post"], acting_user=request.user)
            messages.success(request, _("Candidate added."))
        elif posted == "review":
            candidate = next((c for c in candidates if c.pk == data["candidate"]), None)
            if candidate is None:
                raise Http404
            services.review_candidate(candidate, data["result"], data["note"], acting_user=request.user)
            messages.success(request, _("Review recorded."))
        elif posted == "results":
            seats = [
                services.Seat(c.pk, data[f"post_{c.pk}"], data.get(f"votes_{c.pk}"))
                for c in candidates
                if data.get(f"post_{c.pk}")
            ]
            services.record_results(
                e, data["held_on"], seats, expected_version=version, acting_user=request.user
            )
            messages.success(request, _("Results saved; report them to the township when complete."))
            if data["held_on"] > due_day(e.year):
                messages.warning(request, _("The election was held after 30 June: it is late for this year."))
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    except OutOfScope as exc:
        raise Http404 from exc
    return True


@login_required
def village_election(request: HttpRequest, pk: int) -> HttpResponse:
    e = get_for_user(request, VillageElection, pk, "change", select_related=["organization", "township"])
    candidates = list(e.candidates.select_related("member"))
    township = services.is_township_of(request.user, e)
    records = services.may_record(request.user, e) and e.state == S.REVIEWED
    post = request.POST if request.method == "POST" else None
    forms: dict[str, Any] = {}
    if township and e.state == S.PLANNED:
        forms["candidate"] = CandidateForm(post if request.POST.get("form") == "candidate" else None)
        forms["review"] = ReviewForm(post if request.POST.get("form") == "review" else None)
    if records:
        forms["results"] = _results_form(request, e, candidates)
    if request.method == "POST":
        if _handle(request, e, forms, candidates):
            return redirect("village_election", pk=e.pk)
        if request.POST.get("form") not in forms:
            raise Http404  # a form this user is not offered: nothing to say about it
    attach_steps([e])
    queries.annotate([e])
    tc, party = _party_side(e)
    return render(
        request,
        "elections/village_election.html",
        {
            "e": e,
            "candidates": candidates,
            "seats": list(e.seats.select_related("candidate")),
            "moves": VILLAGE_FLOW.allowed(request.user, e),
            "forms": forms,
            "review_form": forms.get("review"),
            "committee": VillageCommittee.objects.filter(organization_id=e.organization_id).first(),
            "term_change": tc,
            "party": party,
            "due": due_day(e.year),
            "committee_posts": [p.value for p in COMMITTEE_POSTS],
        },
    )
