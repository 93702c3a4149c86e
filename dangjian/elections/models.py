"""A Party organization's own term change (换届, work point 16 and 21): the request to the
committee above with the planned election, its approval, the election's results, and their
confirmation by the committee above, which writes the new term to the organization and the
elected committee to its members.

Scope: a term change sits at its organization (`organization__path`), so the organization's
officers and every level above read it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.fields import account_stamp
from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import CommitteePost, Member
from dangjian.organizations.models import Organization

PLAN_MAX = 2000
# Against typing errors: branch committees have 3 to 7 seats, grassroots committees 5 to 9.
SEATS_MAX = 31


class TermChangeState(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    RETURNED = "returned", pgettext_lazy("term change", "Returned")
    APPROVED = "approved", pgettext_lazy("term change", "Approved")
    ELECTED = "elected", _("Results reported")
    CONFIRMED = "confirmed", _("Results confirmed")
    WITHDRAWN = "withdrawn", pgettext_lazy("term change", "Withdrawn")


# Under way: an organization has at most one.
OPEN = (
    TermChangeState.REQUESTED,
    TermChangeState.RETURNED,
    TermChangeState.APPROVED,
    TermChangeState.ELECTED,
)

# Waiting for the committee above: a request, or reported results.
TO_DECIDE = (TermChangeState.REQUESTED, TermChangeState.ELECTED)


class TermChange(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="term_changes", verbose_name=_("organization")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=TermChangeState.choices, default=TermChangeState.REQUESTED
    )
    planned_on = models.DateField(_("planned election date"))
    seats = models.PositiveSmallIntegerField(_("committee seats"))
    plan = models.TextField(_("arrangements and nominees"), max_length=PLAN_MAX)
    held_on = models.DateField(_("election held on"), null=True, blank=True)
    # Written at confirmation, as the organization received them.
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_due_end = models.DateField(_("term due end"), null=True, blank=True)
    requested_by = account_stamp()
    requested_at = models.DateTimeField(null=True, blank=True)
    decided_by = account_stamp()
    decided_at = models.DateTimeField(null=True, blank=True)
    reported_by = account_stamp()
    reported_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = account_stamp()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("term change")
        verbose_name_plural = _("term changes")
        ordering = ["-planned_on", "-id"]
        constraints = [
            # At most one under way per organization (a second request waits for the first).
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(state__in=OPEN),
                name="term_change_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.planned_on}"


class Elected(models.Model):
    """One member elected to the new committee, with the post and the votes received."""

    term_change = models.ForeignKey(TermChange, on_delete=models.CASCADE, related_name="elected")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    post = models.CharField(_("post"), max_length=20, choices=CommitteePost.choices)
    votes = models.PositiveIntegerField(_("votes for"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "term_change__organization__path"

    class Meta:
        verbose_name = _("elected member")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["term_change", "member"], name="elected_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.post}"


# The village side (work point 21) lives in its own module; imported here so Django registers it.
from .village.models import (  # noqa: E402, F401
    Candidate,
    VillageCommittee,
    VillageElection,
    VillageSeat,
)
