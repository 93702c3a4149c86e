"""`/my/evaluation/` — the member's own part, on a phone: the self-assessment and rating the
others of their branch. The campaign is found through the member's own branch, so a member
account needs no grant to take part. The page shows only the ratings the member gave, never any
rating they received; after approval, their own grade.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.params import is_int
from dangjian.core.views import apply_errors
from dangjian.members.models import Member

from .forms import RateForm, SelfAssessmentForm
from .models import CampaignState, EvaluationCampaign, Grade, ProposedGrade, SelfAssessment
from .participation import rate_member, submit_self_assessment
from .queries import is_participant, own_campaign, participants, rated_by


def _post(request: HttpRequest, campaign: EvaluationCampaign, forms: dict[str, Any]) -> bool:
    """Run the submitted form's service; True when it succeeded."""
    which = str(request.POST.get("form", ""))
    if which == "self":
        form = forms["self"]
        if form.is_valid():
            try:
                submit_self_assessment(campaign, form.cleaned_data["text"], acting_user=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Self-assessment saved."))
                return True
    elif which == "rate":
        raw = str(request.POST.get("ratee", ""))
        ratee = Member.objects.filter(pk=int(raw)).first() if is_int(raw) else None
        form = forms["rate"].get(ratee.pk) if ratee else None
        if ratee is None or form is None:
            messages.error(request, _("You can rate only members evaluated in this branch."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                rate_member(campaign, ratee, data["grade"], data["comment"], acting_user=request.user)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Rating saved. Thank you."))
                return True
    return False


@login_required
def my_evaluation(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    context: dict[str, Any] = {"member": member}
    campaign = own_campaign(member, request.GET.get("year", "")) if member is not None else None
    if member is None or campaign is None:
        return render(request, "evaluation/my_evaluation.html", context)
    post = request.POST if request.method == "POST" else None
    if post is not None and str(post.get("campaign")) != str(campaign.pk):
        raise Http404  # a stale or foreign campaign id: only the member's own branch's
    taking_part = is_participant(member, campaign)
    today = timezone.localdate()
    is_open = campaign.state == CampaignState.OPEN and campaign.opens_on <= today <= campaign.closes_on
    given = rated_by(member, campaign)
    peers = [m for m in participants(campaign.branch) if m.pk != member.pk]
    own = SelfAssessment.objects.filter(campaign=campaign, member=member).first()
    forms: dict[str, Any] = {
        "self": SelfAssessmentForm(
            post if post and post.get("form") == "self" else None, initial={"text": own.text if own else ""}
        ),
        "rate": {
            p.pk: RateForm(
                post if post and post.get("form") == "rate" and post.get("ratee") == str(p.pk) else None,
                prefix_id=p.pk,
                initial={"grade": Grade.QUALIFIED},
            )
            for p in peers
        },
    }
    # Submitted forms always reach the services, which refuse with the reason (closed, not a
    # member of the branch, already rated…).
    if post is not None and _post(request, campaign, forms):
        return redirect(f"{request.path}?year={campaign.year}")
    grade = None
    if campaign.state == CampaignState.APPROVED:
        grade = ProposedGrade.objects.filter(campaign=campaign, member=member).first()
    context |= {
        "campaign": campaign,
        "taking_part": taking_part,
        "is_open": is_open,
        "own": own,
        "self_form": forms["self"],
        "peers": [(p, given.get(p.pk), forms["rate"][p.pk]) for p in peers],
        "grade_labels": dict(Grade.choices),
        "grade": grade,
        "rated": len(given),
    }
    return render(request, "evaluation/my_evaluation.html", context)
