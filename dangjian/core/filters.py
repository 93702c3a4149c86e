"""Filters shared by the FilterSets of several apps."""

import django_filters
from django import forms

# Wide enough for any year a record can carry (the Party's founding is 1921), narrow enough that
# the database's date arithmetic never meets a year outside `datetime`'s 1..9999: `?year=0`
# made Django build `date(0, 1, 1)` for the `__year` lookup and answer 500.
FIRST_YEAR = 1900
LAST_YEAR = 2100


class YearField(forms.IntegerField):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(**kwargs)  # type: ignore[arg-type]


class YearFilter(django_filters.NumberFilter):
    """`?year=`: a whole year between FIRST_YEAR and LAST_YEAR, else a 400 naming the field."""

    field_class = YearField
