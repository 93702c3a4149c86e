"""Model examples and honours (point 25): a committee's call for nominations is reviewed and its
honours published by the date it set (warned 14 days before)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.honours import queries

from ..metrics import State, register

TOPICS = ("honours.call", "honours.nomination")


def _link(org: Any, year: int) -> str:
    return reverse("org_honour_calls", args=[org.pk])


register(
    State(
        "honours.unpublished",
        _("Calls for nominations past their publication date and not published"),
        queries.unpublished_of,
        org="organization_id",
        warn=queries.due_soon_of,
        topics=TOPICS,
        records=_link,
    ),
)
