"""A deadline rule on and around its due date, in Beijing dates: the due date itself still counts
(a missing fact is at risk, not yet overdue); the day after, it is overdue."""

from datetime import UTC, date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from dangjian.compliance import engine
from dangjian.compliance.models import Result
from dangjian.compliance.tests.factories import held, load
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting, MeetingStatus
from dangjian.testing.world import World

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
RULES = """code: t
name: test
settings: {warn_days: 14}
rules:
  - code: d
    title: d
    kind: deadline
    metrics: [meetings.theme_day]
    due: '05-31'
    applies_to: {kinds: [branch]}
"""


def status(org: Organization) -> str:
    return Result.objects.get(organization=org, rule__code="d", year=2026).status


def theme_day_at(org: Organization, start: datetime) -> None:
    Meeting.objects.create(
        organization=org,
        kind="theme_day",
        topic="主题党日",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        status=MeetingStatus.CLOSED,
        closed_at=start + timedelta(hours=1),
    )


def test_on_the_due_date_a_missing_fact_is_at_risk_and_the_day_after_overdue(world: World) -> None:
    load(RULES)
    held(world.branch, "theme_day", date(2026, 5, 31))  # on the due date itself: in time
    engine.recompute(2026, today=date(2026, 5, 31))
    assert status(world.branch) == "met"
    assert status(world.branch2) == "at_risk"  # still the due date: not overdue yet
    engine.recompute(2026, today=date(2026, 6, 1))
    assert status(world.branch) == "met"
    assert status(world.branch2) == "overdue"


def test_facts_count_by_their_beijing_date(world: World) -> None:
    load(RULES)
    # 23:30 on 31 May in Beijing (15:30 UTC): in time.
    theme_day_at(world.branch, datetime(2026, 5, 31, 23, 30, tzinfo=BEIJING))
    # 00:30 on 1 June in Beijing is still 31 May in UTC: a day late.
    theme_day_at(world.branch2, datetime(2026, 6, 1, 0, 30, tzinfo=BEIJING))
    engine.recompute(2026, today=date(2026, 6, 1))
    assert status(world.branch) == "met"
    assert status(world.branch2) == "overdue"


def test_today_is_the_beijing_date(world: World) -> None:
    load(RULES)
    # 00:30 on 1 June in Beijing, 16:30 on 31 May in UTC: the deadline has passed.
    now = datetime(2026, 6, 1, 0, 30, tzinfo=BEIJING).astimezone(UTC)
    with mock.patch("django.utils.timezone.now", return_value=now):
        engine.recompute(2026)
    assert status(world.branch) == "overdue"
