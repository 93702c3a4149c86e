"""Study plans (point 1)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.study.models import StudyPlan

from ..metrics import Events, register

register(
    Events(
        "study.plan",
        _("Study plan for the year"),
        lambda year: StudyPlan.objects.filter(year=year),
        org="organization_id",
        on="created_at",
        topics=("study.plan",),
        records=lambda org, year: reverse("study_plan", args=[org.pk]) + f"?year={year}",
    )
)
