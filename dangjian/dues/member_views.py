"""The secretary's page for one member's dues: set the profile, record a payment, propose a
reduction; and the POST-only actions: void a payment, approve or reject a reduction."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps
from dangjian.members.models import Member

from . import services
from .forms import PaymentForm, ProfileForm, ReductionForm
from .models import DuesPayment, DuesProfile
from .months import this_month
from .queries import flag_for, member_statement

PROFILE_HISTORY_LIMIT = 24


def _submit(request: HttpRequest, member: Member, which: str, form: Form) -> bool:
    """Run the service behind the submitted form; True when it succeeded."""
    if request.POST.get("form") != which or not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if which == "profile":
            services.set_profile(
                member,
                data["category"],
                base=data["base"],
                fixed_amount=data["fixed"],
                effective_from=data["effective_from"],
                acting_user=request.user,
            )
            messages.success(request, _("Dues profile saved."))
        elif which == "payment":
            payment = services.record_payment(member, acting_user=request.user, **data)
            messages.success(
                request, _("Payment recorded: receipt %(receipt)s.") % {"receipt": payment.receipt_no}
            )
        else:
            services.propose_reduction(member, acting_user=request.user, **data)
            messages.success(
                request, _("Reduction proposed; it applies once the committee above approves it.")
            )
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    return True


@login_required
def member_dues(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(request, Member, pk, "change", select_related=["organization"])
    post = request.POST if request.method == "POST" else None
    month = this_month()
    forms: dict[str, Any] = {
        "profile": ProfileForm(post if post and post.get("form") == "profile" else None),
        "payment": PaymentForm(
            post if post and post.get("form") == "payment" else None,
            initial={"period_from": month, "period_to": month},
        ),
        "reduction": ReductionForm(post if post and post.get("form") == "reduction" else None),
    }
    if post is not None:
        which = str(post.get("form", ""))
        if which in forms and _submit(request, member, which, forms[which]):
            return redirect("member_dues", pk=member.pk)
    statement = member_statement(member, month)
    attach_steps(statement.reductions)
    if not forms["payment"].is_bound and statement.current.amount:
        forms["payment"].initial["amount"] = statement.current.amount
    profiles = DuesProfile.objects.filter(member=member).select_related("set_by")[:PROFILE_HISTORY_LIMIT]
    return render(
        request,
        "dues/member_dues.html",
        {
            "member": member,
            "month": month,
            "statement": statement,
            "profiles": profiles,
            "open_form": str(post.get("form", "")) if post else "",
            "statement_flag": flag_for(statement.unpaid),
            "form_cards": [
                ("payment", _("Record a payment"), forms["payment"], _("Record payment")),
                ("profile", _("Set the dues profile"), forms["profile"], _("Save profile")),
                ("reduction", _("Propose a reduction or exemption"), forms["reduction"], _("Propose")),
            ],
        },
    )


@login_required
@require_POST
def payment_void(request: HttpRequest, pk: int) -> HttpResponse:
    payment = get_for_user(request, DuesPayment, pk, "change")
    try:
        services.void_payment(payment, str(request.POST.get("reason", "")), acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Payment voided."))
    return redirect("member_dues", pk=payment.member_id)
