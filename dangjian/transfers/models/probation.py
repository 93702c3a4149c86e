"""预备党员: a probationary member becomes full after one year, by vote of the branch member
assembly; the assembly may instead extend the probation (6 to 12 months, once) or cancel the
probationary membership. Every decision names the closed assembly meeting that took it."""

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


class ProbationDecision(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="probation_decisions", verbose_name=_("member")
    )
    outcome = models.CharField(_("decision"), max_length=8, choices=ProbationOutcome.choices)
    extension_months = models.PositiveSmallIntegerField(_("extended by (months)"), null=True, blank=True)
    # The new end of probation, for an extension: the due date reminders and lists read.
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
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_outcome_display()}"  # type: ignore[attr-defined]
