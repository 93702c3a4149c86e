"""Building blocks for the leaders tests: meetings held in the past, through the services."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from dangjian.core.scoping import SYSTEM
from dangjian.members.models import Member
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Meeting
from dangjian.orglife.services import (
    add_guest,
    close_meeting,
    record_attendance,
    schedule_meeting,
)

PDF = b"%PDF-1.7\n" + b"0" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100


def meeting(
    org: Organization,
    kind: str,
    day: date,
    *,
    present: Iterable[Member] = (),
    leave: Iterable[Member] = (),
    guests: Iterable[Member] = (),
    lecturer: Member | None = None,
    topic_discussion: bool = False,
    status: str = "closed",
) -> Meeting:
    """A meeting on `day` (in the past) with the given attendance; every other expected attendee
    is recorded absent. `status`: closed, planned (attendance recorded, not closed) or cancelled."""
    start = timezone.make_aware(datetime.combine(day, time(9)))
    m = schedule_meeting(
        org,
        {
            "kind": kind,
            "topic": f"{kind} {day}",
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "lecturer": lecturer,
            "topic_discussion": topic_discussion,
        },
        acting_user=SYSTEM,
    )
    for guest in guests:
        add_guest(m, acting_user=SYSTEM, member=guest)
    status_of = {p.pk: "present" for p in present} | {p.pk: "leave" for p in leave}
    entries = [
        {"member": a.member_id, "status": status_of.get(a.member_id, "absent"), "reason": "出差"}
        for a in m.attendances.all()
    ]
    if entries:
        record_attendance(m, entries, acting_user=SYSTEM)
    if status == "closed":
        close_meeting(m, acting_user=SYSTEM)
    elif status == "cancelled":
        # A held meeting can no longer be cancelled (orglife refuses it); records from before that
        # rule exist, and the counts must still leave them out: written as such directly.
        Meeting.objects.filter(pk=m.pk).update(status="cancelled")
        m.refresh_from_db()
    return m
