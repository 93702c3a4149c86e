"""Feed fixtures: records that put items in a branch's feed, made as the services leave them."""

from datetime import datetime, timedelta

from django.utils import timezone

from dangjian.members.models import Member
from dangjian.notices.models import Notice, NoticeState
from dangjian.organizations.models import Organization
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus

from ..models import FeedItem


def sent_notice(
    org: Organization, title: str, *, cascade: bool = False, at: datetime | None = None
) -> Notice:
    return Notice.objects.create(
        organization=org,
        title=title,
        body="<p>内容</p>",
        cascade=cascade,
        state=NoticeState.SENT,
        sent_at=at or timezone.now(),
    )


def closed_meeting(org: Organization, topic: str, *, kind: str = MeetingKind.BRANCH_ASSEMBLY) -> Meeting:
    start = timezone.now() - timedelta(days=1)
    meeting = Meeting.objects.create(
        organization=org, kind=kind, topic=topic, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    members = list(Member.objects.filter(organization=org).order_by("pk")[:4])
    for i, member in enumerate(members):
        Attendance.objects.create(
            meeting=meeting,
            member=member,
            status=AttendanceStatus.PRESENT if i == 0 else AttendanceStatus.ABSENT,
        )
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save()
    return meeting


def item_of(obj: object) -> FeedItem:
    from django.contrib.contenttypes.models import ContentType

    return FeedItem.objects.get(source_type=ContentType.objects.get_for_model(type(obj)), source_id=obj.pk)  # type: ignore[attr-defined]
