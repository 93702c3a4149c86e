"""Building blocks for the transfers tests, all through the services."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.accounts.roles import Role
from dangjian.core.scoping import SYSTEM
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import close_meeting, record_attendance, schedule_meeting
from dangjian.testing.world import make_member, make_user


def closed_assembly(
    org: Organization, day: date, *, kind: str = "branch_assembly", close: bool = True
) -> Meeting:
    """A meeting of `org` held on `day` (in the past), everyone present, closed."""
    start = timezone.make_aware(datetime.combine(day, time(9)))
    meeting = schedule_meeting(
        org,
        {"kind": kind, "topic": f"{kind} {day}", "starts_at": start, "ends_at": start + timedelta(hours=2)},
        acting_user=SYSTEM,
    )
    entries = [{"member": a.member_id, "status": "present"} for a in meeting.attendances.all()]
    if entries:
        record_attendance(meeting, entries, acting_user=SYSTEM)
    return close_meeting(meeting, acting_user=SYSTEM) if close else meeting


def probationary(org: Organization, name: str, joined: date, **extra: Any) -> Member:
    return make_member(
        org, name, birth=date(1995, 6, 1), category="probationary", join_date=joined, full_date=None, **extra
    )


def secretary_of(org: Organization, username: str) -> User:
    return make_user(username, Role.SECRETARY, org)


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)
