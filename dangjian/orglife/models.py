"""Organizational life: meetings of every kind and who attended them.

At province scale a year holds millions of meetings and tens of millions of attendance rows:
attendance is keyed by (meeting, member) and indexed by member for personal histories; counts
for supervision read (organization, kind, starts_at) ranges.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization, PartyGroup

from .richtext import plain_lines, render


class MeetingKind(models.TextChoices):
    BRANCH_ASSEMBLY = "branch_assembly", _("Branch member assembly")
    BRANCH_COMMITTEE = "branch_committee", _("Branch committee meeting")
    GROUP_MEETING = "group_meeting", _("Party group meeting")
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    THEME_DAY = "theme_day", _("Theme party day")
    ORG_LIFE = "org_life", _("Organizational life meeting")
    DEMOCRATIC_LIFE = "democratic_life", _("Democratic life meeting")
    CENTRAL_GROUP_STUDY = "central_group_study", _("Central group study")


# 三会一课: the three meetings and the lecture.
THREE_MEETINGS_ONE_LECTURE = (
    MeetingKind.BRANCH_ASSEMBLY,
    MeetingKind.BRANCH_COMMITTEE,
    MeetingKind.GROUP_MEETING,
    MeetingKind.PARTY_LECTURE,
)
COMMITTEE_MEETING_KINDS = (MeetingKind.DEMOCRATIC_LIFE, MeetingKind.CENTRAL_GROUP_STUDY)
# How long each kind usually lasts (minutes): the end time the form proposes from the start.
USUAL_MINUTES: dict[str, int] = {
    MeetingKind.BRANCH_ASSEMBLY: 120,
    MeetingKind.BRANCH_COMMITTEE: 60,
    MeetingKind.GROUP_MEETING: 60,
    MeetingKind.PARTY_LECTURE: 90,
    MeetingKind.THEME_DAY: 120,
    MeetingKind.ORG_LIFE: 180,
    MeetingKind.DEMOCRATIC_LIFE: 240,
    MeetingKind.CENTRAL_GROUP_STUDY: 120,
}
# The fields only some kinds use; the form shows them for those kinds only.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "party_group": (MeetingKind.GROUP_MEETING,),
    "lecturer": (MeetingKind.PARTY_LECTURE, MeetingKind.CENTRAL_GROUP_STUDY),
    "topic_discussion": THREE_MEETINGS_ONE_LECTURE,
}


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class DisplayStatus(models.TextChoices):
    """What a meeting's page says about it: its stored status, except that a planned meeting whose
    start has passed is waiting for its record (待记录), not still to be held (待召开)."""

    PLANNED = "planned", _("Planned")
    TO_RECORD = "to_record", _("To be recorded")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("organization"),
        db_index=False,  # meeting_org_start_cover_idx leads with it
    )
    party_group = models.ForeignKey(
        PartyGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("party group"),
    )
    kind = models.CharField(_("kind of meeting"), max_length=24, choices=MeetingKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    host = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("host")
    )
    recorder = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("recorder")
    )
    # Who gave the lecture of a party lecture, or the special tutoring (专题辅导) of a central
    # group study (work points 2, 3): leaders' lectures are counted from this.
    lecturer = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lectures_given",
        verbose_name=_("lecturer"),
    )
    agenda = models.TextField(_("agenda"), blank=True)
    # A 三会一课 meeting held as a topic discussion of the year's study (work point 4).
    topic_discussion = models.BooleanField(_("topic discussion"), default=False)
    # Sanitized HTML (see richtext.py); sanitized again when shown.
    minutes = models.TextField(_("minutes"), blank=True)
    # Plain text, one resolution a line; shown as a numbered list.
    resolutions = models.TextField(_("resolutions"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            # Covering on PostgreSQL: the per-subtree counts read status, kind and the topic flag
            # from the index alone (3x faster for a city, bench/meetings_bench.py). SQLite
            # builds it without the INCLUDE columns.
            models.Index(
                fields=["organization", "starts_at"],
                include=["status", "kind", "topic_discussion"],
                name="meeting_org_start_cover_idx",
            ),
            models.Index(fields=["kind", "status", "starts_at"], name="meeting_kind_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.topic}"

    @property
    def is_closed(self) -> bool:
        return self.status == MeetingStatus.CLOSED

    @property
    def resolution_list(self) -> list[str]:
        return plain_lines(self.resolutions)

    @property
    def display_status(self) -> str:
        if self.status == MeetingStatus.PLANNED and self.starts_at <= timezone.now():
            return DisplayStatus.TO_RECORD
        return str(self.status)

    @property
    def display_status_label(self) -> str:
        return str(DisplayStatus(self.display_status).label)


class AttendanceStatus(models.TextChoices):
    EXPECTED = "expected", _("Not recorded")
    PRESENT = "present", _("Present")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")


class Attendance(models.Model):
    """One expected attendee of a meeting (a member, or a named guest such as a leader attending
    as an ordinary member), and what became of it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attendances",
        db_index=False,  # attendance_member_idx (member, meeting) leads with it
    )
    guest_name = models.CharField(_("guest"), max_length=50, blank=True)
    status = models.CharField(
        _("attendance"), max_length=12, choices=AttendanceStatus.choices, default=AttendanceStatus.EXPECTED
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "meeting__organization__path"

    class Meta:
        verbose_name = _("attendance")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], condition=models.Q(member__isnull=False), name="attendance_once"
            ),
            models.CheckConstraint(
                condition=models.Q(member__isnull=False) | ~models.Q(guest_name=""), name="attendance_who"
            ),
        ]
        indexes = [models.Index(fields=["member", "meeting"], name="attendance_member_idx")]

    def __str__(self) -> str:
        return f"{self.member or self.guest_name}: {self.get_status_display()}"


class MeetingAttachment(models.Model):
    """A photo or document of a meeting's record. The file is stored under a random name
    (`core.uploads.random_name`); the name the user gave is kept here for display only, and the
    file is served only through a view that checks scope."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    kind = models.CharField(max_length=8)  # core.uploads.KINDS code, read from the content
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "meeting__organization__path"

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.kind in ("jpeg", "png")

    @property
    def shown_inline(self) -> bool:
        """Images and PDFs open in the browser; anything else is downloaded."""
        return self.kind in ("jpeg", "png", "pdf")


class MeetingRevision(models.Model):
    """A correction of a closed meeting's record, kept for good: the record before and after,
    who made it and why. Services only ever add rows (numbered 1, 2, … per meeting)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    reason = models.CharField(_("reason"), max_length=500)
    minutes_before = models.TextField(blank=True)
    minutes_after = models.TextField(blank=True)
    resolutions_before = models.TextField(blank=True)
    resolutions_after = models.TextField(blank=True)
    # Original names of the attachments this revision added or removed.
    attachments_added = models.JSONField(default=list, blank=True)
    attachments_removed = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("revised at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "meeting__organization__path"

    class Meta:
        verbose_name = _("revision of a meeting record")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="meeting_revision_number_once"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="meeting_revision_number_positive"
            ),
            models.CheckConstraint(condition=~models.Q(reason=""), name="meeting_revision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} #{self.number}"

    @property
    def minutes_changed(self) -> bool:
        return self.minutes_before != self.minutes_after

    @property
    def resolutions_changed(self) -> bool:
        return self.resolutions_before != self.resolutions_after

    @property
    def minutes_before_html(self) -> SafeString:
        return render(self.minutes_before)

    @property
    def minutes_after_html(self) -> SafeString:
        return render(self.minutes_after)

    @property
    def resolutions_before_list(self) -> list[str]:
        return plain_lines(self.resolutions_before)

    @property
    def resolutions_after_list(self) -> list[str]:
        return plain_lines(self.resolutions_after)


class ThemeDaySetting(models.Model):
    """The fixed day of the month on which a branch holds its theme party day (work point 8:
    every branch sets it and holds one by 31 May, then monthly)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="theme_days", verbose_name=_("organization")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    day_of_month = models.PositiveSmallIntegerField(
        _("day of the month"), validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    set_on = models.DateField(_("set on"))

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("theme party day")
        ordering = ["-year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="theme_day_once_a_year"),
            models.CheckConstraint(
                condition=models.Q(day_of_month__gte=1, day_of_month__lte=28), name="theme_day_in_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}: {self.day_of_month}"


class CalendarFeed(models.Model):
    """A user's secret iCalendar subscription link. Only the SHA-256 of the token is stored; the
    URL carries the token itself, shown once when the link is created."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="calendar_feeds", verbose_name=_("user")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"calendar feed {self.pk} of {self.user}"
