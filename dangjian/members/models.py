"""Party members. ID number and phone are encrypted at rest and found through blind indexes."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.fields import EncryptedTextField
from dangjian.core.masking import mask_id_number, mask_phone
from dangjian.core.scoping import ScopedQuerySet
from dangjian.organizations.models import Organization, PartyGroup


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class MemberCategory(models.TextChoices):
    FULL = "full", _("Full member")
    PROBATIONARY = "probationary", _("Probationary member")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    FLOATING_OUT = "floating_out", _("Floating out")
    SUSPENDED = "suspended", _("Membership suspended")
    LEFT = "left", _("Left the Party")


# Members still on the roll: counted in member totals.
ON_ROLL_STATUSES = [s for s in MemberStatus.values if s != MemberStatus.LEFT]


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("Postgraduate")
    BACHELOR = "bachelor", _("Bachelor")
    ASSOCIATE = "associate", _("Associate degree")
    SECONDARY = "secondary", _("Secondary school")
    JUNIOR = "junior", _("Junior school or below")


class CommitteePost(models.TextChoices):
    NONE = "", _("None")
    SECRETARY = "secretary", _("Secretary")
    DEPUTY_SECRETARY = "deputy_secretary", _("Deputy secretary")
    COMMITTEE_MEMBER = "committee_member", _("Committee member")


# The posts one is elected to (a term change's results); the API's schema names them once.
ELECTED_POSTS = [c for c in CommitteePost.choices if c[0]]


class MemberQuerySet(ScopedQuerySet["Member"]):
    def on_roll(self) -> "MemberQuerySet":
        return self.filter(status__in=ON_ROLL_STATUSES)


class Member(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="members", verbose_name=_("organization")
    )
    party_group = models.ForeignKey(
        PartyGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("party group"),
    )
    name = models.CharField(_("name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"))
    id_number = EncryptedTextField(_("ID number"), context="member.id_number")
    id_number_bidx = models.CharField(max_length=32, unique=True, editable=False)
    phone = EncryptedTextField(_("phone"), context="member.phone")
    phone_bidx = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=MemberCategory.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    join_date = models.DateField(_("join date"))
    full_date = models.DateField(_("full membership date"), null=True, blank=True)
    job_title = models.CharField(_("post or job"), max_length=100, blank=True)
    committee_post = models.CharField(
        _("branch committee post"), max_length=20, choices=CommitteePost.choices, blank=True, default=""
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MemberQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="member_org_status_idx"),
            models.Index(fields=["join_date"], name="member_join_idx"),
            models.Index(fields=["birth_date"], name="member_birth_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def masked(self) -> dict[str, Any]:
        return {"id_number": self.id_number_masked, "phone": self.phone_masked}
