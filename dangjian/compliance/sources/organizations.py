"""Terms (point 16: term-change reminders): a committee's term is overdue, or due within six
months."""

from datetime import date
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dangjian.core.dates import add_months
from dangjian.organizations.models import Organization

from ..metrics import State, register


def _overdue(year: int, as_of: date) -> Any:
    return Organization.objects.filter(term_due_end__lt=as_of)


def _due_soon(year: int, as_of: date) -> Any:
    return Organization.objects.filter(term_due_end__gte=as_of, term_due_end__lte=add_months(as_of, 6))


register(
    State(
        "terms.overdue",
        _("Term change overdue (at risk: due within six months)"),
        _overdue,
        org="id",
        warn=_due_soon,
        topics=("organizations.organization",),
        records=lambda org, year: reverse("org_detail", args=[org.pk]),
    )
)
