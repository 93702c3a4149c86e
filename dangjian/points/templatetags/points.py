"""Template helpers of the points pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def kind_points(row: Any, kind: str) -> int:
    """A table row's points under one kind of rule (templates cannot call with arguments)."""
    return int(row.by_kind.get(kind, 0))
