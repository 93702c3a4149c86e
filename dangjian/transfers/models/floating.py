"""流动党员: a member who lives and works away from their branch for a while (work point 17).

The home branch registers where they went, why, how to reach them, and which branch there
manages them (a branch on the platform, or one named in words when it is elsewhere). Both the
home branch and the managing branch see the record, and the managing branch counts the member
at its activities (`queries.managed_floating`). While a record is open the member's status is
`floating_out`; the return puts it back to `active`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField
from dangjian.core.masking import mask_phone
from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization


class FloatingState(models.TextChoices):
    OPEN = "open", _("Away")
    RETURNED = "returned", _("Returned")
    # Ended without a return: the member transferred, or left the Party.
    CLOSED = "closed", _("Closed: transferred or left")


class FloatingQuerySet(ScopedQuerySet["FloatingRecord"]):
    pass


class FloatingRecord(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="floating_records", verbose_name=_("member")
    )
    # The member's branch when registered: the record stays with it even if the member later
    # transfers, so the home branch keeps its history.
    home_org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="floating_out", verbose_name=_("home branch")
    )
    managing_org = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="floating_in",
        verbose_name=_("managing branch"),
    )
    managing_org_text = models.CharField(
        _("managing branch outside the platform"), max_length=200, blank=True
    )
    left_on = models.DateField(_("left on"))
    destination = models.CharField(_("where they went"), max_length=200)
    reason = models.CharField(_("reason"), max_length=200)
    contact = EncryptedTextField(_("contact phone"), context="floating.contact")
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=FloatingState.choices, default=FloatingState.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic concurrency: a move from a page drawn before the last one is refused.
    version = models.PositiveIntegerField(default=0)

    objects = FloatingQuerySet.as_manager()
    # Two-sided: seen from the home and from the managing branch (core.scoping).
    scope_path_fields = ("home_org__path", "managing_org__path")
    scope_path_field = "home_org__path"

    class Meta:
        verbose_name = _("floating member record")
        verbose_name_plural = _("floating member records")
        ordering = ["-left_on", "-id"]
        indexes = [
            models.Index(fields=["home_org", "state"], name="floating_home_state_idx"),
            models.Index(fields=["managing_org", "state"], name="floating_managing_state_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(state="open"), name="floating_one_open_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.destination}"

    @property
    def contact_masked(self) -> str:
        return mask_phone(self.contact)

    @property
    def manager_label(self) -> str:
        return self.managing_org.name if self.managing_org is not None else self.managing_org_text

    @property
    def is_open(self) -> bool:
        return self.state == FloatingState.OPEN
