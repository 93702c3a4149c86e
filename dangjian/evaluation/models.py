"""Democratic evaluation of members (民主评议党员, work point 15; 湘组发〔2016〕1号).

Once a year a branch runs a campaign: the secretary opens it with its dates; each member writes a
self-assessment and rates the others; the branch proposes a grade per member with the rating
summary beside it; the committee one level up approves (or returns it for fixes); an unqualified
member gets a handling decision with follow-up.

Anonymity of peer ratings: a rating stores its rater only so the database can refuse a second
rating by the same person for the same member (a unique constraint) and a rating of oneself.
Nothing reads the rater back out: pages and API show only counts per grade for each member, the
audit log records that someone rated in a campaign but not whom, and error messages never name
the member rated. Nobody — secretary, committee or administrator — is shown who rated whom.

Scope: everything is placed in the tree by the campaign's branch (`branch__path`).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    QUALIFIED = "qualified", _("Qualified")
    BASICALLY_QUALIFIED = "basically_qualified", _("Basically qualified")
    UNQUALIFIED = "unqualified", _("Unqualified")


class CampaignState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for self-assessment and rating")
    RATING_CLOSED = "rating_closed", _("Rating closed")
    PROPOSED = "proposed", _("Grades proposed")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")


# States in which the branch may still set grades.
GRADING_STATES = frozenset({CampaignState.RATING_CLOSED, CampaignState.RETURNED})


class EvaluationCampaign(models.Model):
    branch = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="evaluation_campaigns", verbose_name=_("branch")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    state = models.CharField(
        _("state"), max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("approved or returned at"), null=True, blank=True)
    review_note = models.CharField(_("approver's note"), max_length=500, blank=True)
    # Bumped by every move (`workflows`): a page drawn before a move is refused as stale.
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "branch__path"

    class Meta:
        verbose_name = _("evaluation campaign")
        verbose_name_plural = _("evaluation campaigns")
        ordering = ["-year", "branch_id"]
        constraints = [
            models.UniqueConstraint(fields=["branch", "year"], name="evaluation_once_a_year"),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="evaluation_dates_order"),
        ]
        indexes = [models.Index(fields=["year", "state"], name="evaluation_year_state_idx")]

    def __str__(self) -> str:
        return f"{self.branch} {self.year}"


class SelfAssessment(models.Model):
    campaign = models.ForeignKey(
        EvaluationCampaign, on_delete=models.CASCADE, related_name="self_assessments"
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="self_assessments")
    text = models.TextField(_("self-assessment"))
    submitted_at = models.DateTimeField(_("submitted at"))

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "campaign__branch__path"

    class Meta:
        verbose_name = _("self-assessment")
        ordering = ["campaign", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="self_assessment_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} · {self.member_id}"


class PeerRating(models.Model):
    """One member's grade for another. `rater` exists for the constraints only (see the module
    docstring): no page, endpoint, export or audit entry reads it. Deliberately no scoped
    manager: ratings are never listed for a user, only counted per member (`queries`)."""

    campaign = models.ForeignKey(EvaluationCampaign, on_delete=models.CASCADE, related_name="ratings")
    rater = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    ratee = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="ratings_received")
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    comment = models.CharField(_("comment"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("peer rating")
        # No timestamp and no meaningful order: an order of entry would let a reader who knows
        # when someone rated tell which rating was theirs.
        constraints = [
            models.UniqueConstraint(fields=["campaign", "rater", "ratee"], name="peer_rating_once"),
            models.CheckConstraint(condition=~Q(rater=F("ratee")), name="peer_rating_not_self"),
        ]
        indexes = [models.Index(fields=["campaign", "ratee"], name="peer_rating_ratee_idx")]

    def __str__(self) -> str:
        return f"rating {self.pk}"


class ProposedGrade(models.Model):
    campaign = models.ForeignKey(EvaluationCampaign, on_delete=models.CASCADE, related_name="grades")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="evaluation_grades")
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "campaign__branch__path"

    class Meta:
        verbose_name = _("proposed grade")
        ordering = ["campaign", "member_id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "member"], name="proposed_grade_once")]
        indexes = [models.Index(fields=["grade", "campaign"], name="proposed_grade_grade_idx")]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.grade}"


class HandlingMeasure(models.TextChoices):
    CORRECT_WITHIN_DEADLINE = "correct_within_deadline", _("Correct within a deadline")
    PERSUADE_TO_LEAVE = "persuade_to_leave", _("Persuade to leave the Party")
    REMOVE = "remove", _("Remove from the Party")


class HandlingState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Handling(models.Model):
    """What the branch decided for a member graded unqualified, and how it went."""

    campaign = models.ForeignKey(EvaluationCampaign, on_delete=models.PROTECT, related_name="handlings")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="evaluation_handlings")
    measure = models.CharField(_("measure"), max_length=24, choices=HandlingMeasure.choices)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"))
    note = models.TextField(_("note"), blank=True)
    state = models.CharField(
        _("state"), max_length=8, choices=HandlingState.choices, default=HandlingState.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=0)  # bumped by every move (`workflows`)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "campaign__branch__path"

    class Meta:
        verbose_name = _("handling of an unqualified member")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="handling_once"),
            models.CheckConstraint(
                condition=~Q(measure="correct_within_deadline") | Q(deadline__isnull=False),
                name="handling_deadline_for_correction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_measure_display()}"  # type: ignore[attr-defined]


class HandlingFollowUp(models.Model):
    handling = models.ForeignKey(Handling, on_delete=models.CASCADE, related_name="follow_ups")
    on = models.DateField(_("date"))
    text = models.TextField(_("follow-up"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "handling__campaign__branch__path"

    class Meta:
        verbose_name = _("follow-up")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.on} · {self.text[:30]}"
