from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import schedule_meeting
from dangjian.testing.world import World

Schedule = Callable[..., Meeting]


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """An aware moment `day_offset` days from today at hour:minute, in TIME_ZONE."""
    day = timezone.localdate() + timedelta(days=day_offset)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def schedule(world: World) -> Schedule:
    """`schedule(start, topic=..., org=..., hours=2)`: a branch assembly scheduled by the system."""

    def make(
        start: datetime, topic: str = "学习党章", org: Any = None, hours: int = 2, **extra: Any
    ) -> Meeting:
        data = {
            "kind": "branch_assembly",
            "topic": topic,
            "starts_at": start,
            "ends_at": start + timedelta(hours=hours),
            "place": "党员活动室",
        } | extra
        return schedule_meeting(org or world.branch, data, acting_user=world.province_staff)

    return make


def client_for(user: User) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client
