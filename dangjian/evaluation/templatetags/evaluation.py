"""Template helpers of the evaluation pages."""

from typing import Any

from django import template

register = template.Library()


@register.filter
def grade_count(row: Any, grade: str) -> int:
    """How many peer ratings of one grade a member received (templates cannot pass arguments)."""
    return int(row.count(grade))
