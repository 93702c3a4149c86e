"""Yearly study plans (work point 1): each committee and branch arranges its study for the year;
meetings are linked to the items they carried out."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import ScopedQuerySet
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting


class StudyPlan(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="study_plans", verbose_name=_("organization")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "organization__path"

    class Meta:
        verbose_name = _("study plan")
        ordering = ["-year", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="study_plan_once_a_year")
        ]

    def __str__(self) -> str:
        return self.title


class StudyItem(models.Model):
    plan = models.ForeignKey(StudyPlan, on_delete=models.CASCADE, related_name="items")
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    theme = models.CharField(_("theme"), max_length=200)
    readings = models.TextField(_("readings"), blank=True)
    meetings = models.ManyToManyField(
        Meeting, blank=True, related_name="study_items", verbose_name=_("meetings")
    )

    objects = ScopedQuerySet.as_manager()
    scope_path_field = "plan__organization__path"

    class Meta:
        verbose_name = _("study item")
        ordering = ["month", "id"]

    def __str__(self) -> str:
        return f"{self.month} · {self.theme}"
