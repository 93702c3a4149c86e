"""Pages of term changes: an organization's (its term, its term changes, the request; for a
committee, the terms below it ending within six months or overdue) and one term change (its
request, results, moves and history)."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.dates import add_months
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.members.models import Member, MemberCategory, MemberStatus
from dangjian.organizations.models import Organization
from dangjian.supervision.common import int_param

from . import services
from .forms import RequestForm, ResultsForm
from .models import OPEN, TO_DECIDE, TermChange, TermChangeState
from .workflows import ORGANIZATION, TERM_FLOW

BELOW_MAX = 100


def _terms_below(request: HttpRequest, org: Organization) -> list[Organization]:
    """Organizations below whose term ends within six months or has ended, soonest first, each
    with its term change under way (`open_change`), if any."""
    horizon = add_months(timezone.localdate(), 6)
    rows = list(
        Organization.objects.restrict(request.user, "view")
        .filter(path__startswith=org.path, depth__gt=org.depth, term_due_end__lte=horizon)
        .order_by("term_due_end", "path")[:BELOW_MAX]
    )
    under_way = {
        tc.organization_id: tc
        for tc in TermChange.objects.filter(organization__in=rows, state__in=OPEN).only(
            "pk", "organization_id", "state"
        )
    }
    for row in rows:
        row.open_change = under_way.get(row.pk)  # type: ignore[attr-defined]
    return rows


def _under_way_below(request: HttpRequest, org: Organization) -> list[TermChange]:
    """Term changes under way below, those waiting for a decision first, then by planned day."""
    rows = (
        TermChange.objects.restrict(request.user, "view")
        .filter(organization__path__startswith=org.path, organization__depth__gt=org.depth, state__in=OPEN)
        .select_related("organization")
        .order_by("planned_on", "id")[:BELOW_MAX]
    )
    return sorted(rows, key=lambda tc: tc.state not in TO_DECIDE)


@login_required
def org_term_changes(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    changes = list(TermChange.objects.restrict(request.user, "view").filter(organization=org))
    requests = services.may_request(request.user, org) and org.depth > 1
    requests = requests and not any(tc.state in OPEN for tc in changes)
    form = RequestForm(request.POST if request.method == "POST" and requests else None)
    if form.is_bound and form.is_valid():
        try:
            tc = services.request_term_change(org, form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Request filed with the committee above."))
            return redirect("term_change", pk=tc.pk)
    return render(
        request,
        "elections/org_terms.html",
        {
            "org": org,
            "changes": changes,
            "form": form,
            "requests": requests,
            "below": _terms_below(request, org) if org.numchild else [],
            "under_way": _under_way_below(request, org) if org.numchild else [],
            "today": timezone.localdate(),
        },
    )


def _members(tc: TermChange) -> list[tuple[int, str]]:
    rows = Member.objects.filter(
        organization_id=tc.organization_id, status=MemberStatus.ACTIVE, category=MemberCategory.FULL
    ).order_by("name", "id")
    return [(m.pk, m.name) for m in rows.only("pk", "name")]


def _results_form(request: HttpRequest, tc: TermChange) -> ResultsForm:
    elected = list(tc.elected.all())
    initial: dict[str, Any] = {"held_on": tc.held_on}
    for i, e in enumerate(elected):
        initial.update({f"member_{i}": e.member_id, f"post_{i}": e.post, f"votes_{i}": e.votes})
    data = request.POST if request.method == "POST" and request.POST.get("form") == "results" else None
    return ResultsForm(data, seats=tc.seats, members=_members(tc), initial=initial)


@login_required
def term_change(request: HttpRequest, pk: int) -> HttpResponse:
    tc = get_for_user(request, TermChange, pk, select_related=["organization"])
    writes = ORGANIZATION(request.user, tc)
    editing = writes and tc.state in services.EDITABLE
    posted = request.POST.get("form") if request.method == "POST" else None
    edit_form = RequestForm(
        request.POST if posted == "request" and editing else None,
        initial={f: getattr(tc, f) for f in services.REQUEST_FIELDS},
    )
    results = writes and tc.state == TermChangeState.APPROVED
    results_form = _results_form(request, tc) if results else None
    version = int_param(request.POST.get("version"))
    try:
        if edit_form.is_bound and edit_form.is_valid():
            services.update_request(
                tc, edit_form.cleaned_data, expected_version=version, acting_user=request.user
            )
            messages.success(request, _("Request corrected."))
            return redirect("term_change", pk=tc.pk)
        if results_form is not None and results_form.is_bound and results_form.is_valid():
            data = results_form.cleaned_data
            seats = [
                services.Seat(data[f"member_{i}"], data[f"post_{i}"], data[f"votes_{i}"])
                for i in range(tc.seats)
                if data.get(f"member_{i}")
            ]
            services.record_results(
                tc, data["held_on"], seats, expected_version=version, acting_user=request.user
            )
            messages.success(request, _("Results saved; report them to the committee above when complete."))
            return redirect("term_change", pk=tc.pk)
    except ValidationError as exc:
        form = edit_form if posted == "request" else results_form
        if form is not None:
            apply_errors(form, exc)
        else:
            messages.error(request, " ".join(exc.messages))
    attach_steps([tc])
    return render(
        request,
        "elections/term_change.html",
        {
            "tc": tc,
            "elected": list(tc.elected.select_related("member")),
            "moves": TERM_FLOW.allowed(request.user, tc),
            "edit_form": edit_form if editing else None,
            "results_form": results_form,
        },
    )
