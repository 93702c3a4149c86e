"""Party lectures sent to the grassroots and party-spirit education reporters (work points 5, 6).

A committee's organization department keeps a pool of lecturers; it dispatches one to a branch
in its subtree; the branch confirms the lecture was held, which records a party lecture meeting.

Scope: a dispatch is placed in the tree by its *branch* (`branch__path`). The branch must lie in
the subtree of the committee keeping the lecturer (checked in `dispatch_lecture`), so the keeping
committee — an ancestor — sees the dispatch as well, and the branch can confirm it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting


class LecturerKind(models.TextChoices):
    OFFICIAL = "official", _("Leading official")
    EXPERT = "expert", _("Expert or scholar")
    RETIRED = "retired", _("Retired veteran cadre")
    MODEL_FIGURE = "model_figure", _("Model figure")


class Lecturer(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="lecturers", verbose_name=_("organization")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind of lecturer"), max_length=16, choices=LecturerKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    is_reporter = models.BooleanField(_("party-spirit education reporter"), default=False)
    active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("lecturer")
        ordering = ["organization_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class DispatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class LectureDispatch(models.Model):
    lecturer = models.ForeignKey(
        Lecturer, on_delete=models.PROTECT, related_name="dispatches", verbose_name=_("lecturer")
    )
    branch = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="lecture_dispatches", verbose_name=_("branch")
    )
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=DispatchStatus.choices, default=DispatchStatus.PROPOSED
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lecture_dispatches",
        verbose_name=_("meeting"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Optimistic concurrency: a move from a page drawn before the last one is refused.
    version = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "branch__path"

    class Meta:
        verbose_name = _("lecture dispatch")
        verbose_name_plural = _("lecture dispatches")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["status", "date"], name="dispatch_status_date_idx")]

    def __str__(self) -> str:
        return f"{self.date} · {self.topic}"
