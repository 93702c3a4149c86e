"""Points pages: a member's ledger and rank (phone first), an organization's table, the yearly
export, accrual, and approving hand entries.

Who sees what: the branch's table of names and totals needs the `change` scope (the people who
keep the ledger); anyone who may only view the organization sees how many members have a
ledger this year, not the names. A member sees their own ledger and rank.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core import audit
from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from . import services
from .accrual import accrue
from .exports import totals_xlsx
from .forms import EntryForm
from .queries import (
    KIND_COLUMNS,
    branch_table,
    child_coverage,
    coverage,
    member_ledger,
    org_members,
    pending_entries,
    source_url,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def year_param(request: HttpRequest) -> int:
    """`?year=`; this year when absent or out of range (pages do not fail on a bad link)."""
    raw = request.GET.get("year", "")
    return int(raw) if is_int(raw) and 2000 <= int(raw) <= 2100 else timezone.localdate().year


def _propose(request: HttpRequest, form: EntryForm, member: Any) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        services.propose_entry(
            member or data["member"],
            data["rule"],
            reason=data["reason"],
            occurred_on=data["occurred_on"],
            quantity=data["quantity"],
            acting_user=request.user,
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    messages.success(request, _("Entry added; it counts once approved."))
    return True


@login_required
def my_points(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    year = year_param(request)
    context: dict[str, Any] = {"member": member, "year": year}
    if member is not None:
        rules = services.manual_rules(member.organization, timezone.localdate().year)
        form = EntryForm(request.POST if request.method == "POST" else None, rules=rules)
        if request.method == "POST" and _propose(request, form, member):
            return redirect("my_points")
        ledger = member_ledger(member, year)
        attach_steps(ledger.entries)
        context |= {
            "ledger": ledger,
            "rows": [(e, ledger.labels.get(e.pk, ""), source_url(e, own=True)) for e in ledger.entries],
            "form": form if rules else None,
        }
    return render(request, "points/my_points.html", context)


@login_required
def org_points(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    year = year_param(request)
    can_change = in_scope(request.user, org, "change")
    context: dict[str, Any] = {
        "org": org,
        "year": year,
        "can_change": can_change,
        "can_export": in_scope(request.user, org, "export"),
        "is_committee": org.kind in COMMITTEE_KINDS,
        "kinds": KIND_COLUMNS,
    }
    if org.holds_members and can_change:
        rules = services.manual_rules(org, timezone.localdate().year)
        form = EntryForm(
            request.POST if request.method == "POST" else None, members=org_members(org), rules=rules
        )
        if request.method == "POST" and _propose(request, form, None):
            return redirect(f"{request.path}?year={year}")
        context |= {"table": branch_table(org, year), "form": form if rules else None}
    elif org.holds_members:
        context["own"] = coverage(org.path, year).get(org.path, (0, 0))
    if not org.is_branch:
        context["children"] = child_coverage(org, year)
    if can_change:
        pending = list(pending_entries(org, request.user))
        attach_steps(pending)
        context["pending"] = pending
    return render(request, "points/org_points.html", context)


@login_required
def org_points_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "export")
    year = year_param(request)
    body = totals_xlsx(org, year)
    audit.record(
        "points.export", actor=request.user, obj=org, org_path=org.path, detail=f"points.xlsx {year}"
    )
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=points-{org.code}-{year}.xlsx"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def org_points_accrue(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "change")
    year = year_param(request)
    try:
        result = accrue(org, year, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Points brought up to date: %(created)s new entries, %(removed)s removed.")
            % {"created": result.created, "removed": result.removed},
        )
    return redirect(f"/orgs/{org.pk}/points/?year={year}")
