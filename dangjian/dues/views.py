"""Dues pages: a member's own dues (phone first), an organization's month, the collection sheet.

Who sees what: per-member amounts and bases reveal income, so an organization's member table
needs the `change` scope (secretary, organizer, committee staff); anyone who may only view the
organization (a member, a supervisor) sees its collection rate, not the names. A committee sees
its children's rates and the reductions waiting for its approval.
"""

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.dates import add_months
from dangjian.core.scoping import in_scope
from dangjian.core.tree import subtree_q
from dangjian.core.uploads import download_response
from dangjian.core.views import apply_errors, get_for_user
from dangjian.organizations.models import Organization

from .exports import collection_sheet_xlsx
from .forms import InstructionsForm
from .instructions import effective_instructions, open_qr, own_instructions, set_instructions
from .models import DuesReduction, ReductionState
from .months import label, parse_month, this_month
from .queries import (
    FLAG_ART9,
    FLAG_SERIOUS,
    FLAG_WARN,
    branch_month,
    child_rates,
    collection_rates,
    member_statement,
)
from .workflows import REDUCTION_FLOW

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PENDING_LIMIT = 100
OWED_SHOWN = 12


def month_param(request: HttpRequest) -> date:
    """`?month=YYYY-MM`; this month when absent or not a month (pages do not fail on a bad link)."""
    try:
        return parse_month(request.GET.get("month", ""))
    except ValidationError:
        return this_month()


def _nav(month: date) -> dict[str, str]:
    return {"prev_month": label(add_months(month, -1)), "next_month": label(add_months(month, 1))}


@login_required
def my_dues(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    context: dict[str, Any] = {"member": member, "month": this_month()}
    if member is not None:
        statement = member_statement(member, context["month"])
        context |= {
            "statement": statement,
            "how_to_pay": effective_instructions(member.organization),
            "owed_shown": statement.owed[-OWED_SHOWN:][::-1],
            "owed_more": max(0, len(statement.owed) - OWED_SHOWN),
            "flags": {"warn": FLAG_WARN, "serious": FLAG_SERIOUS, "art9": FLAG_ART9},
        }
    return render(request, "dues/my_dues.html", context)


def _pending_reductions(request: HttpRequest, org: Organization) -> list[tuple[DuesReduction, bool]]:
    """Reductions awaiting approval in the subtree, each with whether this user may decide it
    (the workflow's own rule: change scope on the deciding branch's parent, not the proposer)."""
    rows = list(
        DuesReduction.objects.filter(
            subtree_q(org.path, "member__organization__path"), state=ReductionState.PROPOSED
        )
        .restrict(request.user, "change")
        .select_related("member", "organization")
        .order_by("decided_at", "id")[:PENDING_LIMIT]
    )
    return [(r, bool(REDUCTION_FLOW.allowed(request.user, r))) for r in rows]


@login_required
def org_dues(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk)
    month = month_param(request)
    can_change = in_scope(request.user, org, "change")
    context: dict[str, Any] = {
        "org": org,
        "month": month,
        "can_change": can_change,
        "can_export": in_scope(request.user, org, "export"),
        "is_current": month == this_month(),
        **_nav(month),
    }
    if org.holds_members:
        if can_change:
            context["data"] = branch_month(org, month)
        else:
            context["own_rate"] = collection_rates(org.path, month).get(org.pk)
    if not org.is_branch:
        context["children"] = child_rates(org, month)
    if can_change:
        context["pending"] = _pending_reductions(request, org)
    return render(request, "dues/org_dues.html", context)


@login_required
def org_dues_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_for_user(request, Organization, pk, "export")
    month = month_param(request)
    body = collection_sheet_xlsx(org, month)
    audit.record(
        "dues.export", actor=request.user, obj=org, org_path=org.path, detail=f"dues.xlsx {label(month)}"
    )
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename=dues-{org.code}-{label(month)}.xlsx"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def org_payment_instructions(request: HttpRequest, pk: int) -> HttpResponse:
    """The organization's own way to pay dues (secretary, organizer, committee staff above)."""
    org = get_for_user(request, Organization, pk, "change")
    own = own_instructions(org)
    initial: dict[str, Any] = {"version": own.version if own else 0}
    if own is not None:
        initial |= {f: getattr(own, f) for f in InstructionsForm.base_fields if hasattr(own, f)}
    form = InstructionsForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                set_instructions(
                    org,
                    data,
                    qr=data["qr"],
                    remove_qr=data["remove_qr"],
                    expected_version=data["version"] if data["version"] is not None else None,
                    acting_user=request.user,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 409 if getattr(exc, "code", None) == "stale" else 400
            else:
                messages.success(request, _("How to pay dues saved."))
                return redirect("org_payment_instructions", pk=org.pk)
        else:
            status = 400
    effective = effective_instructions(org)
    context = {
        "org": org,
        "form": form,
        "own": own,
        "inherited": effective if effective is not None and effective.inherited else None,
    }
    return render(request, "dues/payment_instructions.html", context, status=status)


@login_required
def payment_qr(request: HttpRequest, pk: int) -> FileResponse:
    """The QR image of the collection account that applies to this organization (its own or
    inherited): for those who may view the organization, and for its own members."""
    member = getattr(request.user, "member", None)
    if member is not None and member.organization_id == pk:
        org = member.organization
    else:
        org = get_for_user(request, Organization, pk)
    effective = effective_instructions(org)
    stored = open_qr(effective.instructions) if effective is not None else None
    if effective is None or stored is None:
        raise Http404
    return download_response(stored, "qr", effective.instructions.qr_type, inline=True)
