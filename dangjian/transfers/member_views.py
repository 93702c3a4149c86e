"""One member's movements and status on one page: transfers, floating, lost contact, probation —
the history, and for the branch (change scope) the forms that start each."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.members.models import Member, MemberCategory, MemberStatus

from . import services
from .forms import CaseForm, FloatingForm, ProbationForm, StartTransferForm
from .models import FloatingRecord, LostContactCase, ProbationDecision, Transfer
from .probation import member_probation_end
from .queries import open_items
from .services.probation import may_review
from .services.transfers import MOVABLE


def _forms(member: Member, post: Any, which: str) -> dict[str, Form]:
    def bound(name: str) -> Any:
        return post if post is not None and which == name else None

    return {
        "transfer": StartTransferForm(bound("transfer")),
        "floating": FloatingForm(bound("floating")),
        "lost": CaseForm(bound("lost")),
        "probation": ProbationForm(bound("probation"), member=member),
    }


def _calls(member: Member, user: Any) -> dict[str, Callable[[dict[str, Any]], Any]]:
    return {
        "transfer": lambda d: services.start_transfer(member, acting_user=user, **d),
        "floating": lambda d: services.register_floating(member, d, acting_user=user),
        "lost": lambda d: services.open_case(member, acting_user=user, **d),
        "probation": lambda d: services.record_decision(member, acting_user=user, **d),
    }


DONE = {
    "transfer": gettext_lazy("Transfer started; the letter is issued."),
    "floating": gettext_lazy("Floating member registered."),
    "lost": gettext_lazy("Lost-contact case opened."),
    "probation": gettext_lazy("Decision recorded; it takes effect once the committee above approves it."),
    "approve_decision": gettext_lazy("Decision approved."),
    "reject_decision": gettext_lazy("Decision not approved."),
}
REVIEWS = {
    "approve_decision": services.approve_decision,
    "reject_decision": services.reject_decision,
}


def _review(request: HttpRequest, member: Member, which: str) -> HttpResponse:
    """The committee above approves or rejects a decision of the member's branch."""
    raw = str(request.POST.get("decision", ""))
    decision = ProbationDecision.objects.filter(member=member, pk=int(raw)).first() if is_int(raw) else None
    if decision is None:
        raise Http404
    raw_version = str(request.POST.get("version", ""))
    try:
        REVIEWS[which](
            decision,
            note=str(request.POST.get("note", "")),
            expected_version=int(raw_version) if is_int(raw_version) and len(raw_version) < 12 else None,
            acting_user=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, str(DONE[which]))
    return redirect("member_membership", pk=member.pk)


def _offered(member: Member, items: dict[str, Any]) -> set[str]:
    """Which forms make sense for the member now (the services enforce the same rules)."""
    offered = set()
    if member.status in MOVABLE and items["open_transfer"] is None:
        offered.add("transfer")
    if member.status == MemberStatus.ACTIVE:
        offered.add("floating")
    if member.status in (*MOVABLE, MemberStatus.LOST_CONTACT) and items["open_case"] is None:
        offered.add("lost")
    if member.category == MemberCategory.PROBATIONARY and member.status != MemberStatus.LEFT:
        offered.add("probation")
    return offered


@login_required
def membership(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(request, Member, pk, select_related=["organization"])
    can_change = in_scope(request.user, member, "change")
    post = request.POST if request.method == "POST" and can_change else None
    which = str(request.POST.get("form", "")) if post is not None else ""
    if post is not None and which in REVIEWS:
        return _review(request, member, which)
    forms = _forms(member, post, which)
    if post is not None and which in forms and forms[which].is_valid():
        try:
            result = _calls(member, request.user)[which](dict(forms[which].cleaned_data))
        except ValidationError as exc:
            apply_errors(forms[which], exc)
        else:
            messages.success(request, str(DONE[which]))
            if isinstance(result, Transfer):
                return redirect("transfer_detail", pk=result.pk)
            return redirect("member_membership", pk=member.pk)
    items = open_items(member)
    offered = _offered(member, items) if can_change else set()
    titles = {
        "transfer": _("Start a transfer"),
        "floating": _("Register as floating"),
        "lost": _("Open a lost-contact case"),
        "probation": _("Record the assembly's probation decision"),
    }
    decisions = list(
        ProbationDecision.objects.filter(member=member).select_related("meeting", "member__organization")
    )
    attach_steps(decisions)
    # Whoever may see the member sees all of their history, wherever it happened.
    context = {
        "member": member,
        "can_change": can_change,
        # The tables name the member on each row: joined, or one query per row.
        "transfers": Transfer.objects.filter(member=member).select_related("member", "from_org", "to_org"),
        "floating": FloatingRecord.objects.filter(member=member).select_related(
            "member", "home_org", "managing_org"
        ),
        "cases": LostContactCase.objects.filter(member=member),
        "decisions": [(d, may_review(request.user, d)) for d in decisions],
        "probation_end": member_probation_end(member)
        if member.category == MemberCategory.PROBATIONARY
        else None,
        "form_cards": [(name, titles[name], forms[name]) for name in forms if name in offered],
        "open_form": which,
        **items,
    }
    return render(request, "transfers/membership.html", context)
