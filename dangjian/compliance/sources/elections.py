"""Village and community "two committees" elections (point 21): every election a township plans
for a year is filed (备案) by 30 June (at risk: in June, not yet filed). Counted on the township,
which plans and files them."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.elections.village import queries
from dangjian.elections.village.workflows import TOPIC

from ..metrics import State, register


def _link(org: Any, year: int) -> str:
    return reverse("org_village_elections", args=[org.pk]) + f"?year={year}"


register(
    State(
        "elections.village_unfiled",
        _("Village and community elections not filed by 30 June (at risk: in June, not yet filed)"),
        queries.unfiled_by_due,
        org="township_id",
        warn=queries.unfiled_in_june,
        topics=(TOPIC,),
        records=_link,
    ),
)
