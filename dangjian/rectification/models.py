"""Problem lists and their rectification (work points 19 and 13, feeding 15).

Every committee and branch keeps a list of its problems for the year, and every member may have
problems of their own (from the organizational life meeting's criticism, or the democratic
evaluation). Each problem has a measure, who is responsible, a deadline and evidence; it moves
open → in progress → submitted → accepted, or back (returned) to be done again, or is carried
over to next year with a reason (`workflows.PROBLEM_FLOW`). The level above accepts an
organization's problem; the branch accepts a member's.

Scope: a problem sits at its organization (`organization__path`). A member's own problem is read
only by that member and by those who may change the branch's records (`scope_own_field`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.attachments import AttachedFile
from dangjian.core.fields import account_stamp
from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

TEXT_MAX = 1000


class ProblemSource(models.TextChoices):
    SELF_FOUND = "self_found", _("Found by ourselves")
    LIFE_MEETING = "life_meeting", _("Criticism at an organizational or democratic life meeting")
    EVALUATION = "evaluation", _("Democratic evaluation")
    FIVE_STANDARDS = "five_standards", _("五化 below standard")
    INSPECTION = "inspection", _("Inspection visit")
    COMPLIANCE = "compliance", _("Overdue work point")
    CAMPAIGN = "campaign", _("Special campaign")


class ProblemState(models.TextChoices):
    OPEN = "open", pgettext_lazy("problem", "Open")
    IN_PROGRESS = "in_progress", _("Being rectified")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    ACCEPTED = "accepted", pgettext_lazy("problem", "Accepted")
    RETURNED = "returned", _("Returned")
    CARRIED_OVER = "carried_over", _("Carried over to next year")


# Still with the organization (or the member): overdue once the deadline has passed. A submitted
# problem waits for the level above, which the organization cannot hurry.
EDITABLE = (ProblemState.OPEN, ProblemState.IN_PROGRESS, ProblemState.RETURNED)
# Neither accepted nor carried over: what the year's end asks about.
UNFINISHED = (*EDITABLE, ProblemState.SUBMITTED)


class Problem(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="problems", verbose_name=_("organization")
    )
    # Set for a member's own problem (the member's branch is the organization).
    member = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("member"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=16, choices=ProblemSource.choices)
    # Where it was found, e.g. "meeting:42" (the meeting whose criticism it came from).
    source_ref = models.CharField(max_length=40, blank=True)
    description = models.TextField(_("problem"))
    measure = models.TextField(_("rectification measure"), blank=True)
    owner = models.CharField(_("responsible"), max_length=60)
    deadline = models.DateField(pgettext_lazy("problem", "deadline"))
    state = models.CharField(
        _("state"), max_length=16, choices=ProblemState.choices, default=ProblemState.OPEN
    )
    carry_reason = models.CharField(_("reason for carrying over"), max_length=200, blank=True)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_by = account_stamp()
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_by = account_stamp()
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = account_stamp()
    decided_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"
    # Criticism of one member is not read by the others: only by the member and by those who
    # may change the organization's records.
    scope_own_field = "member"
    scope_own_reach = "change"

    class Meta:
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["organization", "year", "state"], name="problem_org_year_idx"),
            models.Index(fields=["member", "year"], name="problem_member_year_idx"),
            models.Index(fields=["state", "deadline"], name="problem_state_deadline_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE


class Evidence(AttachedFile):
    """A file showing the measure was carried out (checked by content; photos written anew)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="problems/")

    scope_path_field = "problem__organization__path"

    class Meta(AttachedFile.Meta):
        verbose_name = _("evidence")
