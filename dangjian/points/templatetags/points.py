"""Template helpers of the points pages."""

from typing import Any

from django import template

from dangjian.orglife.models import MeetingKind

register = template.Library()


@register.filter
def kind_points(row: Any, kind: str) -> int:
    """A table row's points under one kind of rule (templates cannot call with arguments)."""
    return int(row.by_kind.get(kind, 0))


@register.filter
def meeting_kind_labels(kinds: list[str]) -> str:
    """A rule's meeting kinds in the reader's language ("Party lecture, …"), not their codes."""
    return ", ".join(str(MeetingKind(k).label) if k in MeetingKind.values else k for k in kinds)
