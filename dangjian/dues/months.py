"""Months as the dues module counts them: a month is the `date` of its first day.

Dues are owed per calendar month, so every period in this app (a profile's effective month, a
payment's first and last month, a reduction's months) is stored as a month's first day, and the
helpers below keep the arithmetic in one place.
"""

import re
from collections.abc import Iterator
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.dates import add_months

_MONTH_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_start(day: date) -> date:
    return day.replace(day=1)


def this_month() -> date:
    """The current month in the platform's time zone (Asia/Shanghai)."""
    return month_start(timezone.localdate())


def is_month(day: date) -> bool:
    return day.day == 1


def parse_month(raw: str, field: str = "month") -> date:
    """`YYYY-MM` → the month's first day; a ValidationError on `field` for anything else."""
    match = _MONTH_RE.match(raw.strip()) if isinstance(raw, str) else None
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return date(year, month, 1)
    raise ValidationError({field: _("Enter a month as YYYY-MM, e.g. 2026-11.")}, code="month")


def months_between(first: date, last: date) -> int:
    """How many months from `first` to `last` (0 when they are the same month)."""
    return (last.year - first.year) * 12 + last.month - first.month


def month_span(first: date, last: date) -> Iterator[date]:
    """Every month from `first` to `last`, both included."""
    for i in range(months_between(first, last) + 1):
        yield add_months(first, i)


def quarter_end(month: date) -> date:
    """The last month of `month`'s calendar quarter (payments ahead may reach it, not beyond)."""
    return date(month.year, (month.month - 1) // 3 * 3 + 3, 1)


def label(month: date) -> str:
    return f"{month:%Y-%m}"


def period_label(first: date, last: date) -> str:
    """ "2026-11" for one month, "2026-09–2026-11" for several."""
    return label(first) if first == last else f"{label(first)}–{label(last)}"
