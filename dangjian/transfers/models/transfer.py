"""组织关系转接: a member's Party membership moves from one organization to another.

The sending branch starts a transfer (or approves the member's own request), which issues the
introduction letter (介绍信); the receiving branch accepts or rejects it. The member stays in the
sending branch until the moment of acceptance and moves in the same transaction, so they are
never in two organizations and never in none. A transfer out of the platform (to another
province) has no receiving branch here: it names the destination, and the sending branch
completes it when the letter's receipt (回执) comes back, at which point the member leaves this
province's roll (status `left`, with this transfer as the record of why).
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

# The letter asks the receiving organization to report within this many days.
LETTER_VALID_DAYS = 30


class TransferState(models.TextChoices):
    REQUESTED = "requested", _("Requested by the member")
    SENT = "sent", _("Sent, awaiting the receiving branch")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_TRANSFER_STATES = (TransferState.REQUESTED, TransferState.SENT)


class TransferQuerySet(ScopedQuerySet["Transfer"]):
    pass


class Transfer(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("member")
    )
    from_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("sending branch")
    )
    # Empty for a transfer out of the platform: `destination` names where the member goes.
    to_org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_in",
        verbose_name=_("receiving branch"),
    )
    destination = models.CharField(_("destination outside the platform"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=200)
    letter_no = models.CharField(_("letter number"), max_length=40, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=TransferState.choices, default=TransferState.SENT
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The rejection's reason, a cancellation's reason, or a note on the returned receipt.
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Optimistic concurrency: a move from a page drawn before the last one is refused.
    version = models.PositiveIntegerField(default=0)

    objects = TransferQuerySet.as_manager()
    # Two-sided: seen from the sending and from the receiving branch (core.scoping).
    scope_path_fields = ("from_org__path", "to_org__path")
    scope_path_field = "from_org__path"

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["from_org", "state"], name="transfer_from_state_idx"),
            models.Index(fields=["to_org", "state"], name="transfer_to_state_idx"),
        ]
        constraints = [
            # One transfer under way per member: two open letters could both be accepted.
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state__in=["requested", "sent"]),
                name="transfer_one_open_per_member",
            ),
            models.CheckConstraint(
                condition=Q(to_org__isnull=False) | ~Q(destination=""), name="transfer_has_destination"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.destination_label}"

    @property
    def out_of_platform(self) -> bool:
        return self.to_org_id is None

    @property
    def destination_label(self) -> str:
        return self.to_org.name if self.to_org is not None else self.destination

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_TRANSFER_STATES

    @property
    def sent_on(self) -> date | None:
        return timezone.localdate(self.sent_at) if self.sent_at else None

    @property
    def letter_valid_until(self) -> date | None:
        sent = self.sent_on
        return sent + timedelta(days=LETTER_VALID_DAYS) if sent else None
