"""预备党员: a probationary member becomes full after one year, by vote of the branch member
assembly; the assembly may instead extend the probation (6 to 12 months, once) or cancel the
probationary membership. Every decision names the closed assembly meeting that took it.

Party Constitution art. 7: the branch assembly's decision — to convert, to extend or to cancel —
takes effect only once the Party committee above approves it (上级党委审批). A decision is
therefore recorded as `decided` and changes nothing about the member; the committee above
approves it (the member's category, probation end or status changes then) or rejects it (the
branch may decide again at another assembly). One decision awaits approval at a time.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.orglife.models import Meeting

EXTENSION_MONTHS = (6, 12)  # inclusive bounds of an extension (Party Constitution art. 7)


class ProbationOutcome(models.TextChoices):
    CONVERT = "convert", _("Converted to full member")
    EXTEND = "extend", _("Probation extended")
    CANCEL = "cancel", _("Probationary membership cancelled")


class DecisionState(models.TextChoices):
    DECIDED = "decided", _("Decided by the branch, awaiting approval")
    APPROVED = "approved", _("Approved by the committee above")
    REJECTED = "rejected", _("Not approved by the committee above")


class ProbationDecision(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="probation_decisions", verbose_name=_("member")
    )
    outcome = models.CharField(_("decision"), max_length=8, choices=ProbationOutcome.choices)
    extension_months = models.PositiveSmallIntegerField(_("extended by (months)"), null=True, blank=True)
    # The new end of probation, for an extension: once approved, the due date lists and reminders read.
    extended_until = models.DateField(_("probation now ends on"), null=True, blank=True)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, related_name="+", verbose_name=_("branch member assembly")
    )
    decided_on = models.DateField(_("decided on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        _("approval"), max_length=8, choices=DecisionState.choices, default=DecisionState.DECIDED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    reviewed_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    review_note = models.CharField(_("committee's note"), max_length=200, blank=True)
    # Bumped by every move (`transfers.workflows`): a page drawn before a move is refused as stale.
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "member__organization__path"

    class Meta:
        verbose_name = _("probation decision")
        verbose_name_plural = _("probation decisions")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(outcome="extend", extension_months__gte=6, extension_months__lte=12)
                    & Q(extended_until__isnull=False)
                )
                | (~Q(outcome="extend") & Q(extension_months__isnull=True, extended_until__isnull=True)),
                name="probation_extension_months",
            ),
            models.UniqueConstraint(fields=["member", "meeting"], name="probation_once_per_meeting"),
            # One decision awaiting the committee: two could otherwise both be approved.
            models.UniqueConstraint(
                fields=["member"], condition=Q(state="decided"), name="probation_one_pending_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_outcome_display()}"  # type: ignore[attr-defined]

    @property
    def is_pending(self) -> bool:
        return self.state == DecisionState.DECIDED
