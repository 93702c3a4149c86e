"""Composing set-based SQL from querysets.

The engine's statements are plain, portable SQL (CASE, SUM, COALESCE, LEFT JOIN, substr) around
subqueries that Django compiles from the domain's querysets, so the same code runs on SQLite and
PostgreSQL and the facts stay defined in one place.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, QuerySet
from django.utils import timezone


class Sql:
    """A SQL text with its parameters, built left to right."""

    def __init__(self, text: str = "", params: list[Any] | None = None) -> None:
        self.text = text
        self.params: list[Any] = list(params or [])

    def add(self, text: str, *params: Any) -> "Sql":
        self.text += text
        self.params.extend(params)
        return self

    def sub(self, qs: QuerySet[Any]) -> "Sql":
        """Append `(…)`, the compiled SQL of a queryset."""
        text, params = qs.query.sql_with_params()
        self.text += f"({text})"
        self.params.extend(params)
        return self

    def nest(self, other: "Sql") -> "Sql":
        """Append `(…)`, another statement built here."""
        self.text += f"({other.text})"
        self.params.extend(other.params)
        return self

    def execute(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(self.text, self.params)
            return cursor.rowcount


def table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def day(value: date | None) -> Any:
    return connection.ops.adapt_datefield_value(value)


def moment(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def is_datetime(model: Any, lookup: str) -> bool:
    """Whether `lookup` (e.g. "meeting__starts_at") ends on a DateTimeField."""
    parts = lookup.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return isinstance(model._meta.get_field(parts[-1]), DateTimeField)


def before(qs: QuerySet[Any], lookup: str, last_day: date) -> QuerySet[Any]:
    """Rows of `qs` whose `lookup` falls on or before `last_day` (local time for datetimes)."""
    if is_datetime(qs.model, lookup):
        bound = timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time()))
        return qs.filter(**{f"{lookup}__lt": bound})
    return qs.filter(**{f"{lookup}__lte": last_day})
