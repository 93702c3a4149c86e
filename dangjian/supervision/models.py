"""Supervision of the year's work by the level above (work points 7, 23, 24).

* `FiveStandardsAssessment` (五化支部建设): a branch rates itself once a year on the five
  dimensions, with evidence files; a committee above decides whether it meets the standard, or
  returns it with a reason.
* `SecretaryReport` (书记述职评议): the secretary of an organization reports the year's
  Party-building work to the level above, which grades it (好 / 较好 / 一般 / 差).
* `CommitteeLink` (联系点) and `InspectionVisit`: a committee member links branches of the
  committee's subtree and records the visits made there.

Scope: assessments, evidence and reports are placed in the tree by their organization, so the
organization and every level above see them; links and visits by the committee, so the
committee's staff and every level above see them.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.leaders.models import LeadingCadre
from dangjian.organizations.models import Organization

NOTE_MAX = 1000
COMMENT_MAX = 1000
REPORT_TEXT_MAX = 10000


class Rating(models.TextChoices):
    MEETS = "meets", _("Meets")
    PARTLY = "partly", _("Partly meets")
    DOES_NOT_MEET = "does_not_meet", _("Does not meet")


class Dimension(models.TextChoices):
    """The five dimensions of 五化; each names a `<code>_rating` and a `<code>_note` field."""

    SETUP = "setup", _("Standard branch setup")
    LIFE = "life", _("Normal organizational life")
    MANAGEMENT = "management", _("Fine-grained management and service")
    RULES = "rules", _("Systematic work rules")
    VENUE = "venue", _("Standard activity venue")


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    MEETS_STANDARD = "meets_standard", _("Meets the standard")
    BELOW_STANDARD = "below_standard", _("Does not meet the standard")


# States in which the branch may still change the ratings, notes and evidence.
ASSESSMENT_EDITABLE = frozenset({AssessmentState.DRAFT, AssessmentState.RETURNED})
ASSESSMENT_FINAL = frozenset({AssessmentState.MEETS_STANDARD, AssessmentState.BELOW_STANDARD})


def _rating_field(label: Any) -> models.CharField:  # type: ignore[type-arg]
    return models.CharField(label, max_length=16, choices=Rating.choices, blank=True)


def _note_field(label: Any) -> models.CharField:  # type: ignore[type-arg]
    return models.CharField(label, max_length=NOTE_MAX, blank=True)


class FiveStandardsAssessment(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="five_standards_assessments",
        verbose_name=_("branch"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=16, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    setup_rating = _rating_field(_("standard branch setup"))
    setup_note = _note_field(_("note on branch setup"))
    life_rating = _rating_field(_("normal organizational life"))
    life_note = _note_field(_("note on organizational life"))
    management_rating = _rating_field(_("fine-grained management and service"))
    management_note = _note_field(_("note on management and service"))
    rules_rating = _rating_field(_("systematic work rules"))
    rules_note = _note_field(_("note on work rules"))
    venue_rating = _rating_field(_("standard activity venue"))
    venue_note = _note_field(_("note on the activity venue"))
    # Optimistic concurrency: an edit or a decision based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # The last review: a return (with its reason) or the final decision (with its comment).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.CharField(_("reviewer's comment"), max_length=COMMENT_MAX, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("five-standards assessment")
        verbose_name_plural = _("five-standards assessments")
        ordering = ["-year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="five_standards_once_a_year"),
            models.CheckConstraint(
                condition=~Q(state__in=["meets_standard", "below_standard"]) | Q(reviewed_at__isnull=False),
                name="five_standards_decision_recorded",
            ),
        ]
        indexes = [models.Index(fields=["year", "state"], name="five_standards_year_state_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"

    def ratings(self) -> list[tuple[str, str, str, str]]:
        """(code, label, rating, note) of each dimension, in order."""
        return [
            (code, str(label), getattr(self, f"{code}_rating"), getattr(self, f"{code}_note"))
            for code, label in Dimension.choices
        ]


class FiveStandardsEvidence(models.Model):
    """A file that backs the self-rating (photos of the venue, the rules, minutes…). Stored under
    a random name (core.uploads); the sender's file name is kept for display only."""

    assessment = models.ForeignKey(FiveStandardsAssessment, on_delete=models.CASCADE, related_name="evidence")
    dimension = models.CharField(_("dimension"), max_length=16, choices=Dimension.choices, blank=True)
    file = models.FileField(_("file"), max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "assessment__organization__path"

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["assessment_id", "dimension", "id"]

    def __str__(self) -> str:
        return self.file_name


class ReportGrade(models.TextChoices):
    GOOD = "good", _("Good")
    FAIRLY_GOOD = "fairly_good", _("Fairly good")
    AVERAGE = "average", _("Average")
    POOR = "poor", _("Poor")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for revision")
    EVALUATED = "evaluated", _("Evaluated")


REPORT_EDITABLE = frozenset({ReportState.DRAFT, ReportState.RETURNED})


class SecretaryReport(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="secretary_reports",
        verbose_name=_("organization"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    state = models.CharField(
        _("state"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT
    )
    text = models.TextField(_("report"), blank=True)
    attachment = models.FileField(_("attachment"), max_length=200, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=16, choices=ReportGrade.choices, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.CharField(_("comments"), max_length=COMMENT_MAX, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("secretary's report")
        verbose_name_plural = _("secretaries' reports")
        ordering = ["-year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="secretary_report_once_a_year"),
            models.CheckConstraint(
                condition=~Q(state="evaluated") | (~Q(grade="") & Q(reviewed_at__isnull=False)),
                name="secretary_report_graded_when_evaluated",
            ),
        ]
        indexes = [models.Index(fields=["year", "state"], name="secretary_report_year_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"


class CommitteeLink(models.Model):
    """A committee member's link to a branch of the committee's subtree (联系点). `committee` is
    the cadre's committee, copied so that scope and the compliance queries need no join."""

    committee = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="member_links", verbose_name=_("committee")
    )
    cadre = models.ForeignKey(
        LeadingCadre,
        on_delete=models.PROTECT,
        related_name="branch_links",
        verbose_name=_("committee member"),
    )
    branch = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="linked_by", verbose_name=_("branch")
    )
    since = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "committee__path"

    class Meta:
        verbose_name = _("committee member's link")
        verbose_name_plural = _("committee members' links")
        ordering = ["committee_id", "cadre_id", "since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "branch"],
                condition=Q(ended_on__isnull=True),
                name="committee_link_once_active",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("since")),
                name="committee_link_dates_order",
            ),
        ]
        indexes = [models.Index(fields=["branch", "ended_on"], name="committee_link_branch_idx")]

    def __str__(self) -> str:
        return f"{self.cadre_id} → {self.branch_id}"

    @property
    def active(self) -> bool:
        return self.ended_on is None


class InspectionVisit(models.Model):
    link = models.ForeignKey(CommitteeLink, on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("date of the visit"))
    checked = models.TextField(_("what was checked"))
    findings = models.TextField(_("findings"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "link__committee__path"

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["visited_on"], name="inspection_visit_date_idx")]

    def __str__(self) -> str:
        return f"{self.link_id} · {self.visited_on}"
