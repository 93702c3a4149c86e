"""The committee's development pages: the yearly plan up the tree (per child organization the
plan, the admissions so far and their structure, the pipeline), the table to set the plans of
every grassroots committee below, and the steps waiting for the level above."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.exceptions import OutOfScope
from dangjian.core.views import get_for_user
from dangjian.organizations.models import COMMITTEE_KINDS, Organization
from dangjian.supervision.common import int_param, is_int

from . import services
from .models import OPEN_STAGES, Plan, Stage
from .plans import child_figures, grassroots, waiting_above
from .services.plan import FIRST_YEAR, NUMBERS, SETS_PLAN, target_labels
from .steps import STEPS, next_numbers
from .workflows import DEVELOPMENT_FLOW

GATE = DEVELOPMENT_FLOW.gate
PAGE_SIZE = 50


def plan_year(raw: Any) -> int:
    """`?year=`: this year when absent or out of range; next year's plan may be set already."""
    this_year = timezone.localdate().year
    raw = str(raw or "")
    return int(raw) if is_int(raw) and FIRST_YEAR <= int(raw) <= this_year + 1 else this_year


def _committee(request: HttpRequest, pk: int) -> Organization:
    org = get_for_user(request, Organization, pk, GATE)
    if org.kind not in COMMITTEE_KINDS:
        raise Http404
    return org


def _years() -> list[int]:
    this_year = timezone.localdate().year
    return [this_year + 1, this_year, this_year - 1, this_year - 2]


@login_required
def plan(request: HttpRequest, pk: int) -> HttpResponse:
    org = _committee(request, pk)
    year = plan_year(request.GET.get("year"))
    children, own, total = child_figures(org, year)
    labels = target_labels()
    return render(
        request,
        "development/plan.html",
        {
            "org": org,
            "year": year,
            "years": _years(),
            "children": children,
            "own": own,
            "total": total,
            "targets": [labels[n] for n in NUMBERS[1:]],
            "stages": [Stage(s).label for s in OPEN_STAGES],
        },
    )


@dataclass
class PlanRow:
    committee: Organization
    plan: Plan | None
    values: dict[str, Any]
    editable: bool

    @property
    def version(self) -> int:
        return self.plan.version if self.plan else 0

    @property
    def cells(self) -> list[tuple[str, str, Any]]:
        labels = target_labels()
        return [(n, labels[n], self.values.get(n, "")) for n in NUMBERS]


def _value(plan: Plan | None, name: str) -> Any:
    return getattr(plan, name) if plan else ""


@login_required
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _committee(request, pk)
    year = plan_year(request.POST.get("year") or request.GET.get("year"))
    committees = list(grassroots(org).order_by("path"))
    plans = {p.organization_id: p for p in Plan.objects.filter(organization__in=committees, year=year)}
    rows = [
        PlanRow(
            c,
            plans.get(c.pk),
            {n: _value(plans.get(c.pk), n) for n in (*NUMBERS, "note")},
            bool(SETS_PLAN(request.user, c)),
        )
        for c in committees
    ]
    if not any(r.editable for r in rows) and request.method == "POST":
        raise Http404
    if request.method == "POST":
        entries = []
        for row in rows:
            if not row.editable:
                continue
            posted = {
                n: str(request.POST.get(f"c{row.committee.pk}-{n}", "")).strip() for n in (*NUMBERS, "note")
            }
            row.values = posted
            if row.plan is None and not any(posted.values()):
                continue  # no plan, none entered
            version = int_param(request.POST.get(f"c{row.committee.pk}-version"))
            entries.append((row.committee, posted, version if version is not None else 0))
        try:
            changed = services.set_plans(year, entries, acting_user=request.user)
        except OutOfScope as exc:
            raise Http404 from exc
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Development plans saved for %(year)s: %(n)s changed.") % {"year": year, "n": len(changed)},
            )
            return redirect(reverse("org_development_plan", args=[org.pk]) + f"?year={year}")
    labels = target_labels()
    return render(
        request,
        "development/plan_edit.html",
        {
            "org": org,
            "year": year,
            "years": _years(),
            "rows": rows,
            "numbers": [(n, labels[n]) for n in NUMBERS],
            "editable": any(r.editable for r in rows),
        },
    )


@login_required
def waiting(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, GATE)
    if org.holds_members:
        raise Http404
    today = timezone.localdate()
    rows = waiting_above(org).restrict(request.user, GATE)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.prev_query = f"page={page.previous_page_number()}" if page.has_previous() else ""  # type: ignore[attr-defined]
    page.next_query = f"page={page.next_page_number()}" if page.has_next() else ""  # type: ignore[attr-defined]
    for row in page.object_list:
        number = next_numbers(row)[-1]
        row.next_title = STEPS[number].title  # type: ignore[attr-defined]
        row.next_number = number  # type: ignore[attr-defined]
        row.due_by = row.approval_due if number in (16, 17) else None  # type: ignore[attr-defined]
        row.late = bool(row.due_by and row.due_by < today)  # type: ignore[attr-defined]
    return render(request, "development/waiting.html", {"org": org, "page": page})
