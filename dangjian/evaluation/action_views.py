"""POST-only actions of the campaign page: the state moves, dates, grades, handling decisions and
their follow-ups. Each finds its object through the user's scope (404 outside it), calls one
service, and goes back to the campaign page with the service's message."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from dangjian.core.exceptions import OutOfScope
from dangjian.core.params import is_int
from dangjian.core.views import get_for_user

from . import handling as handling_services
from . import services
from .forms import CampaignForm, FollowUpForm, HandlingForm
from .models import EvaluationCampaign, Handling


def _page(campaign: EvaluationCampaign) -> HttpResponse:
    return redirect(f"/orgs/{campaign.branch_id}/evaluation/?year={campaign.year}")


def _run(request: HttpRequest, call: Callable[[], Any], done: str) -> None:
    try:
        call()
    except OutOfScope as exc:  # e.g. a member, who may view the campaign, trying a branch step
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


# The messages are marked for translation here and translated when shown.
STEPS: dict[str, tuple[Callable[..., Any], str]] = {
    "open": (services.open_campaign, gettext_noop("Campaign opened: members may self-assess and rate.")),
    "close_rating": (services.close_rating, gettext_noop("Rating closed: set the grades.")),
    "propose": (services.propose, gettext_noop("Grades proposed to the committee above.")),
}


@login_required
@require_POST
def campaign_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """open, close_rating, propose (the branch); approve, return (the level above, which sees
    the campaign through its view of the subtree: the service checks its change scope above)."""
    campaign = get_for_user(request, EvaluationCampaign, pk, select_related=["branch"])
    note = str(request.POST.get("note", ""))
    if step == "approve":
        _run(
            request,
            lambda: services.approve(campaign, note=note, acting_user=request.user),
            _("Grades approved."),
        )
    elif step == "return":
        _run(
            request,
            lambda: services.return_campaign(campaign, note=note, acting_user=request.user),
            _("Grades returned to the branch."),
        )
    elif step in STEPS:
        service, done = STEPS[step]
        _run(request, lambda: service(campaign, acting_user=request.user), _(done))
    else:
        raise Http404
    return _page(campaign)


@login_required
@require_POST
def campaign_dates(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request, EvaluationCampaign, pk, "change")
    form = CampaignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter both dates."))
    else:
        data = form.cleaned_data
        _run(
            request,
            lambda: services.change_dates(
                campaign, data["opens_on"], data["closes_on"], acting_user=request.user
            ),
            _("Dates changed."),
        )
    return _page(campaign)


@login_required
@require_POST
def campaign_grades(request: HttpRequest, pk: int) -> HttpResponse:
    """`grade_<member id>` and `note_<member id>` for each member graded in the form."""
    campaign = get_for_user(request, EvaluationCampaign, pk, "change")
    items = [
        {
            "member": int(key[6:]),
            "grade": value,
            "note": request.POST.get(f"note_{key[6:]}", ""),
        }
        for key, value in request.POST.items()
        if key.startswith("grade_") and is_int(key[6:]) and value
    ]
    _run(request, lambda: services.set_grades(campaign, items, acting_user=request.user), _("Grades saved."))
    return _page(campaign)


@login_required
@require_POST
def handling_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(request, EvaluationCampaign, pk, "change")
    choices = [(int(v), v) for v in [request.POST.get("member", "")] if is_int(v)]
    form = HandlingForm(request.POST, members=choices)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return _page(campaign)
    data = form.cleaned_data
    member = handling_services.unqualified_member(campaign, data["member"])
    if member is None:
        messages.error(request, _("Only a member graded unqualified in this campaign is handled."))
        return _page(campaign)
    _run(
        request,
        lambda: handling_services.create_handling(
            campaign,
            member,
            data["measure"],
            deadline=data["deadline"],
            note=data["note"],
            acting_user=request.user,
        ),
        _("Handling recorded."),
    )
    return _page(campaign)


@login_required
@require_POST
def handling_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    handling = get_for_user(request, Handling, pk, "change", select_related=["campaign"])
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the date and the follow-up."))
    else:
        data = form.cleaned_data
        _run(
            request,
            lambda: handling_services.add_follow_up(
                handling, data["text"], on=data["on"], acting_user=request.user
            ),
            _("Follow-up added."),
        )
    return _page(handling.campaign)


@login_required
@require_POST
def handling_close(request: HttpRequest, pk: int) -> HttpResponse:
    handling = get_for_user(request, Handling, pk, "change", select_related=["campaign"])
    outcome = str(request.POST.get("outcome", ""))
    _run(
        request,
        lambda: handling_services.close_handling(handling, outcome, acting_user=request.user),
        _("Handling closed."),
    )
    return _page(handling.campaign)
