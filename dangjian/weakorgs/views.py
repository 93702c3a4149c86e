"""Pages of the weak-organization lists: an organization's page of the year (for the county: run
the screening, confirm or remove candidates, list one by hand; for everyone: the listed
organizations they may read), one listing with its plan, progress, evidence, moves and history."""

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
from dangjian.core.views import apply_errors, get_for_user, redirect_back
from dangjian.core.workflow import attach_steps, reaches
from dangjian.organizations.models import COMMITTEE_KINDS, Organization
from dangjian.supervision.common import int_param, year_param

from . import queries, services
from .forms import AddForm, PlanForm, ProgressForm
from .models import WORKING, Evidence, Listing, ListingState
from .workflows import LISTING_FLOW, NOT_INSIDE, OWNER

RELATED = ["organization", "county"]


def _screens(user: Any, org: Organization) -> bool:
    return org.kind in COMMITTEE_KINDS and reaches(user, org, "change")


@login_required
def org_weak(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(str(request.GET.get("year", "")))
    screens = _screens(request.user, org)
    form = AddForm(request.POST if request.method == "POST" and screens else None)
    if form.is_bound and form.is_valid():
        target = (
            Organization.objects.restrict(request.user, "view").filter(code=form.cleaned_data["code"]).first()
        )
        if target is None:
            form.add_error("code", _("No organization with this code within your reach."))
        else:
            try:
                listing = services.add_by_hand(
                    org, target, year, form.cleaned_data["reason"], acting_user=request.user
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The organization is on the list."))
                return redirect("weak_listing", pk=listing.pk)
    rows = list(queries.listings_under(request.user, org, year))
    for row in rows:
        row.moves = [t.name for t in LISTING_FLOW.allowed(request.user, row)]  # type: ignore[attr-defined]
    return render(
        request,
        "weakorgs/org_weak.html",
        {
            "org": org,
            "year": year,
            "rows": rows,
            "candidates": [li for li in rows if li.state == ListingState.CANDIDATE],
            "listed": [li for li in rows if li.state not in (ListingState.CANDIDATE, ListingState.REMOVED)],
            "removed": [li for li in rows if li.state == ListingState.REMOVED],
            "counts": queries.counts(rows),
            "screens": screens,
            "form": form,
        },
    )


@login_required
@require_POST
def org_screen(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(str(request.POST.get("year", "")))
    try:
        done = services.screen(org, year, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Screening done: %(created)s new candidates, %(updated)s updated, %(dropped)s dropped.") % done,
        )
    return redirect(f"/orgs/{org.pk}/weak/?year={year}")


@login_required
def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_for_user(request, Listing, pk, select_related=RELATED)
    plans = OWNER(request.user, listing) and listing.state in (ListingState.LISTED, *WORKING)
    plan_form = PlanForm(
        request.POST if request.method == "POST" and plans else None,
        initial={f: getattr(listing, f) for f in services.PLAN_FIELDS},
        prefix="plan",
    )
    if plan_form.is_bound and plan_form.is_valid():
        try:
            services.save_plan(
                listing,
                plan_form.cleaned_data,
                expected_version=int_param(request.POST.get("version")),
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_errors(plan_form, exc)
        else:
            messages.success(request, _("Plan saved."))
            return redirect("weak_listing", pk=listing.pk)
    attach_steps([listing])
    moves = [t for t in LISTING_FLOW.allowed(request.user, listing) if t.name != "plan"]
    today = timezone.localdate()
    if listing.lookback_at is not None or not listing.lookback_due or listing.lookback_due > today:
        moves = [t for t in moves if t.name != "look_back"]
    progress = list(listing.progress.select_related("author").prefetch_related("evidence"))
    return render(
        request,
        "weakorgs/listing.html",
        {
            "listing": listing,
            "plan_form": plan_form,
            "plans": plans,
            "progress": progress,
            "progress_form": ProgressForm(initial={"on": today}, prefix="progress"),
            "records_progress": services.may_record_progress(request.user, listing),
            "moves": moves,
            "takes_note": any(t.note != "none" for t in moves),
            "excluded": NOT_INSIDE.check(request.user, listing),
        },
    )


@login_required
@require_POST
def listing_progress(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_for_user(request, Listing, pk, select_related=RELATED)
    form = ProgressForm(request.POST, prefix="progress")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("weak_listing", pk=listing.pk)
    try:
        services.add_progress(
            listing,
            form.cleaned_data["note"],
            form.cleaned_data["on"],
            request.FILES.getlist("files"),
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Progress recorded."))
    return redirect("weak_listing", pk=listing.pk)


@login_required
def evidence_file(request: HttpRequest, pk: int, evidence_pk: int) -> Any:
    listing = get_for_user(request, Listing, pk)
    row = Evidence.objects.filter(progress__listing=listing, pk=evidence_pk).first()
    return attachments.serve(row)


@login_required
@require_POST
def listing_move(request: HttpRequest, pk: int, *, name: str) -> HttpResponse:
    """A move from a page's button: the service sets the columns the move names (the reason kept,
    the dates due). A stale page is refused; outside the gate, 404."""
    listing = get_for_user(request, Listing, pk, select_related=RELATED)
    try:
        services.MOVES[name](
            listing,
            note=str(request.POST.get("note", "")),
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        )
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(LISTING_FLOW.by_name[name].done))
    return redirect_back(request, f"/weak/{listing.pk}/")
