"""Member points (党员积分管理, work point 9): a committee's rules and each member's ledger.

A committee sets its point rules for a year; the rules of the *nearest* committee above a branch
that has rules for that year apply to it (a township may refine what its county set). Entries
accrue from the records that justify them — closed meetings' attendance, on-time dues payments,
community service confirmed by a community branch (`accrual.accrue_one`) —
or are added by hand with a reason and approved. Each entry names its source record
(`source_type` + `source_id`), and one source gives one entry per member (a unique constraint),
so accruing again creates nothing new, even under rules changed since.

Scope: rules are placed in the tree by their committee; entries by the member's *current*
organization (`member__organization__path`), so a member's ledger moves with them on transfer.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

MAX_RULE_POINTS = 100


class RuleKind(models.TextChoices):
    MEETING_ATTENDANCE = "meeting_attendance", _("Attended a meeting")
    THEME_DAY = "theme_day", _("Attended the theme party day")
    DUES_ON_TIME = "dues_on_time", _("Dues paid on time (per month)")
    VOLUNTEER_HOUR = "volunteer_hour", _("Volunteer service (per hour)")
    # Hours of service confirmed by a community branch (`community`, 在职党员到社区报到).
    COMMUNITY_SERVICE = "community_service", _("Community service confirmed (per hour)")
    ABSENCE = "absence", _("Absent from a meeting without leave")
    MANUAL = "manual", _("Entered by hand")


# Entered by hand and approved; the other kinds are computed from records by `accrual`.
MANUAL_KINDS = frozenset({RuleKind.VOLUNTEER_HOUR, RuleKind.MANUAL})
# Rules that name the meeting kinds they count (empty: every kind of meeting).
MEETING_KIND_RULES = frozenset({RuleKind.MEETING_ATTENDANCE, RuleKind.ABSENCE})


class CapPeriod(models.TextChoices):
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")
    YEAR = "year", _("per year")


class PointRule(models.Model):
    committee = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="point_rules", verbose_name=_("committee")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    kind = models.CharField(_("kind of rule"), max_length=20, choices=RuleKind.choices)
    name = models.CharField(_("name"), max_length=100)
    points = models.SmallIntegerField(
        _("points"), validators=[MinValueValidator(-MAX_RULE_POINTS), MaxValueValidator(MAX_RULE_POINTS)]
    )
    # MeetingKind values; only for MEETING_KIND_RULES (empty: any kind of meeting).
    meeting_kinds = models.JSONField(_("meeting kinds"), default=list, blank=True)
    # The most a member can gain (or lose) under this rule in one period; the excess is dropped.
    cap_points = models.PositiveSmallIntegerField(_("cap (points)"), null=True, blank=True)
    cap_period = models.CharField(_("cap period"), max_length=8, choices=CapPeriod.choices, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "committee__path"

    class Meta:
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules")
        ordering = ["committee_id", "year", "kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "name"], name="point_rule_name_once"),
            models.CheckConstraint(condition=~Q(points=0), name="point_rule_points_nonzero"),
            models.CheckConstraint(
                condition=Q(cap_points__isnull=True, cap_period="")
                | Q(cap_points__isnull=False, cap_points__gt=0) & ~Q(cap_period=""),
                name="point_rule_cap_complete",
            ),
        ]
        indexes = [models.Index(fields=["committee", "year", "active"], name="point_rule_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+d})"


class EntryState(models.TextChoices):
    PROPOSED = "proposed", _("Entered, awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SourceType(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    DUES_PAYMENT = "dues_payment", _("Dues payment")
    COMMUNITY_TASK = "community_task", _("Community service task")
    MANUAL = "manual", _("Entered by hand")


class PointEntry(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="point_entries", verbose_name=_("member")
    )
    rule = models.ForeignKey(
        PointRule, on_delete=models.PROTECT, related_name="entries", verbose_name=_("rule")
    )
    # As counted, after the cap: 0 when the period's cap was already reached (kept, so the
    # member sees why the meeting brought nothing, and accrual stays idempotent).
    points = models.SmallIntegerField(_("points"))
    capped = models.BooleanField(_("reduced by the cap"), default=False)
    # Hours of volunteer service, months of dues paid on time; 1 otherwise.
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    occurred_on = models.DateField(_("occurred on"))
    # A generic link to the justifying record (meetings and dues live in other apps; a real
    # GenericForeignKey would tie this table to content types for no gain).
    source_type = models.CharField(_("source"), max_length=16, choices=SourceType.choices)
    source_id = models.PositiveBigIntegerField(_("source record"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=EntryState.choices, default=EntryState.APPROVED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    review_note = models.CharField(_("approver's note"), max_length=200, blank=True)
    # Bumped by every move (`workflows`): a page drawn before a move is refused as stale.
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "member__organization__path"

    class Meta:
        verbose_name = _("point entry")
        verbose_name_plural = _("point entries")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            # Idempotent accrual: one entry per member and source record, whatever the rule (a
            # meeting earns under one rule of a set; a rule replaced later must not count it again).
            models.UniqueConstraint(
                fields=["member", "source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="point_entry_one_per_source",
            ),
            # Hand-entered entries have no source record; accrued ones always have one and are
            # never awaiting approval.
            models.CheckConstraint(
                condition=Q(source_type="manual", source_id__isnull=True)
                | ~Q(source_type="manual") & Q(source_id__isnull=False, state="approved"),
                name="point_entry_source_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "occurred_on"], name="point_entry_member_idx"),
            models.Index(fields=["source_type", "source_id"], name="point_entry_source_idx"),
            models.Index(fields=["rule", "state"], name="point_entry_rule_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.occurred_on} {self.points:+d}"
