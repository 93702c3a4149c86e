"""Counts the compliance engine reads: per organization of a subtree, for a period, in one query
each (no per-organization loops). Only closed meetings count: held, with attendance recorded."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.tree import subtree_q

from .models import Attendance, AttendanceStatus, Meeting, MeetingStatus


def _closed(org_path: str, start: datetime, end: datetime) -> "Q":
    return subtree_q(org_path, "organization__path") & Q(
        status=MeetingStatus.CLOSED, starts_at__gte=start, starts_at__lt=end
    )


def meeting_counts(org_path: str, start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """{organization id: {meeting kind: number of closed meetings that started in [start, end)}}."""
    rows = Meeting.objects.filter(_closed(org_path, start, end)).values("organization_id", "kind")
    result: dict[int, dict[str, int]] = defaultdict(dict)
    # COUNT(*) rather than COUNT(id): the covering index holds no id, and counting id would
    # force a heap visit per meeting instead of an index-only scan.
    for row in rows.annotate(n=Count("*")).order_by():
        result[row["organization_id"]][row["kind"]] = row["n"]
    return dict(result)


def topic_discussion_counts(org_path: str, start: datetime, end: datetime) -> dict[int, int]:
    """{organization id: closed meetings held as topic discussions (work point 4)}."""
    rows = Meeting.objects.filter(_closed(org_path, start, end), topic_discussion=True)
    return {
        r["organization_id"]: r["n"] for r in rows.values("organization_id").annotate(n=Count("*")).order_by()
    }


def attendance_rates(org_path: str, start: datetime, end: datetime) -> dict[int, float]:
    """{organization id: share of recorded member attendances that were present}; leave counts
    as recorded but not present."""
    rows = (
        Attendance.objects.filter(
            subtree_q(org_path, "meeting__organization__path"),
            meeting__status=MeetingStatus.CLOSED,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
            member__isnull=False,
        )
        .values("meeting__organization_id")
        .annotate(total=Count("id"), present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)))
        .order_by()
    )
    return {r["meeting__organization_id"]: r["present"] / r["total"] for r in rows if r["total"]}


def member_attendance_rates(org_path: str, start: datetime, end: datetime) -> dict[int, tuple[int, int]]:
    """{member id: (present, recorded)} over the closed meetings of the subtree in [start, end):
    each member's own attendance, wherever they were expected (their branch, a committee's
    democratic life meeting). Counts rather than a ratio, so callers can also sum them."""
    rows = (
        Attendance.objects.filter(
            subtree_q(org_path, "meeting__organization__path"),
            meeting__status=MeetingStatus.CLOSED,
            meeting__starts_at__gte=start,
            meeting__starts_at__lt=end,
            member__isnull=False,
        )
        .values("member_id")
        .annotate(total=Count("id"), present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)))
        .order_by()
    )
    return {r["member_id"]: (r["present"], r["total"]) for r in rows}


def meetings_of_member(user: Any) -> QuerySet[Meeting]:
    """Meetings the user's linked member is expected at (none for an account without member)."""
    member_id = getattr(user, "member_id", None)
    return Meeting.objects.filter(attendances__member=member_id) if member_id else Meeting.objects.none()


def get_expected_meeting(user: Any, pk: int) -> Meeting:
    """The meeting if the user's member is expected at it; 404 otherwise, so only expected
    attendees learn that the meeting exists."""
    meeting = meetings_of_member(user).filter(pk=pk).select_related("organization").first()
    if meeting is None:
        raise Http404
    return meeting


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January, next 1 January) of `year`, local time."""
    from django.utils import timezone

    return (
        timezone.make_aware(datetime(year, 1, 1)),
        timezone.make_aware(datetime(year + 1, 1, 1)),
    )


def closed_meetings(year: int) -> QuerySet[Meeting]:
    """Meetings held and recorded (closed) that started in `year`: what counts as done."""
    start, end = year_bounds(year)
    return Meeting.objects.filter(status=MeetingStatus.CLOSED, starts_at__gte=start, starts_at__lt=end)


def present_attendances(year: int) -> QuerySet[Attendance]:
    """Members' attendances marked present at the closed meetings of `year`."""
    start, end = year_bounds(year)
    return Attendance.objects.filter(
        meeting__status=MeetingStatus.CLOSED,
        meeting__starts_at__gte=start,
        meeting__starts_at__lt=end,
        member__isnull=False,
        status=AttendanceStatus.PRESENT,
    )


def clashes(meeting: Meeting, user: Any, limit: int = 5) -> list[Meeting]:
    """Other meetings, not cancelled, at overlapping times, of the same organization or expecting
    one of the same members: a warning for whoever schedules, never a refusal (a member may well
    go from one to the other). Only meetings `user` may see are named: a clash with a meeting
    outside their reach is not reported at all (its existence is not theirs to know)."""
    members = Attendance.objects.filter(meeting=meeting, member__isnull=False).values("member_id")
    overlapping = (
        Meeting.objects.exclude(pk=meeting.pk)
        .exclude(status=MeetingStatus.CANCELLED)
        .filter(starts_at__lt=meeting.ends_at, ends_at__gt=meeting.starts_at)
    )
    ids = overlapping.filter(
        Q(organization_id=meeting.organization_id) | Q(attendances__member_id__in=members)
    ).values("pk")
    visible = Meeting.objects.filter(pk__in=ids).restrict(user, "view")
    return list(visible.select_related("organization").order_by("starts_at")[:limit])


def clash_label(other: Meeting) -> str:
    """How a clashing meeting is named in a warning: local start, organization, topic."""
    return f"{timezone.localtime(other.starts_at):%m-%d %H:%M} {other.organization.name}《{other.topic}》"


def clash_warnings(meeting: Meeting, user: Any) -> list[dict[str, Any]]:
    """The API's form of the clash warning: one entry per visible clashing meeting."""
    return [
        {
            "code": "clash",
            "message": _("This meeting overlaps with %(meetings)s. Check that the time is right.")
            % {"meetings": clash_label(other)},
            "meeting": other.pk,
        }
        for other in clashes(meeting, user)
    ]
