"""What members write themselves: their self-assessment and their ratings of the others.

Only a member evaluated in the campaign's branch, through the account linked to them, and only
while the campaign is open and today lies between its opening and closing dates.

Ratings are anonymous (see `models`): the audit entry of a rating names the campaign, never the
member rated, and no refusal message names them either — a failed attempt is audited too, with
its message, and must not tell the log's readers whom someone tried to rate.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core import audit, events
from dangjian.core.services import write_service
from dangjian.members.models import Member

from .models import CampaignState, EvaluationCampaign, Grade, PeerRating, SelfAssessment
from .queries import is_participant
from .services import locked

TEXT_MAX = 5000
COMMENT_MAX = 300


def _acting_member(acting_user: Any) -> Member | None:
    member_id = getattr(acting_user, "member_id", None)
    return Member.objects.filter(pk=member_id).first() if member_id else None


def _check_window(campaign: EvaluationCampaign, today: date) -> None:
    if campaign.state != CampaignState.OPEN:
        raise ValidationError(_("The campaign is not open for self-assessment and rating."), code="closed")
    if not campaign.opens_on <= today <= campaign.closes_on:
        raise ValidationError(
            _("Self-assessment and rating are open from %(first)s to %(last)s.")
            % {"first": campaign.opens_on, "last": campaign.closes_on},
            code="window",
        )


def _own_member(campaign: EvaluationCampaign, acting_user: Any) -> Member:
    member = _acting_member(acting_user)
    if member is None or not is_participant(member, campaign):
        raise ValidationError(
            _("Only members of this branch on the roll, signed in with their own account, take part."),
            code="not_member",
        )
    return member


@write_service("evaluation.self_assessment")
def submit_self_assessment(
    campaign: EvaluationCampaign, text: str, *, acting_user: Any, today: date | None = None
) -> SelfAssessment:
    """Write (or rewrite, while the campaign is open) one's own self-assessment."""
    campaign = locked(campaign)
    member = _own_member(campaign, acting_user)
    _check_window(campaign, today or timezone.localdate())
    text = (text or "").strip()
    if not text or len(text) > TEXT_MAX:
        raise ValidationError({"text": _("Write your self-assessment (at most 5000 characters).")})
    row, created = SelfAssessment.objects.update_or_create(
        campaign=campaign, member=member, defaults={"text": text, "submitted_at": timezone.now()}
    )
    audit.record(
        "evaluation.self_assessment",
        actor=acting_user,
        obj=campaign,
        org_path=campaign.branch.path,
        changes={"self_assessment": [None if created else "updated", len(text)]},
    )
    events.changed("evaluation.self_assessment", campaign.branch.pk)
    return row


@write_service("evaluation.rate")
def rate_member(
    campaign: EvaluationCampaign,
    ratee: Member,
    grade: str,
    comment: str = "",
    *,
    acting_user: Any,
    today: date | None = None,
) -> None:
    """Rate another member of the branch, once. Returns nothing: the rating is not to be handed
    around, only counted."""
    campaign = locked(campaign)
    rater = _own_member(campaign, acting_user)
    _check_window(campaign, today or timezone.localdate())
    ratee = Member.objects.get(pk=ratee.pk)
    if not is_participant(ratee, campaign):
        raise ValidationError(_("You can rate only members evaluated in this branch."), code="ratee")
    if ratee.pk == rater.pk:
        raise ValidationError(
            _("Rate the others; your own view goes into your self-assessment."), code="self"
        )
    if grade not in Grade.values:
        raise ValidationError({"grade": _("Choose a grade.")})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise ValidationError({"comment": _("Keep the comment to at most 300 characters.")})
    if PeerRating.objects.filter(campaign=campaign, rater=rater, ratee=ratee).exists():
        raise ValidationError(
            _("You have already rated this member; a rating cannot be changed."), code="twice"
        )
    try:
        with transaction.atomic():
            PeerRating.objects.create(
                campaign=campaign, rater=rater, ratee=ratee, grade=grade, comment=comment
            )
    except IntegrityError as exc:  # the same rating sent twice at once
        raise ValidationError(
            _("You have already rated this member; a rating cannot be changed."), code="twice"
        ) from exc
    # The campaign only: naming the member rated would tell the log's readers who rated whom.
    audit.record("evaluation.rate", actor=acting_user, obj=campaign, org_path=campaign.branch.path)
    events.changed("evaluation.rate", campaign.branch.pk)
