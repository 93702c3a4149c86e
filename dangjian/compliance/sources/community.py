"""Theme practice (point 20): in-service members' registration with the community where they
live is running — every community branch has had at least one service task of a registered
member confirmed, with its day in the year, by the year's end (at risk: in December without one).
Counted on the community branch. Commitments and requests from the public are recorded but not
measured (the rule's `note`)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.community import queries

from ..metrics import State, by_year_end, register

TOPICS = ("community.task", "community.registration")


def _link(org: Any, year: int) -> str:
    return reverse("community:org", args=[org.pk]) + f"?year={year}"


AFTER_YEAR, IN_DECEMBER = by_year_end(queries.community_branches_idle)


register(
    State(
        "community.no_service_confirmed",
        _("Community branches without any confirmed service of registered in-service members in the year"),
        AFTER_YEAR,
        org="id",
        warn=IN_DECEMBER,
        topics=TOPICS,
        records=_link,
    ),
)
