"""A transfer's page with its actions, its printable letter, and the member's own requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.core import audit
from dangjian.core.exceptions import OutOfScope
from dangjian.core.params import is_int
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors
from dangjian.core.workflow import attach_steps

from . import services
from .access import actions_for, get_transfer_for_user
from .forms import TargetForm
from .letter import letter_pdf
from .models import OPEN_TRANSFER_STATES, Transfer
from .transfer_workflows import TRANSFER_FLOW


def _act(request: HttpRequest, transfer: Transfer, action: str) -> None:
    """Take the move the pressed button names, at the version the page was drawn at (a page
    drawn before someone else's move is refused, and nothing changes)."""
    if action not in TRANSFER_FLOW.by_name:
        raise Http404
    raw_version = str(request.POST.get("version", ""))
    version = int(raw_version) if is_int(raw_version) and len(raw_version) < 12 else None
    note = str(request.POST.get("note", ""))
    user = request.user
    if action == "approve":
        letter_no = str(request.POST.get("letter_no", ""))
        services.approve_request(transfer, letter_no=letter_no, acting_user=user, expected_version=version)
    elif action == "accept":
        services.accept_transfer(transfer, note=note, acting_user=user, expected_version=version)
    elif action == "reject":
        services.reject_transfer(transfer, note=note, acting_user=user, expected_version=version)
    else:
        services.cancel_transfer(transfer, note=note, acting_user=user, expected_version=version)


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
            messages.success(request, str(TRANSFER_FLOW.by_name[action].done))
        return redirect("transfer_detail", pk=transfer.pk)
    attach_steps([transfer])
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
