"""Small helpers of the demo data generator: weighted choice, treebeard path steps, proportional
splits."""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from django.db import connection, models

from dangjian.core.tree import ALPHABET, STEPLEN

T = TypeVar("T")


class Weighted(Generic[T]):
    """Fast weighted choice: one `rng.random()` and a bisect."""

    def __init__(self, items: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _ in items]
        self.cum: list[float] = []
        total = 0.0
        for _, weight in items:
            total += weight
            self.cum.append(total)
        self.total = total

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect.bisect(self.cum, rng.random() * self.total)]


def step(index: int) -> str:
    """The 1-based `index`-th child's path step: 1 → '0001', 36 → '0010' (treebeard's alphabet)."""
    digits = []
    n = index
    for _ in range(STEPLEN):
        n, r = divmod(n, len(ALPHABET))
        digits.append(ALPHABET[r])
    if n or index < 1:
        raise ValueError(f"step index out of range: {index}")
    return "".join(reversed(digits))


def split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainder: the parts sum to `total`)."""
    wsum = sum(weights)
    raw = [total * w / wsum for w in weights]
    parts = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def insert_sql(model: type[models.Model], fields: Sequence[models.Field]) -> str:  # type: ignore[type-arg]
    """One prepared INSERT of `fields` into `model`'s table, for `executemany` over a batch (on
    SQLite, `bulk_create` spends most of its time compiling SQL for ~50 rows a statement)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"  # noqa: S608


class Table:
    """Rows of one model written with one prepared INSERT per batch (as `life._Maker` does), each
    value prepared by its field as the ORM would; auto-numbered keys are read back in order."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [
            f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))
        ]
        self.sql = insert_sql(model, self.fields)
        self.rows: list[list[Any]] = []

    def add(self, **values: Any) -> int:
        row = []
        for f in self.fields:
            value = values[f.attname] if f.attname in values else f.get_default()
            row.append(f.get_db_prep_value(value, connection, prepared=False))
        self.rows.append(row)
        return len(self.rows) - 1

    def write(self, batch_size: int = 5000) -> list[Any]:
        """Insert the rows; returns their keys in the order they were added."""
        pk = self.model._meta.pk
        assert pk is not None
        auto = isinstance(pk, models.AutoField)
        before = (self.model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) if auto else 0
        with connection.cursor() as cursor:
            for first in range(0, len(self.rows), batch_size):
                cursor.executemany(self.sql, self.rows[first : first + batch_size])
        if not auto:
            return []
        keys = list(
            self.model._default_manager.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True)
        )
        assert len(keys) == len(self.rows), (self.model, len(keys), len(self.rows))
        return keys
