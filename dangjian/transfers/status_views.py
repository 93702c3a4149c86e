"""A floating member's record (seen by both branches) and a lost-contact case with its search log."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.exceptions import OutOfScope
from dangjian.core.scoping import in_scope
from dangjian.core.views import apply_errors, get_for_user
from dangjian.core.workflow import attach_steps

from . import services
from .forms import CloseCaseForm, FloatingEditForm, ReturnForm, SearchForm
from .models import FloatingRecord, LostContactCase


def _run(form: Form, call: Any) -> bool:
    """Call the service with the form's data; put its refusal on the form. True on success."""
    if not form.is_valid():
        return False
    try:
        call()
    except ValidationError as exc:
        apply_errors(form, exc)
        return False
    return True


@login_required
def floating_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_for_user(request, FloatingRecord, pk, select_related=["member", "home_org", "managing_org"])
    home_side = in_scope(request.user, record.home_org, "change")
    post = request.POST if request.method == "POST" and home_side and record.is_open else None
    which = str(request.POST.get("form", "")) if post is not None else ""
    edit = FloatingEditForm(
        post if which == "edit" else None,
        initial={
            "destination": record.destination,
            "reason": record.reason,
            "managing_org": record.managing_org.code if record.managing_org else "",
            "managing_org_text": record.managing_org_text,
        },
    )
    back = ReturnForm(post if which == "return" else None)
    if which == "edit" and _run(
        edit, lambda: services.update_floating(record, edit.service_data(), acting_user=request.user)
    ):
        messages.success(request, _("Changes saved."))
        return redirect("floating_detail", pk=record.pk)
    if which == "return" and _run(
        back,
        lambda: services.record_return(
            record, returned_on=back.cleaned_data["returned_on"], acting_user=request.user
        ),
    ):
        messages.success(request, _("Return recorded; the member is active again."))
        return redirect("floating_detail", pk=record.pk)
    attach_steps([record])
    return render(
        request,
        "transfers/floating.html",
        {
            "r": record,
            "home_side": home_side,
            "can_reveal": bool(record.contact) and in_scope(request.user, record, "reveal_pii"),
            "member_visible": in_scope(request.user, record.member, "view"),
            "edit_form": edit,
            "return_form": back,
            "open_form": which,
        },
    )


@login_required
@require_POST
def floating_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_for_user(request, FloatingRecord, pk)
    try:
        value = services.reveal_contact(record, acting_user=request.user)
    except (OutOfScope, ValidationError) as exc:
        raise Http404 from exc
    return render(request, "members/_revealed.html", {"value": value})


@login_required
def lost_contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_for_user(request, LostContactCase, pk, select_related=["member__organization"])
    can_change = case.is_open and in_scope(request.user, case, "change")
    post = request.POST if request.method == "POST" and can_change else None
    which = str(request.POST.get("form", "")) if post is not None else ""
    search = SearchForm(post if which == "log" else None)
    close = CloseCaseForm(post if which == "close" else None)
    if which == "log" and _run(
        search, lambda: services.log_search(case, acting_user=request.user, **search.cleaned_data)
    ):
        messages.success(request, _("Search recorded."))
        return redirect("lost_contact_detail", pk=case.pk)
    if which == "close" and _run(
        close, lambda: services.close_case(case, acting_user=request.user, **close.cleaned_data)
    ):
        messages.success(request, _("Case closed."))
        return redirect("lost_contact_detail", pk=case.pk)
    attach_steps([case])
    return render(
        request,
        "transfers/lost_contact.html",
        {
            "case": case,
            "entries": case.entries.select_related("recorded_by"),  # type: ignore[attr-defined]
            "can_change": can_change,
            "search_form": search,
            "close_form": close,
            "open_form": which,
        },
    )
