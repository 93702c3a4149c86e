"""Special campaigns and tasks sent down (work point 18, and the everyday "please report by
Friday").

A committee writes a `Campaign` (a special campaign such as 农村陈规陋习整治, or a plain task):
instructions, attachments, the organizations it goes to (its subtree, narrowed by kind and
sector), a deadline, and the form each must return. Launching it gives every organization in
scope one `Assignment`; the organization fills the form and submits it, the sender accepts or
returns it. A campaign's organizations also report `Case`s (subject, measures, conclusion); every
case must be concluded by the campaign's end.

The sender follows completion per child from `Rollup`s: per campaign and organization, the
counts of its subtree's assignments by state, written at launch and shifted by every move.

Scope: a campaign sits at its sender; an assignment and its cases at the receiving organization,
which lies inside the sender's subtree, so the sender reaches them all.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.attachments import AttachedFile
from dangjian.core.fields import account_stamp
from dangjian.core.scoping import ScopedQuerySet
from dangjian.organizations.models import Organization

TITLE_MAX = 100
TEXT_MAX = 5000
ANSWER_MAX = 2000


class CampaignKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Special campaign")
    TASK = "task", _("Task")


class CampaignState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    LAUNCHED = "launched", _("Launched")
    CLOSED = "closed", pgettext_lazy("campaign", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("campaign", "Cancelled")


class FieldType(models.TextChoices):
    TEXT = "text", pgettext_lazy("field", "Text")
    NUMBER = "number", _("Number")
    DATE = "date", pgettext_lazy("field", "Date")


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("To submit")
    SUBMITTED = "submitted", pgettext_lazy("report", "Submitted")
    ACCEPTED = "accepted", pgettext_lazy("report", "Accepted")
    RETURNED = "returned", pgettext_lazy("report", "Returned")


class CaseState(models.TextChoices):
    OPEN = "open", _("Being handled")
    CONCLUDED = "concluded", _("Concluded")


# Still with the organization: due by the deadline.
TO_SUBMIT = (AssignmentState.PENDING, AssignmentState.RETURNED)
COUNTED = ("pending", "submitted", "accepted", "returned")


class Campaign(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="campaigns_sent", verbose_name=_("sender")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CampaignKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    instructions = models.TextField(pgettext_lazy("campaign", "instructions"))
    deadline = models.DateField(_("submission deadline"))
    # A special campaign's cases are concluded by its end; a task ends with its deadline.
    ends_on = models.DateField(_("ends on"))
    # The organizations of the sender's subtree it goes to: these kinds (and sectors, when any).
    target_kinds = models.JSONField(_("kinds of organization"), default=list)
    target_sectors = models.JSONField(_("sectors"), default=list, blank=True)
    # What each organization returns: [{"key", "label", "type", "required"}].
    fields = models.JSONField(_("form"), default=list, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=CampaignState.choices, default=CampaignState.DRAFT
    )
    assigned = models.PositiveIntegerField(default=0)  # organizations it went to, at launch
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    launched_by = account_stamp()
    launched_at = models.DateTimeField(null=True, blank=True)
    closed_by = account_stamp()
    closed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("special campaign or task")
        verbose_name_plural = _("special campaigns and tasks")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "state"], name="campaign_org_state_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_campaign(self) -> bool:
        return self.kind == CampaignKind.CAMPAIGN


class CampaignFile(AttachedFile):
    """An attachment of the instructions (checked by content like every upload)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="campaigns/")

    scope_path_field = "campaign__organization__path"


class Assignment(models.Model):
    """One organization's copy of a launched campaign: its answers and their acceptance."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("organization")
    )
    deadline = models.DateField(_("submission deadline"))  # the campaign's, for the index
    state = models.CharField(
        _("state"), max_length=10, choices=AssignmentState.choices, default=AssignmentState.PENDING
    )
    answers = models.JSONField(default=dict, blank=True)
    submitted_by = account_stamp()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = account_stamp()
    decided_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=200, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("task received")
        verbose_name_plural = _("tasks received")
        ordering = ["organization__path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="assignment_once_per_org")
        ]
        indexes = [
            models.Index(fields=["organization", "state"], name="assignment_org_state_idx"),
            models.Index(fields=["campaign", "state"], name="assignment_campaign_state_idx"),
            models.Index(fields=["state", "deadline"], name="assignment_state_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.organization_id}"

    @property
    def is_late(self) -> bool:
        return self.state in TO_SUBMIT and self.deadline < timezone.localdate()


class AssignmentFile(AttachedFile):
    """A file returned with the submission."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="campaigns/returns/")

    scope_path_field = "assignment__organization__path"


class Case(models.Model):
    """A case a special campaign's organization handles (a 村霸 reported, a wasteful custom):
    what, the measures taken, and how it was concluded."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="cases")
    subject = models.CharField(_("subject"), max_length=200)
    measures = models.TextField(_("measures"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=CaseState.choices, default=CaseState.OPEN)
    conclusion = models.TextField(_("conclusion"), blank=True)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    concluded_by = account_stamp()
    concluded_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "assignment__organization__path"

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["assignment", "state"], name="case_assignment_state_idx")]

    def __str__(self) -> str:
        return self.subject[:40]


class Rollup(models.Model):
    """Per campaign and organization (with assignments in its subtree): how many of the subtree's
    assignments are in each state, and its cases open and concluded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rollups")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    total = models.PositiveIntegerField(default=0)
    pending = models.IntegerField(default=0)
    submitted = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    returned = models.IntegerField(default=0)
    cases_open = models.IntegerField(default=0)
    cases_concluded = models.IntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organization"], name="campaign_rollup_once")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.organization_id}"
