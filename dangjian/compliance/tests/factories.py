"""Small worlds with known activity for the engine's tests."""

from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from dangjian.core.scoping import SYSTEM
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting, MeetingStatus

from ..models import RuleSet
from ..services import load_rule_set


def held(org: Organization, kind: str, on: date, **extra: Any) -> Meeting:
    """A closed meeting of `kind` at `org` on day `on` (local time, 09:00)."""
    start = timezone.make_aware(datetime.combine(on, time(9)))
    return Meeting.objects.create(
        organization=org,
        kind=kind,
        topic="学习",
        starts_at=start,
        ends_at=start.replace(hour=11),
        status=MeetingStatus.CLOSED,
        closed_at=start,
        **extra,
    )


def load(text: str) -> RuleSet:
    rule_set, _created = load_rule_set(text, acting_user=SYSTEM)
    return rule_set
