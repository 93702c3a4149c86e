"""党员电子身份: the member's card, shown on their phone and verifiable by anyone via its QR code.

A member has at most one valid card at a time; earlier cards stay as history with when and why
they were revoked (replaced, transferred, left). The card records the branch it was issued for:
a card whose member has since moved or left no longer verifies, even before anyone revokes it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

from .tokens import make_token


class RevokeReason(models.TextChoices):
    REISSUED = "reissued", _("Replaced by a new card")
    TRANSFERRED = "transferred", _("Member transferred to another organization")
    LEFT = "left", _("Member left the Party or the platform")
    WITHDRAWN = "withdrawn", _("Withdrawn by the branch")


class MemberCard(models.Model):
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="cards", verbose_name=_("member")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("issued for branch")
    )
    serial = models.CharField(_("card number"), max_length=32, unique=True)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(
        _("why revoked"), max_length=12, choices=RevokeReason.choices, blank=True
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optional photo the member chose (core.uploads: JPEG or PNG, random stored name); carried
    # over to the next card when one is re-issued.
    photo = models.FileField(_("photo"), max_length=200, blank=True)
    photo_type = models.CharField(max_length=40, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "member__organization__path"

    class Meta:
        verbose_name = _("member card")
        verbose_name_plural = _("member cards")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(revoked_at__isnull=True), name="card_one_valid_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.serial_display}"

    @property
    def token(self) -> str:
        return make_token(self.serial)

    @property
    def serial_display(self) -> str:
        return " ".join(self.serial[i : i + 4] for i in range(0, len(self.serial), 4)).upper()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
