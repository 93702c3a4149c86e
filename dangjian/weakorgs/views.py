"""Pages of the weak-organization lists: an organization's page of the year (for the county: run
the screening, confirm or remove candidates, list one by hand; for everyone: the listed
organizations they may read), one listing with its plan, progress, evidence, moves and history."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
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
from .models import WORKING, Evidence, Listing, ListingState, Reason
from .workflows import LISTING_FLOW, NOT_INSIDE, OWNER

RELATED = ["organization", "county"]
PAGE_SIZE = 50  # a county proposes ~200 candidates a year


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
    rows = queries.listings_under(request.user, org, year)
    reason = str(request.GET.get("reason", ""))
    sort = str(request.GET.get("sort", ""))
    sort = sort if sort in queries.SORTS else queries.SORTS[0]
    candidates = _page(request, "page", queries.candidates(rows, reason, sort)) if screens else None
    for row in candidates or ():
        row.moves = [t.name for t in LISTING_FLOW.allowed(request.user, row)]  # type: ignore[attr-defined]
    on_list = rows.exclude(state__in=(ListingState.CANDIDATE, ListingState.REMOVED))
    return render(
        request,
        "weakorgs/org_weak.html",
        {
            "org": org,
            "year": year,
            "candidates": candidates,
            "reason": reason if reason in Reason.values else "",
            "reasons": Reason.choices,
            "sort": sort,
            "listed": _page(request, "listed_page", on_list),
            "removed": _page(request, "removed_page", rows.filter(state=ListingState.REMOVED)),
            "counts": queries.counts(rows),
            "screens": screens,
            "form": form,
        },
    )


def _page(request: HttpRequest, param: str, rows: QuerySet[Listing]) -> Page:
    """One page of `rows` (`?<param>=`; a page past the end shows the last, so a page emptied by
    confirming its last candidate still shows the candidates left)."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))
    # The links keep the year, the filter, the sort and the other lists' pages.
    for name, number in (
        ("prev_query", page.previous_page_number() if page.has_previous() else None),
        ("next_query", page.next_page_number() if page.has_next() else None),
    ):
        query = request.GET.copy()
        if number is not None:
            query[param] = str(number)
        setattr(page, name, query.urlencode() if number is not None else "")
    return page


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
    records = services.may_record_progress(request.user, listing)
    if records:  # each entry's correction form, filled with what it says now
        for p in progress:
            p.form = ProgressForm(initial={"on": p.on, "note": p.note}, prefix=f"p{p.pk}")  # type: ignore[attr-defined]
    return render(
        request,
        "weakorgs/listing.html",
        {
            "listing": listing,
            "plan_form": plan_form,
            "plans": plans,
            "progress": progress,
            "progress_form": ProgressForm(initial={"on": today}, prefix="progress"),
            "records_progress": records,
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


def _entry_write(
    request: HttpRequest, listing: Listing, write: Callable[[], object], done: Callable[[object], str]
) -> HttpResponse:
    """A write on a progress entry or its evidence, from the listing's page: outside the user's
    reach 404, a refusal shown on the page (nothing changed), else `done(result)`."""
    try:
        result = write()
    except OutOfScope as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done(result))
    return redirect("weak_listing", pk=listing.pk)


@login_required
@require_POST
def progress_edit(request: HttpRequest, pk: int, progress_pk: int) -> HttpResponse:
    """Correct a progress entry's date or text (from the form under the entry)."""
    listing = get_for_user(request, Listing, pk, select_related=RELATED)
    form = ProgressForm(request.POST, prefix=f"p{progress_pk}")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("weak_listing", pk=listing.pk)
    return _entry_write(
        request,
        listing,
        lambda: services.update_progress(
            listing,
            progress_pk,
            form.cleaned_data,
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        lambda _row: _("Progress corrected."),
    )


@login_required
@require_POST
def progress_delete(request: HttpRequest, pk: int, progress_pk: int) -> HttpResponse:
    listing = get_for_user(request, Listing, pk, select_related=RELATED)
    return _entry_write(
        request,
        listing,
        lambda: services.delete_progress(
            listing,
            progress_pk,
            expected_version=int_param(request.POST.get("version")),
            acting_user=request.user,
        ),
        lambda _none: _("Progress entry deleted with its evidence."),
    )


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    listing = get_for_user(request, Listing, pk, select_related=RELATED)
    return _entry_write(
        request,
        listing,
        lambda: services.remove_evidence(listing, evidence_pk, acting_user=request.user),
        lambda name: _("Removed %(name)s.") % {"name": name},
    )


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
