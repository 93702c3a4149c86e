"""The organization tree: every Party organization of the province is one node."""

from datetime import date
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangjian.core.dates import add_months, add_years
from dangjian.core.scoping import ScopedQuerySet


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("Party committee")
    WORKING_COMMITTEE = "working_committee", _("Working committee")
    GENERAL_BRANCH = "general_branch", _("General branch")
    BRANCH = "branch", _("Branch")
    JOINT_BRANCH = "joint_branch", _("Joint branch")
    TEMPORARY_BRANCH = "temporary_branch", _("Temporary branch")
    LEADING_GROUP = "leading_group", _("Leading party group")


# Branches are the leaves of the organization tree: members and party groups hang from them.
BRANCH_KINDS = frozenset({OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMPORARY_BRANCH})
MEMBER_HOLDING_KINDS = BRANCH_KINDS | {OrgKind.GENERAL_BRANCH}
COMMITTEE_KINDS = frozenset({OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE})


class Sector(models.TextChoices):
    RURAL = "rural", _("Rural")
    COMMUNITY = "community", _("Community")
    GOVERNMENT = "government", _("Government organ")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")
    STATE_ENTERPRISE = "state_enterprise", _("State-owned enterprise")
    PRIVATE_ENTERPRISE = "private_enterprise", _("Non-public enterprise")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    UNIVERSITY = "university", _("University")
    OTHER = "other", _("Other")


class TermState(models.TextChoices):
    UNKNOWN = "unknown", _("No term recorded")
    OK = "ok", _("In term")
    DUE_SOON = "due_soon", _("Term change due within 6 months")
    OVERDUE = "overdue", _("Term change overdue")


def default_term_years(kind: str, sector: str = "") -> int:
    """Grassroots committees serve 5 years (since 2018); so do village and community party
    organizations, whose terms follow the 5-year village and residents' committees (2018
    amendments, first applied in the 2021 term changes). Other branches serve 3 years."""
    if kind in COMMITTEE_KINDS or sector in (Sector.RURAL, Sector.COMMUNITY):
        return 5
    return 3


class OrganizationQuerySet(MP_NodeQuerySet, ScopedQuerySet["Organization"]):
    pass


class OrganizationManager(MP_NodeManager):
    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")

    def restrict(self, user: Any, action: str = "view") -> OrganizationQuerySet:
        return self.get_queryset().restrict(user, action)  # type: ignore[return-value]


class Organization(MP_Node):
    name = models.CharField(_("name"), max_length=100, db_index=True)
    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    sector = models.CharField(_("sector"), max_length=24, choices=Sector.choices, default=Sector.OTHER)
    established_on = models.DateField(_("established on"), null=True, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_due_end = models.DateField(_("term due end"), null=True, blank=True)
    # Optimistic concurrency: an edit based on an older version is refused, not merged.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationManager()
    scope_path_field = "path"

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            models.Index(fields=["kind", "sector"], name="org_kind_sector_idx"),
            # The children of an organization: one depth, a range of paths. Without it the
            # province's children are a scan of every organization (86 ms → 0.04 ms).
            models.Index(fields=["depth", "path"], name="org_depth_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_branch(self) -> bool:
        return self.kind in BRANCH_KINDS

    @property
    def holds_members(self) -> bool:
        return self.kind in MEMBER_HOLDING_KINDS

    def term_state(self, today: date | None = None) -> TermState:
        if not self.term_due_end:
            return TermState.UNKNOWN
        today = today or timezone.localdate()
        if self.term_due_end < today:
            return TermState.OVERDUE
        if self.term_due_end <= add_months(today, 6):
            return TermState.DUE_SOON
        return TermState.OK

    def default_term_end(self) -> date | None:
        return (
            add_years(self.term_start, default_term_years(self.kind, self.sector))
            if self.term_start
            else None
        )


class PartyGroup(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="party_groups", verbose_name=_("branch")
    )
    name = models.CharField(_("name"), max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("party group")
        verbose_name_plural = _("party groups")
        ordering = ["organization_id", "id"]  # creation order: 第一, 第二, 第三…
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="party_group_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
