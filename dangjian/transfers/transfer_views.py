"""A transfer's page with its actions, its printable letter, and the member's own requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import audit
from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors

from . import services
from .access import actions_for, get_transfer_for_user
from .forms import TargetForm
from .letter import letter_pdf
from .models import OPEN_TRANSFER_STATES, Transfer

DONE = {
    "approve": gettext_lazy("Request approved; the letter is issued."),
    "accept": gettext_lazy("Transfer accepted."),
    "reject": gettext_lazy("Transfer rejected."),
    "cancel": gettext_lazy("Transfer withdrawn."),
}


def _act(request: HttpRequest, transfer: Transfer, action: str) -> None:
    note = str(request.POST.get("note", ""))
    user = request.user
    if action == "approve":
        services.approve_request(transfer, letter_no=str(request.POST.get("letter_no", "")), acting_user=user)
    elif action == "accept":
        services.accept_transfer(transfer, note=note, acting_user=user)
    elif action == "reject":
        services.reject_transfer(transfer, note=note, acting_user=user)
    elif action == "cancel":
        services.cancel_transfer(transfer, note=note, acting_user=user)
    else:
        raise Http404


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_for_user(request, pk)
    if request.method == "POST":
        action = str(request.POST.get("action", ""))
        try:
            _act(request, transfer, action)
        except OutOfScope as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, str(DONE[action]))
        return redirect("transfer_detail", pk=transfer.pk)
    return render(
        request,
        "transfers/detail.html",
        {
            "t": transfer,
            "can": actions_for(request.user, transfer),
            "member_visible": in_scope(request.user, transfer.member, "view"),
        },
    )


@login_required
def transfer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_transfer_for_user(request, pk)
    if not actions_for(request.user, transfer).letter:
        raise Http404
    body = letter_pdf(transfer)
    audit.record(
        "transfer.export",
        actor=request.user,
        obj=transfer,
        org_path=transfer.from_org.path,
        detail="letter.pdf",
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename=transfer-letter-{transfer.pk}.pdf"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_transfer(request: HttpRequest) -> HttpResponse:
    """The member's own transfers, and a request for a new one (phone first)."""
    member = getattr(request.user, "member", None)
    transfers = (
        Transfer.objects.filter(member=member).select_related("from_org", "to_org")
        if member
        else Transfer.objects.none()
    )
    form = TargetForm(request.POST or None)
    if request.method == "POST" and member is not None and form.is_valid():
        try:
            services.request_transfer(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your request is sent to your branch."))
            return redirect("my_transfer")
    return render(
        request,
        "transfers/my_transfer.html",
        {
            "member": member,
            "transfers": transfers,
            "form": form,
            "has_open": any(t.state in OPEN_TRANSFER_STATES for t in transfers),
        },
    )
