"""Several counts in one round trip.

A page that shows how many of each kind of thing waits (point claims, transfers, reductions…)
would otherwise send one `COUNT(*)` per kind. `count_each` sends one `SELECT` with a scalar
subquery per queryset instead. Each queryset keeps its own filters and scoping; only the round
trips and Django's per-query wrapping are saved.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connections
from django.db.models import F, Func, IntegerField, QuerySet


class _CountAll(Func):
    """COUNT(DISTINCT pk) without a GROUP BY: one row, whatever joins the queryset carries."""

    template = "COUNT(DISTINCT %(expressions)s)"
    output_field = IntegerField()


def count_each(querysets: Sequence[QuerySet[Any]]) -> list[int]:
    """The number of rows of each queryset, in order (one query; none when all are empty)."""
    counts = [0] * len(querysets)
    live = [(i, qs) for i, qs in enumerate(querysets) if not qs.query.is_empty()]
    if not live:
        return counts
    alias = live[0][1].db
    selects = []
    params: list[Any] = []
    for _i, qs in live:
        counted = qs.order_by().annotate(_n=_CountAll(F("pk"))).values("_n")
        sql, sub_params = counted.query.get_compiler(alias).as_sql()
        selects.append(f"({sql})")
        params.extend(sub_params)
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(selects)}", params)
        row = cursor.fetchone()
    for (i, _qs), value in zip(live, row, strict=True):
        counts[i] = int(value or 0)
    return counts
