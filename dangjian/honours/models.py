"""Model examples and honours (work point 25: 选树宣传先进典型; the 七一 "两优一先" honours).

A committee calls for nominations (`Call`) with criteria, the honours it gives (categories) and a
deadline; branches and committees inside its subtree nominate members, leading cadres or
organizations (`Nomination`) with a story and evidence; the level above the nominating
organization recommends (when that is not the calling committee), the calling committee
approves or rejects; the approved are publicised for at least five working days, when members of
the subtree may object (`Objection`) and the committee answers; then the honours are published
(the branches' feed, the committee's honours page, a public notice page).

Scope: a call sits at its committee (`organization__path`); a nomination at the organization that
nominated (`nominating_organization__path`), so the calling committee and everything above it
read all nominations of its subtree, a branch only its own.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dangjian.core.attachments import AttachedFile
from dangjian.core.fields import account_stamp
from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization

TEXT_MAX = 2000
TITLE_MAX = 100


class Category(models.TextChoices):
    MEMBER = "member", _("Outstanding Party member")
    LEADER = "leader", _("Outstanding Party worker")
    BRANCH = "branch", _("Advanced grassroots Party organization")


class CallState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("honours", "Draft")
    OPEN = "open", _("Open for nominations")
    REVIEWING = "reviewing", _("Under review")
    PUBLICITY = "publicity", pgettext_lazy("honours", "Public notice")
    PUBLISHED = "published", pgettext_lazy("honours", "Published")
    CANCELLED = "cancelled", pgettext_lazy("honours", "Cancelled")


class NominationState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("honours", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("honours", "Submitted")
    RECOMMENDED = "recommended", _("Recommended")
    APPROVED = "approved", pgettext_lazy("honours", "Approved")
    REJECTED = "rejected", pgettext_lazy("honours", "Rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("honours", "Withdrawn")


# Waiting for a decision: a call moves to its public notice only when none is left.
PENDING = (NominationState.SUBMITTED, NominationState.RECOMMENDED)
# Nominations still being decided while the call takes them.
TAKING = (CallState.OPEN, CallState.REVIEWING)


class Call(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="honour_calls", verbose_name=_("organization")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    criteria = models.TextField(_("criteria"))
    categories = models.JSONField(_("honours given"), default=list)
    nominations_due = models.DateField(_("nominations due"))
    publish_by = models.DateField(_("publish by"))
    state = models.CharField(_("state"), max_length=16, choices=CallState.choices, default=CallState.DRAFT)
    publicity_from = models.DateField(_("public notice from"), null=True, blank=True)
    publicity_until = models.DateField(_("public notice until"), null=True, blank=True)
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_by = account_stamp()
    opened_at = models.DateTimeField(null=True, blank=True)
    published_by = account_stamp()
    published_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("call for nominations")
        verbose_name_plural = _("calls for nominations")
        ordering = ["-year", "-nominations_due", "-id"]
        indexes = [
            models.Index(fields=["organization", "year"], name="honour_call_org_year_idx"),
            models.Index(fields=["state", "publish_by"], name="honour_call_state_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def category_labels(self) -> list[str]:
        return [str(Category(c).label) for c in self.categories if c in Category.values]


class Nomination(models.Model):
    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="nominations")
    nominating_organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("nominated by")
    )
    category = models.CharField(_("honour"), max_length=8, choices=Category.choices)
    # A member or leading cadre (member, leader), or an organization (branch): exactly one.
    nominee_member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("member")
    )
    nominee_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    story = models.TextField(_("deeds"))
    state = models.CharField(
        _("state"), max_length=16, choices=NominationState.choices, default=NominationState.DRAFT
    )
    created_by = account_stamp()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = account_stamp()
    submitted_at = models.DateTimeField(null=True, blank=True)
    recommended_by = account_stamp()
    recommended_at = models.DateTimeField(null=True, blank=True)
    decided_by = account_stamp()
    decided_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("note"), max_length=200, blank=True)
    # Set when the call is published: the honour is then public (and in the branch's feed).
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "nominating_organization__path"

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["call_id", "category", "id"]
        indexes = [
            models.Index(fields=["call", "state"], name="nomination_call_state_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nominee_member__isnull=True) ^ models.Q(nominee_organization__isnull=True),
                name="nomination_one_nominee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nominee_name} · {self.get_category_display()}"

    @property
    def nominee_name(self) -> str:
        if self.nominee_member_id is not None:
            return self.nominee_member.name  # type: ignore[union-attr]
        return self.nominee_organization.name  # type: ignore[union-attr]

    @property
    def nominee_branch(self) -> Organization:
        """Where the honour is told: the member's branch, or the organization honoured."""
        if self.nominee_member_id is not None:
            return self.nominee_member.organization  # type: ignore[union-attr]
        return self.nominee_organization  # type: ignore[return-value]


class Evidence(AttachedFile):
    """A file supporting the nomination (checked by content; photos written anew)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="honours/")

    scope_path_field = "nomination__nominating_organization__path"

    class Meta(AttachedFile.Meta):
        verbose_name = _("evidence")


class Objection(models.Model):
    """An objection raised during the public notice, and the calling committee's answer."""

    nomination = models.ForeignKey(Nomination, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField(_("objection"))
    raised_by = account_stamp()
    raised_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    upheld = models.BooleanField(_("upheld"), default=False)
    answered_by = account_stamp()
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "nomination__nominating_organization__path"

    class Meta:
        verbose_name = _("objection")
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
