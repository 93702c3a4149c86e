"""What each kind of source record puts in the feed, or None when it puts nothing there (yet).

One function per source model, used alike by the signal handlers (a record just completed) and by
the backfill (records that existed before the feed). Member names are shown as the roster shows
them; nothing else about a member is.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.community.models import CommitmentRelease
from dangjian.honours.models import Nomination
from dangjian.members.models import ON_ROLL_STATUSES, Member
from dangjian.notices.models import Notice, NoticeState
from dangjian.orglife.models import Attendance, AttendanceStatus, Meeting, MeetingKind, MeetingStatus
from dangjian.polls.models import Poll, PollStatus, VoterMark
from dangjian.transfers.models import Transfer, TransferState

from .models import FeedKind

# A member is "new" in the feed when they joined the Party within this window of the day their
# record was written: a roster imported years later does not flood the feed with old members.
NEW_MEMBER_WINDOW = timedelta(days=366)


@dataclass(frozen=True)
class Spec:
    organization_id: int
    kind: str
    occurred_at: datetime
    title: str
    cascade: bool = False
    part: int | None = None
    whole: int | None = None
    hidden: bool = False


def _at_midnight(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def meeting(obj: Meeting) -> Spec | None:
    if obj.status != MeetingStatus.CLOSED:
        return None
    # Counted with the rows by the backfill (`backfill_annotations`), else here.
    part, whole = getattr(obj, "feed_present", None), getattr(obj, "feed_attendees", None)
    if part is None or whole is None:
        members = obj.attendances.filter(member__isnull=False)
        part, whole = members.filter(status=AttendanceStatus.PRESENT).count(), members.count()
    return Spec(
        organization_id=obj.organization_id,
        kind=FeedKind.THEME_DAY if obj.kind == MeetingKind.THEME_DAY else FeedKind.MEETING,
        occurred_at=obj.starts_at,
        title=obj.topic,
        part=part,
        whole=whole,
    )


def member(obj: Member) -> Spec | None:
    if obj.status not in ON_ROLL_STATUSES or obj.join_date is None:
        return None
    if obj.join_date < timezone.localdate() - NEW_MEMBER_WINDOW:
        return None
    return Spec(
        organization_id=obj.organization_id,
        kind=FeedKind.MEMBER_JOINED,
        occurred_at=_at_midnight(obj.join_date),
        title=_("%(name)s joined the Party") % {"name": obj.name},
    )


def transfer(obj: Transfer) -> Spec | None:
    if obj.state != TransferState.ACCEPTED or obj.to_org_id is None:
        return None
    return Spec(
        organization_id=obj.to_org_id,
        kind=FeedKind.TRANSFER_IN,
        occurred_at=obj.decided_at or obj.created_at,
        title=_("%(name)s transferred in") % {"name": obj.member.name},
    )


def notice(obj: Notice) -> Spec | None:
    if obj.state not in (NoticeState.SENT, NoticeState.WITHDRAWN) or obj.sent_at is None:
        return None
    return Spec(
        organization_id=obj.organization_id,
        kind=FeedKind.NOTICE,
        occurred_at=obj.sent_at,
        title=obj.title,
        cascade=obj.cascade,
        hidden=obj.state == NoticeState.WITHDRAWN,
    )


def poll(obj: Poll) -> Spec | None:
    if obj.status != PollStatus.CLOSED:
        return None
    return Spec(
        organization_id=obj.organization_id,
        kind=FeedKind.POLL_CLOSED,
        occurred_at=obj.closed_at or obj.closes_at,
        title=obj.title,
        part=_voted(obj),
        whole=obj.eligible_count,
    )


def _voted(obj: Poll) -> int:
    # Counted with the rows by the backfill (`backfill_annotations`), else here; 0 is a count too.
    voted: int | None = getattr(obj, "feed_voted", None)
    return VoterMark.objects.filter(poll=obj).count() if voted is None else voted


def nomination(obj: Nomination) -> Spec | None:
    """An honour, once its call is published: in the branch of the member honoured (or of the
    organization honoured)."""
    if obj.published_at is None:
        return None
    return Spec(
        organization_id=obj.nominee_branch.pk,
        kind=FeedKind.HONOUR,
        occurred_at=obj.published_at,
        title=f"{obj.nominee_name} · {obj.get_category_display()}",
    )


def commitments(obj: CommitmentRelease) -> Spec | None:
    """A branch published its members' commitments of a year (承诺践诺: made public)."""
    return Spec(
        organization_id=obj.organization_id,
        kind=FeedKind.COMMITMENTS,
        occurred_at=obj.published_at,
        title=_("Members' commitments for %(year)s: %(count)s published")
        % {"year": obj.year, "count": obj.count},
    )


SOURCES: dict[type[Model], Any] = {
    Meeting: meeting,
    Member: member,
    Transfer: transfer,
    Notice: notice,
    Poll: poll,
    Nomination: nomination,
    CommitmentRelease: commitments,
}


def backfill_filters() -> dict[type[Model], dict[str, Any]]:
    """The records the backfill reads: only those that can produce an item."""
    return {
        Meeting: {"status": MeetingStatus.CLOSED},
        Member: {"status__in": ON_ROLL_STATUSES, "join_date__gte": timezone.localdate() - NEW_MEMBER_WINDOW},
        Transfer: {"state": TransferState.ACCEPTED, "to_org__isnull": False},
        Notice: {"state__in": (NoticeState.SENT, NoticeState.WITHDRAWN)},
        Poll: {"status": PollStatus.CLOSED},
        Nomination: {"published_at__isnull": False},
        CommitmentRelease: {},
    }


def backfill_annotations() -> dict[type[Model], dict[str, Any]]:
    """What the sources above count, counted by the backfill with its rows (a batch of records
    costs one query, not two per record): correlated counts, each a range of an index."""

    def counted(rows: QuerySet[Any], key: str) -> Coalesce:
        grouped = rows.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(n=Count("*"))
        return Coalesce(Subquery(grouped.values("n")), 0)

    attendees = Attendance.objects.filter(member__isnull=False)
    return {
        Meeting: {
            "feed_present": counted(attendees.filter(status=AttendanceStatus.PRESENT), "meeting"),
            "feed_attendees": counted(attendees, "meeting"),
        },
        Poll: {"feed_voted": counted(VoterMark.objects.all(), "poll")},
    }


# Related rows the sources read, fetched by the backfill with its rows.
BACKFILL_RELATED: dict[type[Model], tuple[str, ...]] = {
    Transfer: ("member",),
    Nomination: ("nominee_member__organization", "nominee_organization"),
}
