"""Leading cadres (领导干部) of party committees and what they record (work points 2, 3, 14).

A leading cadre belongs to the leading group of one committee (`committee`) and keeps their own
membership in a branch (`member.organization`): the "dual organizational life" of point 14 is
attendance at that branch's meetings and at the committee's democratic life meeting. Lectures are
not stored here: a leader's lecture is a closed meeting whose `lecturer` is the leader's member.

Scope: a leader, their plan and their works are placed in the tree by the committee, so the
committee's staff and every level above see them. The leader's own branch lies in the committee's
subtree (checked by the services), so whoever sees the leader also sees the meetings counted.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.members.models import Member
from dangjian.organizations.models import Organization


class LeadingCadre(models.Model):
    committee = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="leading_cadres", verbose_name=_("committee")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="leading_posts", verbose_name=_("member")
    )
    post = models.CharField(_("post"), max_length=50)
    # 主要负责人: the one whose special lecture to the central group counts (work point 2).
    principal = models.BooleanField(_("principal leader"), default=False)
    active = models.BooleanField(_("in post"), default=True)
    since = models.DateField(_("since"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "committee__path"

    class Meta:
        verbose_name = _("leading cadre")
        verbose_name_plural = _("leading cadres")
        ordering = ["committee_id", "-principal", "since", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee"],
                condition=models.Q(principal=True, active=True),
                name="leader_one_principal",
            ),
            models.UniqueConstraint(
                fields=["committee", "member"],
                condition=models.Q(active=True),
                name="leader_once_per_committee",
            ),
        ]
        indexes = [models.Index(fields=["member", "active"], name="leader_member_idx")]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.post}"


class LeaderStudyPlan(models.Model):
    leader = models.ForeignKey(
        LeadingCadre, on_delete=models.CASCADE, related_name="plans", verbose_name=_("leading cadre")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "leader__committee__path"

    class Meta:
        verbose_name = _("personal study plan")
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["leader", "year"], name="leader_plan_once_a_year")]

    def __str__(self) -> str:
        return f"{self.leader_id} · {self.year}"


class LeaderStudyItem(models.Model):
    plan = models.ForeignKey(LeaderStudyPlan, on_delete=models.CASCADE, related_name="items")
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    theme = models.CharField(_("theme"), max_length=200)
    readings = models.TextField(_("readings"), blank=True)

    class Meta:
        verbose_name = _("study item")
        ordering = ["month", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="leader_item_month_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month} · {self.theme}"


class WorkKind(models.TextChoices):
    STUDY_NOTE = "study_note", _("Study note")
    RESEARCH_REPORT = "research_report", _("Research report")
    THEORY_ARTICLE = "theory_article", _("Theory article")


class LeaderWork(models.Model):
    """A study note, research report or theory article (work point 3: at least one a year)."""

    leader = models.ForeignKey(
        LeadingCadre, on_delete=models.PROTECT, related_name="works", verbose_name=_("leading cadre")
    )
    kind = models.CharField(_("kind of work"), max_length=20, choices=WorkKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    written_on = models.DateField(_("written on"))
    # Stored under a random name (core.uploads); the sender's file name is kept for display only.
    attachment = models.FileField(_("attachment"), max_length=200, blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "leader__committee__path"

    class Meta:
        verbose_name = _("leader's work")
        verbose_name_plural = _("leaders' works")
        ordering = ["-written_on", "-id"]
        indexes = [models.Index(fields=["leader", "written_on"], name="leader_work_date_idx")]

    def __str__(self) -> str:
        return self.title
