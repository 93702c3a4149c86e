"""Weak and lax grassroots organizations (软弱涣散基层党组织整顿, work point 11).

Every year each county screens the organizations below it: `screening.screen` proposes
candidates from the records, each with its reasons; the county confirms or removes each (a reason
for removing) and may list one by hand. A listed organization writes a rectification plan naming
the county leader in charge (包联领导) and the township contact, records its progress with
evidence and submits; the county accepts or returns it, or carries it over to next year. Six
months after acceptance the county looks back (`workflows.LISTING_FLOW`).

Scope: a listing sits at its organization (`organization__path`), but a candidate, and one the
county removed, is read only by those who may change the county's records: being screened is
not news for the organization itself (`ListingQuerySet`).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.attachments import AttachedFile
from dangjian.core.fields import account_stamp
from dangjian.core.scoping import ScopedQuerySet
from dangjian.organizations.models import Organization

TEXT_MAX = 2000
NAME_MAX = 60


class Origin(models.TextChoices):
    COMPUTED = "computed", _("Found by screening")
    BY_HAND = "by_hand", _("Added by the county")


class Reason(models.TextChoices):
    """Why screening proposed an organization (`screening.REASONS` computes each)."""

    NO_COMMITTEE_MEETING = "no_committee_meeting", _("No branch committee meeting in three months")
    TERM_OVERDUE = "term_overdue", _("Term change overdue")
    SECRETARY_VACANT = "secretary_vacant", _("No secretary")
    DUES_UNPAID = "dues_unpaid", _("Many members with six months of dues unpaid")
    BELOW_STANDARD = "below_standard", _("五化 assessment below standard")
    NOT_ACCEPTED_LAST_YEAR = "not_accepted_last_year", _("Listed last year and not accepted")


class ListingState(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    LISTED = "listed", pgettext_lazy("weak organization", "Listed")
    REMOVED = "removed", _("Removed from the list")
    PLANNED = "planned", _("Plan made")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    ACCEPTED = "accepted", pgettext_lazy("weak organization", "Accepted")
    RETURNED = "returned", _("Returned")
    CARRIED_OVER = "carried_over", _("Carried over to next year")


# Not yet decided by the county: seen only by the county.
SCREENING = (ListingState.CANDIDATE, ListingState.REMOVED)
# On the list and still being rectified: what the year's end asks about.
OPEN = (ListingState.LISTED, ListingState.PLANNED, ListingState.SUBMITTED, ListingState.RETURNED)
# With the organization (plan, progress, submit).
WORKING = (ListingState.PLANNED, ListingState.RETURNED)
ON_LIST = (*OPEN, ListingState.ACCEPTED, ListingState.CARRIED_OVER)


class Listing(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="weak_listings",
        verbose_name=_("organization"),
    )
    county = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("county committee")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    reasons = models.JSONField(_("reasons"), default=list)  # `Reason` codes
    hand_reason = models.CharField(_("why listed by hand"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ListingState.choices, default=ListingState.CANDIDATE
    )
    removal_reason = models.CharField(_("reason for removing"), max_length=200, blank=True)
    carry_reason = models.CharField(_("reason for carrying over"), max_length=200, blank=True)
    plan = models.TextField(_("rectification plan"), blank=True)
    leader = models.CharField(_("county leader in charge"), max_length=NAME_MAX, blank=True)
    contact = models.CharField(_("township contact"), max_length=NAME_MAX, blank=True)
    plan_due = models.DateField(_("plan due"), null=True, blank=True)  # 30 days after listing
    lookback_due = models.DateField(_("look-back due"), null=True, blank=True)  # 6 months after
    lookback_note = models.CharField(_("look-back"), max_length=200, blank=True)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    listed_by = account_stamp()
    listed_at = models.DateTimeField(null=True, blank=True)
    planned_by = account_stamp()
    planned_at = models.DateTimeField(null=True, blank=True)
    submitted_by = account_stamp()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = account_stamp()
    decided_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    lookback_by = account_stamp()
    lookback_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"
    # Candidates and removed ones are the county's own deliberation: read only by those who may
    # change the county's records (the county and above), not by the township or the branch.
    scope_private_rows = ~Q(state__in=ON_LIST)
    scope_private_reach = "change"
    scope_private_field = "county__path"

    class Meta:
        verbose_name = _("weak organization listing")
        verbose_name_plural = _("weak organization listings")
        ordering = ["organization__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="weak_listing_org_year_uniq")
        ]
        indexes = [
            models.Index(fields=["county", "year", "state"], name="weak_county_year_idx"),
            models.Index(fields=["state", "plan_due"], name="weak_state_plan_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.organization_id}"

    def reason_labels(self) -> list[str]:
        known = dict(Reason.choices)
        return [str(known.get(code, code)) for code in self.reasons]


class Progress(models.Model):
    """One step of the rectification, with its evidence."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="progress")
    on = models.DateField(pgettext_lazy("progress", "date"))
    note = models.TextField(_("progress"))
    author = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)  # a correction from an old page is refused

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "listing__organization__path"

    class Meta:
        verbose_name = _("rectification progress")
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return self.note[:40]


class Evidence(AttachedFile):
    """A file showing the progress (checked by content; photos written anew)."""

    progress = models.ForeignKey(Progress, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="weakorgs/")

    scope_path_field = "progress__listing__organization__path"

    class Meta(AttachedFile.Meta):
        verbose_name = _("evidence")
