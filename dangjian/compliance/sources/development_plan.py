"""The yearly development plan (发展党员计划): a grassroots committee's admissions of the year
(approvals, step 17, dated in the year, from the branches nearest below it) within its plan.
A committee admitting without a plan counts as beyond it (a plan of none). Counted on the
grassroots committee; the approval itself is refused beyond a plan, so a committee is found
here when it admitted before setting its plan, or without one."""

from datetime import date
from typing import Any

from django.db.models import F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.development.models import Plan
from dangjian.development.plans import admitted_count_subquery
from dangjian.organizations.models import COMMITTEE_KINDS, Organization

from ..metrics import State, register

TOPICS = ("development.approval", "development.plan")


def beyond_plan(year: int, as_of: date) -> Any:
    planned = Plan.objects.filter(organization=OuterRef("pk"), year=year).values("admissions")[:1]
    zero = Value(0, output_field=IntegerField())
    return (
        Organization.objects.filter(kind__in=COMMITTEE_KINDS)
        .annotate(
            admitted=Coalesce(Subquery(admitted_count_subquery(year), output_field=IntegerField()), zero),
            planned=Coalesce(Subquery(planned, output_field=IntegerField()), zero),
        )
        .filter(admitted__gt=F("planned"))
        .values("id")
    )


register(
    State(
        "development.beyond_plan",
        _("Admissions of the year beyond the grassroots committee's development plan"),
        beyond_plan,
        org="id",
        topics=TOPICS,
        records=lambda org, year: reverse("org_development_plan", args=[org.pk]) + f"?year={year}",
    )
)
