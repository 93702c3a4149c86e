"""First secretaries and village work teams in poverty-alleviation villages, and the training of
village secretaries (第一书记和驻村工作队, 村党组织书记培训: work point 22).

The county flags a village party organization as a poverty-alleviation village (贫困村) for a
period (`PovertyVillage`), assigns a first secretary and the members of the work team to it
(`Assignment`: one current first secretary per village at a time; at the end, a handover), the
assigned person or the village's secretary keeps the work log from a phone (`WorkLog`, with
photos), and the county assesses each assignment once a quarter (`Assessment`). The county also
records its training sessions for village secretaries and who attended (`TrainingSession`,
`TrainingAttendance`).

Scope: every record sits at its village (`village__path`); training at the county. Reading needs
the "change" reach (the officers of the village, the township, the county and above: a member's
"view" grant reads none of it), or being the assigned person (their own assignment).
"""

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.attachments import AttachedFile
from dangjian.core.fields import EncryptedTextField, account_stamp
from dangjian.core.masking import mask_phone
from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

NAME_MAX = 60
UNIT_MAX = 100
REASON_MAX = 200
NOTE_MAX = 2000


class PovertyVillage(models.Model):
    """A village flagged by the county as a poverty-alleviation village for a period."""

    village = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="poverty_flags", verbose_name=_("village")
    )
    county = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("county committee")
    )
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)  # open: still a poverty village
    reason = models.CharField(_("reason"), max_length=REASON_MAX)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "village__path"

    class Meta:
        verbose_name = _("poverty-alleviation village")
        verbose_name_plural = _("poverty-alleviation villages")
        ordering = ["village__path", "start", "id"]
        indexes = [models.Index(fields=["county", "start"], name="vw_flag_county_idx")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.start}"


class TeamRole(models.TextChoices):
    FIRST_SECRETARY = "first_secretary", _("First secretary")
    TEAM_LEADER = "team_leader", _("Work team leader")
    TEAM_MEMBER = "team_member", _("Work team member")


class AssignmentState(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("assignment", "In post")
    ENDED = "ended", pgettext_lazy("assignment", "Handed over")


class Assignment(models.Model):
    """A person sent to a village: first secretary, work team leader or member."""

    village = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="village_assignments", verbose_name=_("village")
    )
    county = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("county committee")
    )
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    sending_unit = models.CharField(_("sending unit"), max_length=UNIT_MAX)
    phone = EncryptedTextField(_("phone"), context="villagework.phone")
    # When the person is a member with an account, they keep their own work log.
    member = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="village_assignments",
        verbose_name=_("member"),
    )
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"), null=True, blank=True)  # planned end, then the handover day
    state = models.CharField(
        _("state"), max_length=8, choices=AssignmentState.choices, default=AssignmentState.ACTIVE
    )
    handover_note = models.CharField(_("handover note"), max_length=REASON_MAX, blank=True)
    handed_over_by = account_stamp()
    handed_over_at = models.DateTimeField(null=True, blank=True)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "village__path"

    class Meta:
        verbose_name = _("village assignment")
        verbose_name_plural = _("village assignments")
        ordering = ["village__path", "-start", "id"]
        indexes = [
            models.Index(fields=["village", "role", "start"], name="vw_assign_village_idx"),
            models.Index(fields=["county", "state"], name="vw_assign_county_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class LogKind(models.TextChoices):
    VISIT = "visit", _("Household visit")
    PROJECT = "project", _("Project")
    HELP = "help", _("Households helped")
    OTHER = "other", _("Other work")


class WorkLog(models.Model):
    """One day's work in the village, recorded from a phone."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="logs")
    on = models.DateField(pgettext_lazy("work log", "date"))
    kind = models.CharField(_("kind"), max_length=8, choices=LogKind.choices)
    note = models.TextField(_("what was done"))
    households = models.PositiveSmallIntegerField(_("households helped"), default=0)
    author = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "assignment__village__path"

    class Meta:
        verbose_name = _("work log")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.note[:40]


class LogPhoto(AttachedFile):
    """A photo of the work (checked by content; written anew without its location)."""

    log = models.ForeignKey(WorkLog, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="villagework/")

    scope_path_field = "log__assignment__village__path"

    class Meta(AttachedFile.Meta):
        verbose_name = _("work photo")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASIC = "basic", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Incompetent (不称职)")


class Assessment(models.Model):
    """The county's assessment of one assignment for one quarter."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    grade = models.CharField(_("grade"), max_length=12, choices=Grade.choices)
    comment = models.CharField(_("comment"), max_length=REASON_MAX, blank=True)
    assessed_by = account_stamp()
    assessed_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "assignment__village__path"

    class Meta:
        verbose_name = _("quarterly assessment")
        ordering = ["-year", "-quarter", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "year", "quarter"], name="vw_assessment_quarter_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"


class TrainingSession(models.Model):
    """A county's training session for village secretaries."""

    county = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("county committee")
    )
    title = models.CharField(_("title"), max_length=REASON_MAX)
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "county__path"

    class Meta:
        verbose_name = _("training session")
        ordering = ["-start", "id"]

    def __str__(self) -> str:
        return self.title


class TrainingAttendance(models.Model):
    """A village secretary who attended a session (read within the county, like the session)."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendance")
    village = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("village")
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "session__county__path"

    class Meta:
        verbose_name = _("training attendance")
        ordering = ["village__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "village", "name"], name="vw_attendance_uniq")
        ]

    def __str__(self) -> str:
        return self.name
