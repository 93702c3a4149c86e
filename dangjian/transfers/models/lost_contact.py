"""失联党员: a case per member whose branch has lost contact with them (work point 16).

The case records when contact was lost, every attempt to find the member (who tried what, when,
with what result), and how it ended. While a case is open the member's status is `lost_contact`.
It closes as found (back to active), as regarded as having left the Party under art. 9 of the
Party Constitution (six months without organizational life; status `left`), or as still lost
(the search stops; the status stays `lost_contact`, and a new case may be opened later).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member


class CaseState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class CaseOutcome(models.TextChoices):
    FOUND = "found", _("Found: back in contact")
    LEFT_PARTY = "left_party", _("Regarded as having left the Party (art. 9)")
    STILL_LOST = "still_lost", _("Still lost: search ended")


class SearchMethod(models.TextChoices):
    PHONE = "phone", _("Phone or message")
    VISIT = "visit", _("Home visit")
    RELATIVES = "relatives", _("Relatives or neighbours")
    EMPLOYER = "employer", _("Employer or school")
    AUTHORITIES = "authorities", _("Police station or village committee")
    NOTICE = "notice", _("Public notice")
    OTHER = "other", _("Other")


class LostContactCase(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="lost_contact_cases", verbose_name=_("member")
    )
    lost_on = models.DateField(_("contact lost on"))
    circumstances = models.TextField(_("circumstances"), blank=True)
    state = models.CharField(_("state"), max_length=8, choices=CaseState.choices, default=CaseState.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=CaseOutcome.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.CharField(_("closing note"), max_length=200, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic concurrency: a move from a page drawn before the last one is refused.
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "member__organization__path"

    class Meta:
        verbose_name = _("lost-contact case")
        verbose_name_plural = _("lost-contact cases")
        ordering = ["-lost_on", "-id"]
        indexes = [models.Index(fields=["state", "lost_on"], name="lost_case_state_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(state="open"), name="lost_case_one_open_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.lost_on}"

    @property
    def is_open(self) -> bool:
        return self.state == CaseState.OPEN


class SearchLogEntry(models.Model):
    """One attempt to reach the member. Never edited: a correction is a new entry."""

    case = models.ForeignKey(
        LostContactCase, on_delete=models.PROTECT, related_name="entries", verbose_name=_("case")
    )
    tried_on = models.DateField(_("tried on"))
    searcher = models.CharField(_("who tried"), max_length=100)
    method = models.CharField(_("method"), max_length=12, choices=SearchMethod.choices)
    detail = models.TextField(_("what was tried"))
    result = models.CharField(_("result"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "case__member__organization__path"

    class Meta:
        verbose_name = _("search log entry")
        verbose_name_plural = _("search log")
        ordering = ["tried_on", "id"]

    def __str__(self) -> str:
        return f"{self.tried_on} · {self.get_method_display()}"  # type: ignore[attr-defined]
