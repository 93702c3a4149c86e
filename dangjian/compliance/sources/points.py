"""Member points (point 9): a member has a ledger for the year when an approved entry of the year
exists (the points app counts only approved entries)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.points.models import EntryState, PointEntry
from dangjian.points.queries import year_q

from ..metrics import Events, register


def _entries(year: int) -> Any:
    return PointEntry.objects.filter(year_q(year), state=EntryState.APPROVED)


register(
    Events(
        "points.entry",
        _("Approved point entries of members"),
        _entries,
        org="member__organization_id",
        on="occurred_on",
        person="member_id",
        topics=("points.entry",),
        records=lambda org, year: reverse("org_points", args=[org.pk]) + f"?year={year}",
    )
)
